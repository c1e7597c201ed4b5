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

    /** The class-data archive children start with, once {@link #prepareArchive} made one. */
    private static volatile java.nio.file.Path archive;
    /** The children's classpath: the class folders packed in one jar (an archive takes jars only). */
    private static volatile String packedClassPath;

    /**
     * Makes child JVMs start faster: packs the class folders of this JVM's classpath into a jar,
     * runs {@code main.main(args)} once to its end while the JVM records the classes it loads
     * (class-data sharing), and starts later children with that archive. Hadoop's client loads
     * thousands of classes; reading them from an archive saves most of a child's start-up. A JVM
     * that cannot make an archive makes none, and children start as before.
     */
    public static synchronized void prepareArchive(Class<?> main, String... args) throws IOException {
        if (archive != null) {
            return;
        }
        java.nio.file.Path dir = java.nio.file.Path.of("target", "child-jvm").toAbsolutePath();
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Path jar = dir.resolve("classes.jar");
        List<String> entries = new ArrayList<>();
        entries.add(jar.toString());
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(
                java.nio.file.Files.newOutputStream(jar))) {
            java.util.Set<String> names = new java.util.HashSet<>();
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                java.nio.file.Path path = java.nio.file.Path.of(entry);
                if (!java.nio.file.Files.isDirectory(path)) {
                    entries.add(entry);
                    continue;
                }
                try (var files = java.nio.file.Files.walk(path)) {
                    for (java.nio.file.Path file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                        String name = path.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                        if (names.add(name)) {
                            out.putNextEntry(new java.util.jar.JarEntry(name));
                            java.nio.file.Files.copy(file, out);
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        packedClassPath = String.join(java.io.File.pathSeparator, entries);
        java.nio.file.Path jsa = dir.resolve("children.jsa");
        java.nio.file.Files.deleteIfExists(jsa);
        try (Child child = start(List.of("-XX:ArchiveClassesAtExit=" + jsa), main, args)) {
            int exit = child.awaitExit(Duration.ofMinutes(3));
            if (exit == 0 && java.nio.file.Files.exists(jsa)) {
                archive = jsa;
            } else {
                System.err.println("child JVMs start without a class-data archive (exit " + exit + "): "
                        + child.stderr());
            }
        }
    }

    private static Child start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        if (jvmOptions.isEmpty() && archive != null) {
            command.add("-XX:SharedArchiveFile=" + archive);
        }
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
        command.add(packedClassPath != null ? packedClassPath : System.getProperty("java.class.path"));
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
