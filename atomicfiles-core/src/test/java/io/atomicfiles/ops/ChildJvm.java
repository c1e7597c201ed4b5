package io.atomicfiles.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running one of the test classes' {@code main}, on the test classpath and with
 * the same state folder (where the cross-process lock files live) as this JVM.
 *
 * <p>Protocol: the child prints {@code ready} when it is set up, then waits for the go-file to
 * appear before it starts working, so that both processes really run at the same time.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Path goFile;

    private ChildJvm(Process process, Path goFile) {
        this.process = process;
        this.goFile = goFile;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code main}'s class with {@code goFile} as its first argument, then {@code args}. */
    static ChildJvm start(Class<?> main, Path goFile, String... args) throws IOException {
        String stateDir = System.getProperty("atomicfiles.stateDir");
        if (stateDir == null) {
            throw new IllegalStateException("atomicfiles.stateDir is not set; run the tests through Maven");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Datomicfiles.stateDir=" + stateDir,
                main.getName(), goFile.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("ATOMICFILES_STATE_DIR", stateDir);
        return new ChildJvm(builder.start(), goFile);
    }

    /** Waits until the child is set up, then lets it (and whoever watches the go-file) start. */
    void awaitReadyThenGo() throws IOException {
        String line = out.readLine();
        if (!"ready".equals(line)) {
            throw new IllegalStateException("child did not report ready, said: " + line);
        }
        Files.writeString(goFile, "go");
    }

    /** Waits for the child to end and returns its exit code. */
    int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("child JVM did not finish within " + limit);
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** For children: announce readiness, then wait for the parent's go-file. */
    static void readyAndWait(Path goFile) throws InterruptedException {
        System.out.println("ready");
        System.out.flush();
        while (!Files.exists(goFile)) {
            Thread.sleep(2);
        }
    }
}
