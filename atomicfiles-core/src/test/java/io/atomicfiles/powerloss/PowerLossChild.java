package io.atomicfiles.powerloss;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.Durability;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.WriteBatch;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.internal.UntimedStat;
import io.atomicfiles.testing.ChildSide;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The program under test on a LazyFS mount ({@link PowerLossTest}); what runs after each
 * "reboot".
 *
 * <p>Arguments: mode ({@code write}: single writes of the files in turn; {@code tx}: one
 * transaction writing all of them; {@code batch}: one {@link WriteBatch} writing all of them),
 * the files' folder, the journal folder, the durability, the
 * first version, a scratch folder for warming up. It warms up off the mount, then recovers
 * what the last power cut left (as an application does at start: {@code FileTransaction.recover}
 * of its journal folder, {@code sweepStaleTempFiles} of its folders), says "recovered", waits
 * for "go" (the test checks the recovered files meanwhile), then writes versions in a loop,
 * telling the test "ack FILE VERSION" (or "ack tx VERSION", "ack batch VERSION") on standard output, flushed, the
 * moment each call returned. The content of a version is a function of file and version
 * ({@link #content}), so the test tells a complete version from an empty or torn one.
 */
public final class PowerLossChild {
    static final List<String> FILES = List.of("f0.txt", "f1.txt", "f2.txt");

    private PowerLossChild() {
    }

    public static void main(String[] args) throws IOException {
        String mode = args[0];
        Path files = Path.of(args[1]);
        Path journals = Path.of(args[2]);
        Durability durability = Durability.valueOf(args[3]);
        long version = Long.parseLong(args[4]);
        warmUp(Path.of(args[5]));
        // The temp files' stat of a busy process (statx, UntimedStat, which a JVM loads after its
        // first thousand writes), so that the power cuts cover that path too.
        boolean statx = UntimedStat.loadNow();

        RecoveryReport report = FileTransaction.recover(journals);
        int swept = sweep(files);
        ChildSide.say("recovered " + report.transactions().size() + " journal(s), " + swept + " temp file(s)"
                + (report.hasConflicts() ? " CONFLICTS " + report : "")
                + (statx ? "; temp files stat'ed by statx" : "; temp files stat'ed by Java"));
        ChildSide.awaitGo();

        WriteOptions options = WriteOptions.builder().durability(durability).showProgress(false).build();
        TransactionOptions txOptions = TransactionOptions.builder().journalDir(journals).durability(durability)
                .showProgress(false).build();
        for (; ; version++) {
            if (mode.equals("write")) {
                for (String name : FILES) {
                    AtomicFiles.writeBytes(files.resolve(name), content(name, version), options);
                    ChildSide.say("ack " + name + " " + version);
                }
            } else if (mode.equals("batch")) {
                try (WriteBatch batch = AtomicFiles.batch(options)) {
                    for (String name : FILES) {
                        batch.addWrite(files.resolve(name), content(name, version), ContentType.BYTES);
                    }
                    batch.commit();
                }
                ChildSide.say("ack batch " + version);
            } else {
                try (FileTransaction tx = new FileTransaction(txOptions)) {
                    for (String name : FILES) {
                        tx.addWrite(files.resolve(name), content(name, version), ContentType.BYTES);
                    }
                    tx.commit();
                }
                ChildSide.say("ack tx " + version);
            }
        }
    }

    /**
     * A write, a transaction and a batch off the mount, so that the classes they need are loaded before the
     * test's clock starts (lighter than {@link ChildSide#warmUp}: this child starts once per power cut).
     */
    private static void warmUp(Path scratch) throws IOException {
        Files.createDirectories(scratch);
        AtomicFiles.writeBytes(scratch.resolve("w.txt"), content("w", 1));
        try (FileTransaction tx = new FileTransaction(TransactionOptions.builder().journalDir(scratch.resolve("j"))
                .showProgress(false).build())) {
            tx.addWrite(scratch.resolve("t.txt"), content("t", 1), ContentType.BYTES);
            tx.commit();
        }
        try (WriteBatch batch = AtomicFiles.batch(WriteOptions.builder().showProgress(false).build())) {
            batch.addWrite(scratch.resolve("b.txt"), content("b", 1), ContentType.BYTES);
            batch.commit();
        }
    }

    /** Removes the temp files of writers that are gone, in every folder under {@code files}. */
    private static int sweep(Path files) throws IOException {
        List<Path> folders;
        try (Stream<Path> walk = Files.walk(files)) {
            folders = walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
        int swept = 0;
        for (Path folder : folders) {
            swept += AtomicFiles.sweepStaleTempFiles(folder, Duration.ofHours(1));
        }
        return swept;
    }

    /**
     * Version {@code version} of {@code name}: a header line naming both and the length, then
     * that many bytes drawn from a generator seeded with both (100 B to 64 KiB).
     */
    static byte[] content(String name, long version) {
        SplittableRandom random = new SplittableRandom(name.hashCode() * 1_000_003L + version);
        int length = 100 + random.nextInt(64 * 1024);
        byte[] header = (name + " version " + version + " length " + length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] content = new byte[header.length + length];
        System.arraycopy(header, 0, content, 0, header.length);
        for (int i = header.length; i < content.length; i++) {
            content[i] = (byte) ('a' + random.nextInt(26));
        }
        return content;
    }

    /**
     * The version a file holds: -1 when it is not exactly some version of {@code name} (empty,
     * torn, mixed), else its number.
     */
    static long versionOf(String name, byte[] bytes) {
        int newline = -1;
        for (int i = 0; i < Math.min(bytes.length, 200); i++) {
            if (bytes[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            return -1;
        }
        String[] header = new String(bytes, 0, newline, StandardCharsets.US_ASCII).split(" ");
        if (header.length != 5 || !header[0].equals(name) || !header[1].equals("version")) {
            return -1;
        }
        long version;
        try {
            version = Long.parseLong(header[2]);
        } catch (NumberFormatException e) {
            return -1;
        }
        return java.util.Arrays.equals(bytes, content(name, version)) ? version : -1;
    }
}
