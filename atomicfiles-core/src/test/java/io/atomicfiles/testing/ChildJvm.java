package io.atomicfiles.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class of the test classpath running in a JVM of its own, for tests that kill writers or
 * make several processes compete for one file.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.builder(Writer.class).args(file.toString()).quickStart().start()) {
 *     child.readLine(Duration.ofSeconds(30));   // wait until it says it is ready
 *     child.kill();                             // SIGKILL: no shutdown hooks, no finally blocks
 * }
 * }</pre>
 *
 * <p>The child runs the same {@code java} as the test, with the test's classpath, and the
 * library's state folder of the test ({@code -Datomicfiles.stateDir}, so that locks and journals
 * are shared with the test and never land in the user's home). Its standard output is a pipe
 * the test reads line by line (or a file, see {@link Builder#stdoutTo}); its standard error is
 * collected in memory (the last {@value #STDERR_KEEP_CHARS} characters) for failure messages.
 * {@link #close()} kills a child that is still running, so none outlives its test.
 */
public final class ChildJvm implements AutoCloseable {
    private static final String STATE_DIR_PROPERTY = "atomicfiles.stateDir";
    private static final int STDERR_KEEP_CHARS = 16 * 1024;

    private final String name;
    private final Process process;
    private final BufferedReader stdout;
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stderrDrain;

    private ChildJvm(String name, Process process, boolean stdoutPiped) {
        this.name = name;
        this.process = process;
        this.stdout = stdoutPiped
                ? new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                : null;
        this.stderrDrain = new Thread(() -> drain(process.getErrorStream()), "stderr of " + name);
        this.stderrDrain.setDaemon(true);
        this.stderrDrain.start();
    }

    /** A builder for a child running {@code mainClass.main(args)}. */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass);
    }

    /** The running process. */
    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /**
     * The next line the child printed, waiting up to {@code timeout} for it; null when the child
     * closed its output (it exited).
     *
     * @throws IllegalStateException when no line came in time (the child is killed first)
     */
    public String readLine(Duration timeout) throws IOException {
        if (stdout == null) {
            throw new IllegalStateException(name + ": standard output goes to a file, not to the test");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stdout.ready() && process.isAlive()) {
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException(name + " printed nothing within " + timeout + describeStderr());
            }
            sleep(1);
        }
        return stdout.readLine();
    }

    /** Every line the child prints from now until it exits. */
    public List<String> readRemainingLines() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line; (line = stdout.readLine()) != null; ) {
            lines.add(line);
        }
        return lines;
    }

    /** Kills the child with SIGKILL ({@link Process#destroyForcibly()}) and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitDeath();
    }

    /**
     * Waits for the child to exit by itself.
     *
     * @return its exit code
     * @throws IllegalStateException when it runs longer than {@code timeout} (it is killed then)
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new IllegalStateException(name + " still ran after " + timeout + "; killed" + describeStderr());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
        return process.exitValue();
    }

    /** What the child printed on standard error (its last part), for failure messages. */
    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        try {
            if (stdout != null) {
                stdout.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    private void awaitDeath() {
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            stderrDrain.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain(InputStream in) {
        byte[] buffer = new byte[4096];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                synchronized (stderr) {
                    stderr.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    if (stderr.length() > STDERR_KEEP_CHARS) {
                        stderr.delete(0, stderr.length() - STDERR_KEEP_CHARS);
                    }
                }
            }
        } catch (IOException e) {
            // The child is gone; what it printed so far is kept.
        }
    }

    private String describeStderr() {
        String text = stderr();
        return text.isEmpty() ? "" : "; its standard error:\n" + text;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** How to start a child JVM. */
    public static final class Builder {
        private final Class<?> mainClass;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private Path stdoutFile;

        private Builder(Class<?> mainClass) {
            this.mainClass = mainClass;
        }

        /** Arguments of {@code main}. */
        public Builder args(String... args) {
            this.args.addAll(Arrays.asList(args));
            return this;
        }

        /** Options of the JVM itself, such as {@code -Xmx64m} or {@code -Dname=value}. */
        public Builder jvmArgs(String... jvmArgs) {
            this.jvmArgs.addAll(Arrays.asList(jvmArgs));
            return this;
        }

        /**
         * Options that make a short-lived JVM start and warm up fast: the client compiler only,
         * the JDK's class-data archive, the serial collector, a 64 MiB heap, no perf-data file.
         * For children that are killed after a moment; not for throughput.
         */
        public Builder quickStart() {
            return jvmArgs("-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC", "-Xmx64m",
                    "-XX:-UsePerfData");
        }

        /** Sends standard output to {@code file} (appending) instead of a pipe the test reads. */
        public Builder stdoutTo(Path file) {
            this.stdoutFile = file;
            return this;
        }

        public ChildJvm start() throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            String stateDir = System.getProperty(STATE_DIR_PROPERTY);
            if (stateDir != null) {
                command.add("-D" + STATE_DIR_PROPERTY + "=" + stateDir);
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClass.getName());
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command);
            if (stdoutFile != null) {
                builder.redirectOutput(ProcessBuilder.Redirect.appendTo(stdoutFile.toFile()));
            }
            String name = mainClass.getSimpleName() + args;
            return new ChildJvm(name, builder.start(), stdoutFile == null);
        }
    }
}
