package io.atomicfiles.testing;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.ContentType;
import io.atomicfiles.Durability;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.WriteOptions;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The child's half of {@link ChildJvm}: what the {@code main} of a child says, waits for and warms up with. */
public final class ChildSide {
    private ChildSide() {
    }

    /** Tells the test {@code line}: one line on standard output, flushed at once. */
    public static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Tells the test that this child is set up (warmed up): the line "ready". */
    public static void ready() {
        say("ready");
    }

    /**
     * Waits for the test's {@link ChildJvm#go()}, so that several processes start their work at
     * the same moment.
     *
     * @throws EOFException when the test closed the pipe instead (it is gone: so goes the child)
     */
    public static void awaitGo() throws IOException {
        if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine() == null) {
            throw new EOFException("the test went away before it said go");
        }
    }

    /**
     * Makes {@code folder} an empty folder and does one of each thing children do in it: a
     * transaction of every kind of operation, with and without backups, a recovery, single writes
     * at every durability, a read-modify-write and an audit record. The classes they need are then
     * loaded and initialised, so that what a child does next runs at speed (and a kill that
     * follows lands in the library's work, not in class loading). {@link QuickStart} records
     * the classes of this run in its archive.
     */
    public static void warmUp(Path folder) throws IOException {
        empty(folder);
        Path journals = folder.resolve("journals");
        Files.writeString(folder.resolve("a.txt"), "a");
        Files.writeString(folder.resolve("b.txt"), "b");
        for (boolean backup : new boolean[] {true, false}) {
            TransactionOptions options = TransactionOptions.builder().journalDir(journals).showProgress(false)
                    .backup(backup).build();
            try (FileTransaction tx = new FileTransaction(options)) {
                tx.addWrite(folder.resolve("x.json"), Map.of("a", List.of(1, 2)), ContentType.JSON);
                tx.addWrite(folder.resolve("x.yaml"), Map.of("a", "b"), ContentType.YAML);
                tx.addWrite(folder.resolve("x.txt"), "text", ContentType.TEXT);
                tx.addWrite(folder.resolve("x.bin"), new byte[] {1, 2, 3}, ContentType.BYTES);
                tx.addCopy(folder.resolve("a.txt"), folder.resolve("c.txt"));
                tx.addMove(folder.resolve("b.txt"), folder.resolve("m.txt"));
                tx.addDelete(folder.resolve("a.txt"));
                tx.commit();
            }
            Files.move(folder.resolve("m.txt"), folder.resolve("b.txt"));
            Files.copy(folder.resolve("c.txt"), folder.resolve("a.txt"));
        }
        FileTransaction.recover(journals);

        Path single = folder.resolve("single.json");
        for (Durability durability : Durability.values()) {
            AtomicFiles.writeJson(single, Map.of("durability", durability.name()),
                    WriteOptions.builder().durability(durability).build());
        }
        AtomicFiles.writeText(folder.resolve("single.txt"), "text");
        AtomicFileOperations operations = new AtomicFileOperations(new AuditTrail(folder.resolve("warm-up.audit")),
                WriteOptions.builder().build());
        operations.atomicJsonUpdate(single, data -> {
            data.put("updated", true);
            return data;
        });
    }

    private static void empty(Path folder) throws IOException {
        if (Files.exists(folder)) {
            try (Stream<Path> walk = Files.walk(folder)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(folder);
    }
}
