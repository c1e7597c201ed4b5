package io.atomicfiles.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A class of the test classpath running in a JVM of its own, for tests that kill a writer or
 * make processes compete for files.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.builder(Writer.class).quickStart().args(file.toString()).start()) {
 *     assertThat(child.readLine(Duration.ofSeconds(60))).isEqualTo("ready"); // ChildSide.ready()
 *     child.go();                                                           // ChildSide.awaitGo() returns
 *     child.kill();                                   // SIGKILL: no shutdown hook, no finally block runs
 * }
 * }</pre>
 *
 * <p>The child runs this JVM's {@code java} with the test classpath and this JVM's
 * {@code -Datomicfiles.stateDir}, so that it shares the test's lock files and journals and never
 * touches the user's home (tests of how the library finds its state folder opt out and set the
 * environment themselves). The child's standard output is read line by line from a buffer that a
 * thread fills, so a child never blocks on a full pipe; its standard error is kept (the last
 * {@value #STDERR_KEEP_CHARS} characters) for failure messages; its standard input carries
 * {@link #go()}. The JVM's own warnings go to standard error, never among the lines a test reads.
 * {@link #close()} kills a child that still runs, so none outlives its test.
 */
public final class ChildJvm implements AutoCloseable {
    static final String STATE_DIR_PROPERTY = "atomicfiles.stateDir";
    private static final int STDERR_KEEP_CHARS = 16 * 1024;
    /** JVM messages (a refused class-data archive, say) to standard error: stdout is the child's. */
    private static final List<String> LOG_TO_STDERR = List.of("-Xlog:disable", "-Xlog:all=warning:stderr");

    private final String name;
    private final Process process;
    /** The lines of standard output; an empty Optional marks its end. */
    private final BlockingQueue<Optional<String>> stdout = new LinkedBlockingQueue<>();
    private boolean stdoutEnded;
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stdoutPump;
    private final Thread stderrPump;

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdoutPump = daemon("stdout of " + name, () -> pumpLines(process.getInputStream()));
        this.stderrPump = daemon("stderr of " + name, () -> keepTail(process.getErrorStream()));
    }

    /** A builder for a child running {@code mainClass.main(args)}. */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass);
    }

    /** The running process, for its exit value and for waits of its own. */
    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The next line the child printed, waiting up to {@code timeout} for it; null once the
     * child closed its output (it exited).
     *
     * @throws IllegalStateException when no line came in time (the child is killed first)
     */
    public String readLine(Duration timeout) {
        Optional<String> line = poll(timeout.toNanos());
        if (line == null) {
            kill();
            throw new IllegalStateException(this + " printed nothing within " + timeout + describeStderr());
        }
        return line.orElse(null);
    }

    /**
     * Reads lines until one is {@code expected}, and says whether it came: false when the child
     * closed its output first, or printed no such line within {@code timeout} (the child is
     * killed then).
     */
    public boolean awaitLine(String expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> line = poll(deadline - System.nanoTime());
            if (line == null) {
                kill();
                return false;
            }
            if (line.isEmpty() || line.get().equals(expected)) {
                return line.isPresent();
            }
        }
    }

    /**
     * Every line not read yet, up to the end of the child's output: this waits until the child
     * exits, so bound the wait with {@link #awaitExit} (or a wait on {@link #process()}) first.
     */
    public List<String> readRemainingLines() {
        List<String> lines = new ArrayList<>();
        for (Optional<String> line; (line = poll(Long.MAX_VALUE)).isPresent(); ) {
            lines.add(line.get());
        }
        return lines;
    }

    /** Lets the child go on: sends the line that {@link ChildSide#awaitGo()} waits for. */
    public void go() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
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
        boolean exited;
        try {
            exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
        if (!exited) {
            kill();
            throw new IllegalStateException(this + " still ran after " + timeout + "; killed" + describeStderr());
        }
        awaitDeath();
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
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    /** The next line, an empty Optional at the end of the output, null after {@code nanos}. */
    private Optional<String> poll(long nanos) {
        if (stdoutEnded) {
            return Optional.empty();
        }
        Optional<String> line;
        try {
            line = stdout.poll(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
        stdoutEnded = line != null && line.isEmpty();
        return line;
    }

    /** Waits for the process to end and for the pumps to reach the end of its output. */
    private void awaitDeath() {
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                stdoutPump.join(TimeUnit.SECONDS.toMillis(5));
                stderrPump.join(TimeUnit.SECONDS.toMillis(5));
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The test thread was interrupted while waiting: the child goes, the interrupt stays. */
    private IllegalStateException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        return new IllegalStateException("interrupted while waiting for " + this, e);
    }

    private void pumpLines(InputStream in) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                stdout.add(Optional.of(line));
            }
        } catch (IOException e) {
            // The pipe broke: the child is gone; the lines read so far stay.
        } finally {
            stdout.add(Optional.empty());
        }
    }

    private void keepTail(InputStream in) {
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

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** How to start a child JVM. */
    public static final class Builder {
        private final Class<?> mainClass;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private boolean stateDirProperty = true;
        private boolean quickStart;
        private OtherUser user;
        private Path userStateDir;

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

        /** Sets the variable {@code name} of the child's environment, or removes it when {@code value} is null. */
        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /**
         * No {@code -Datomicfiles.stateDir} for the child, which would win over the environment:
         * for tests of how the library finds its state folder, which set the environment
         * themselves (the child inherits this JVM's environment otherwise).
         */
        public Builder withoutStateDirProperty() {
            stateDirProperty = false;
            return this;
        }

        /**
         * Makes a short-lived JVM start fast: the client compiler only, the serial collector, a
         * 128 MiB heap, and, where the JDK accepts one, an archive of the classes a child loads
         * (see {@link QuickStart}). For children that live a moment or are killed; not for
         * throughput.
         */
        public Builder quickStart() {
            quickStart = true;
            return this;
        }

        /**
         * Runs the child as {@code user} (through {@code setpriv}), with the state folder
         * {@code stateDir}: that user's own, which the test creates (a user cannot share the
         * test's state folder, and must never touch anyone's home). The child reads a
         * world-readable copy of the test classpath ({@link OtherUser#classPath()}).
         */
        public Builder asUser(OtherUser user, Path stateDir) {
            this.user = user;
            this.userStateDir = stateDir;
            return this;
        }

        public ChildJvm start() throws IOException {
            List<String> command = new ArrayList<>();
            if (user != null) {
                command.addAll(user.commandPrefix());
            }
            command.add(javaCommand());
            command.addAll(LOG_TO_STDERR);
            String classPath = System.getProperty("java.class.path");
            if (user != null) {
                // The archive of QuickStart records root's classpath: the other user's differs.
                classPath = OtherUser.classPath();
                if (quickStart) {
                    command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                            "-XX:-UsePerfData"));
                }
            } else if (quickStart) {
                QuickStart quick = QuickStart.get();
                command.addAll(quick.jvmOptions());
                classPath = quick.classPath();
            }
            command.addAll(jvmArgs);
            if (user != null) {
                command.add("-D" + STATE_DIR_PROPERTY + "=" + userStateDir);
            } else if (stateDirProperty) {
                command.add("-D" + STATE_DIR_PROPERTY + "=" + stateDir());
            }
            command.addAll(List.of("-cp", classPath, mainClass.getName()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command);
            if (user != null) {
                // Where the child starts must be a folder it may enter.
                builder.directory(new java.io.File("/"));
                builder.environment().remove("ATOMICFILES_STATE_DIR");
            }
            environment.forEach((name, value) -> {
                if (value == null) {
                    builder.environment().remove(name);
                } else {
                    builder.environment().put(name, value);
                }
            });
            return new ChildJvm(mainClass.getSimpleName() + args, builder.start());
        }
    }

    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** This JVM's state folder, which Maven's Surefire sets: without it, a child would use the user's home. */
    static String stateDir() {
        String stateDir = System.getProperty(STATE_DIR_PROPERTY);
        if (stateDir == null) {
            throw new IllegalStateException(STATE_DIR_PROPERTY + " is not set: run the tests through Maven");
        }
        return stateDir;
    }
}
