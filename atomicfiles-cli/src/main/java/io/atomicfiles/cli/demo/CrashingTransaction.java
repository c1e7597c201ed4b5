package io.atomicfiles.cli.demo;

import io.atomicfiles.FileTransaction;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.internal.StateDir;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A process that dies in the middle of a transaction, for the crash scenes and tests: it
 * commits the {@link SiteRelease} and halts its own JVM at a chosen moment with
 * {@link Runtime#halt}, which, like {@code kill -9}, runs no shutdown hook, no {@code finally}
 * and no further line of the library.
 *
 * <p>{@link #runInChildJvm} starts it in a new JVM with this JVM's Java and class path (the
 * shaded jar, or the test class path) and state folder.
 */
public final class CrashingTransaction {
    /** The exit status of a child that was halted as planned. */
    public static final int HALTED = 99;

    /** When the child dies. */
    public enum Moment {
        /**
         * Every new content is staged and forced, the commit record not yet written: recovery
         * must roll back.
         */
        BEFORE_COMMIT_POINT,
        /**
         * The commit record is written and the operations before {@link SiteRelease#HALT_AT_OPERATION}
         * are applied: recovery must roll forward.
         */
        AFTER_COMMIT_POINT
    }

    /** How a child ended: its exit status and everything it printed. */
    public record Outcome(int exitCode, String output) {
        /** Whether it died where it was told to. */
        public boolean halted() {
            return exitCode == HALTED;
        }
    }

    private CrashingTransaction() {
    }

    /** {@code SITE JOURNAL_DIR MOMENT}: commits the release in SITE and halts at MOMENT. */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: CrashingTransaction SITE JOURNAL_DIR " + Arrays.toString(Moment.values()));
            System.exit(2);
        }
        Path site = Path.of(args[0]);
        Moment moment = Moment.valueOf(args[2].toUpperCase(Locale.ROOT));
        TransactionOptions options = TransactionOptions.builder()
                .journalDir(Path.of(args[1]))
                .progressListener(new HaltAt(moment))
                .build();
        try (FileTransaction transaction = new FileTransaction(options)) {
            SiteRelease.addTo(transaction, site);
            transaction.commit();
        }
        System.err.println("the transaction committed without being halted at " + moment);
        System.exit(0);
    }

    /**
     * Runs {@link #main} in a new JVM and waits for it to die.
     *
     * @throws IOException when the child cannot be started or does not end within a minute
     */
    public static Outcome runInChildJvm(Path site, Path journalDir, Moment moment) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-D" + StateDir.PROPERTY + "=" + StateDir.location());
        // A short-lived child: start fast.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(classPath());
        command.add(CrashingTransaction.class.getName());
        command.add(site.toAbsolutePath().toString());
        command.add(journalDir.toAbsolutePath().toString());
        command.add(moment.name());
        // Output to a file, not a pipe: a child blocked on a full pipe would never reach its halt.
        Path log = Files.createTempFile("atomicfiles-crashing-", ".log");
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            child.getOutputStream().close();
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new IOException("the crashing child did not end within 60 seconds: " + String.join(" ", command));
            }
            return new Outcome(child.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** This JVM's class path with absolute entries; else the jar or folder this class came from. */
    private static String classPath() throws IOException {
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.isBlank()) {
            return Arrays.stream(classPath.split(File.pathSeparator))
                    .map(entry -> Path.of(entry).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator));
        }
        try {
            return Path.of(CrashingTransaction.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IOException("cannot tell where the class path of this JVM is", e);
        }
    }

    /** A progress listener that halts the JVM at the chosen moment of the commit. */
    private static final class HaltAt implements ProgressListener {
        private final Moment moment;
        private long total = -1;

        HaltAt(Moment moment) {
            this.moment = moment;
        }

        @Override
        public void started(String task, long total) {
            this.total = total;
        }

        /** Staging reports each staged file once it is written and forced; the last one completes the stage. */
        @Override
        public void progressed(long done) {
            if (moment == Moment.BEFORE_COMMIT_POINT && done >= total) {
                Runtime.getRuntime().halt(HALTED);
            }
        }

        /** Each rename of the apply step is announced before it is done, and only after the commit point. */
        @Override
        public void note(String message) {
            if (moment == Moment.AFTER_COMMIT_POINT
                    && message.startsWith("apply " + SiteRelease.HALT_AT_OPERATION + " of ")) {
                Runtime.getRuntime().halt(HALTED);
            }
        }

        @Override
        public void finished(boolean succeeded) {
        }
    }
}
