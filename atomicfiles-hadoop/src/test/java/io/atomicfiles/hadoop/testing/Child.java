package io.atomicfiles.hadoop.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client "host": a class of the test classpath running in a JVM of its own, killed with
 * {@link Process#destroyForcibly()} (SIGKILL: no shutdown hook, no finally block) by crash tests.
 * Its standard output is read line by line (a thread fills a queue, so the child never blocks on
 * a full pipe); standard error is kept for failure messages; standard input carries "go".
 */
public final class Child implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread outPump;
    private final Thread errPump;
    private boolean ended;

    private Child(Process process) {
        this.process = process;
        this.outPump = pump(process.getInputStream(), line -> lines.add(Optional.of(line)), () -> lines.add(Optional.empty()));
        this.errPump = pump(process.getErrorStream(), line -> {
            synchronized (stderr) {
                stderr.append(line).append('\n');
                if (stderr.length() > 32_000) {
                    stderr.delete(0, stderr.length() - 16_000);
                }
            }
        }, () -> { });
    }

    /** Starts {@code main.main(args)} in a new JVM with this JVM's classpath. */
    public static Child start(Class<?> main, String... args) throws IOException {
        return start(List.of(), main, args);
    }

    private static Child start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        // JVM messages (a class-data archive refused, say) to standard error: stdout is the child's.
        command.add("-Xlog:disable");
        command.add("-Xlog:all=warning:stderr");
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xss512k");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=error");
        command.add("-Datomicfiles.stateDir=" + System.getProperty("atomicfiles.stateDir", "target/test-state"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new Child(new ProcessBuilder(command).start());
    }

    public Process process() {
        return process;
    }

    /** The next line, waiting up to {@code timeout}; null once the child's output ended. */
    public String readLine(Duration timeout) {
        if (ended) {
            return null;
        }
        Optional<String> line;
        try {
            line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (line == null) {
            kill();
            throw new IllegalStateException("child pid " + process.pid() + " printed nothing within " + timeout
                    + "; stderr:\n" + stderr());
        }
        ended = line.isEmpty();
        return line.orElse(null);
    }

    /** Reads lines until one starts with {@code prefix}; returns it (null when the output ended first). */
    public String awaitLineStartingWith(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = readLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (line == null || line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** The lines printed so far and not read yet (does not wait). */
    public List<String> drain() {
        List<String> drained = new ArrayList<>();
        for (Optional<String> line; (line = lines.poll()) != null; ) {
            if (line.isEmpty()) {
                ended = true;
                break;
            }
            drained.add(line.get());
        }
        return drained;
    }

    public void go() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** SIGKILL, and wait until the process is gone and its output read to the end. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
            outPump.join(5000);
            errPump.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the child to exit by itself; kills it (and fails) after {@code timeout}. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new IllegalStateException("child pid " + process.pid() + " still ran after " + timeout
                        + "; stderr:\n" + stderr());
            }
            outPump.join(5000);
            errPump.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private static Thread pump(java.io.InputStream in, java.util.function.Consumer<String> sink, Runnable atEnd) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the child is gone
            } finally {
                atEnd.run();
            }
        }, "child-pump");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** The child's half: say a line (flushed) and wait for "go". */
    public static final class Side {
        private Side() {
        }

        public static void say(String line) {
            System.out.println(line);
            System.out.flush();
        }

        public static void awaitGo() throws IOException {
            if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine() == null) {
                throw new java.io.EOFException("the test went away before it said go");
            }
        }
    }
}
