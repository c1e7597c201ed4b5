package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * For every k, a transaction whose k-th filesystem call fails (an exception) or crashes (the
 * process dies there), followed by recovery (itself crashed once at a random call, then run
 * again), leaves exactly the before state or exactly the after state, and no hidden file.
 */
class TransactionFaultInjectionTest {
    @TempDir
    Path realRoot;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();
    private Path files;
    private Path journals;

    @Test
    void everyFailingCallEndsInBeforeOrAfter() throws IOException {
        int total = countCalls();
        int[] outcomes = new int[2];
        for (int k = 1; k <= total; k++) {
            reset();
            faulty.failAt(k);
            try {
                commit();
            } catch (IOException expected) {
                // the transaction reported its failure
            }
            faulty.failAt(0);
            FileTransaction.recover(journals);
            outcomes[checkBeforeOrAfter("fail at " + k + " of " + total)]++;
        }
        System.out.printf("fault at each of %d calls: %d before, %d after%n", total, outcomes[0], outcomes[1]);
        assertThat(outcomes[0]).isGreaterThan(0);
    }

    @Test
    void everyCrashPointRecoversToBeforeOrAfterEvenIfRecoveryCrashes() throws IOException {
        int total = countCalls();
        Random random = new Random(42);
        int[] outcomes = new int[2];
        for (int k = 1; k <= total; k++) {
            reset();
            faulty.crashAt(k);
            try {
                commit();
            } catch (FaultyFileSystem.SimulatedCrash crashed) {
                // the process "died" at call k
            }
            // Recovery crashes once at a random call of its own, then runs to the end.
            faulty.crashAt(0);
            FileTransaction.recover(journals);
            int recoveryCalls = faulty.calls();
            resetTo(k);
            if (recoveryCalls > 0) {
                faulty.crashAt(1 + random.nextInt(recoveryCalls));
                try {
                    FileTransaction.recover(journals);
                } catch (FaultyFileSystem.SimulatedCrash crashed) {
                    // recovery "died" too
                }
            }
            faulty.crashAt(0);
            FileTransaction.recover(journals);
            outcomes[checkBeforeOrAfter("crash at " + k + " of " + total)]++;
        }
        System.out.printf("crash at each of %d calls: %d before, %d after%n", total, outcomes[0], outcomes[1]);
        assertThat(outcomes[0]).isGreaterThan(0);
        assertThat(outcomes[1]).isGreaterThan(0);
    }

    /** Replays the crash at call k so recovery can be crashed on the same state. */
    private void resetTo(int k) throws IOException {
        reset();
        faulty.crashAt(k);
        try {
            commit();
        } catch (FaultyFileSystem.SimulatedCrash crashed) {
            // as before
        }
    }

    private int countCalls() throws IOException {
        files = faulty.path(realRoot.resolve("files"));
        journals = faulty.path(realRoot.resolve("journals"));
        reset();
        faulty.failAt(0);
        commit();
        int total = faulty.calls();
        assertThat(snapshot()).isEqualTo(after());
        return total;
    }

    private void commit() throws IOException {
        TransactionOptions options = TransactionOptions.builder().journalDir(journals).showProgress(false).build();
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(files.resolve("a.json"), Map.of("v", 2), ContentType.JSON);
            tx.addWrite(files.resolve("sub/new.txt"), "new", ContentType.TEXT);
            tx.addCopy(files.resolve("src.txt"), files.resolve("copy.txt"));
            tx.addMove(files.resolve("moveme.txt"), files.resolve("moved.txt"));
            tx.addDelete(files.resolve("old.txt"));
            tx.commit();
        }
    }

    private void reset() throws IOException {
        faulty.failAt(0);
        Path real = realRoot.resolve("files");
        Path realJournals = realRoot.resolve("journals");
        for (Path p : new Path[] {real, realJournals}) {
            if (Files.exists(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(q);
                    }
                }
            }
            Files.createDirectories(p);
        }
        before().forEach((name, content) -> {
            try {
                Files.writeString(real.resolve(name), content);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static Map<String, String> before() {
        Map<String, String> state = new TreeMap<>();
        state.put("a.json", "{}");
        state.put("a.json.backup", "older");
        state.put("src.txt", "source");
        state.put("moveme.txt", "moving");
        state.put("old.txt", "old");
        return state;
    }

    private static Map<String, String> after() {
        Map<String, String> state = new TreeMap<>();
        state.put("a.json", "{\n  \"v\": 2\n}\n");
        state.put("a.json.backup", "{}");
        state.put("sub/new.txt", "new");
        state.put("src.txt", "source");
        state.put("copy.txt", "source");
        state.put("moved.txt", "moving");
        state.put("old.txt.deleted_backup", "old");
        return state;
    }

    /** Every file under files/, with its content; hidden leftovers included, so they fail the check. */
    private Map<String, String> snapshot() throws IOException {
        Path real = realRoot.resolve("files");
        Map<String, String> state = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(real)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                state.put(real.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return state;
    }

    private int checkBeforeOrAfter(String when) throws IOException {
        Map<String, String> now = snapshot();
        try (Stream<Path> s = Files.list(realRoot.resolve("journals"))) {
            assertThat(s.filter(p -> p.toString().endsWith(".journal")).toList()).as(when + ": journals left").isEmpty();
        }
        boolean emptySubLeft = Files.isDirectory(realRoot.resolve("files/sub")) && !now.containsKey("sub/new.txt");
        assertThat(emptySubLeft).as(when + ": created folder left behind").isFalse();
        if (now.equals(before())) {
            return 0;
        }
        assertThat(now).as(when + ": neither before nor after").isEqualTo(after());
        return 1;
    }
}
