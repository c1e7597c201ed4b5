package io.atomicfiles.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real thing for the *IT tests: {@code java -jar target/atomicfiles.jar} (or the launcher
 * {@code bin/atomicfiles}), with the test's state folder, standard input given, and standard
 * output and error captured apart.
 */
final class JarRun {
    static final Path JAR = Path.of(System.getProperty("atomicfiles.jar", "target/atomicfiles.jar")).toAbsolutePath();
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    static final Path LAUNCHER = JAR.getParent().getParent().getParent().resolve("bin/atomicfiles");
    static final Path STATE = Path.of(System.getProperty("atomicfiles.stateDir", "target/test-state")).toAbsolutePath();

    /** What one run did. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private final List<String> prefix = new ArrayList<>();
    private final List<String> jvm = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> unset = new ArrayList<>();
    private Path workDir;
    private String stdin = "";
    private boolean launcher;

    static JarRun jar() {
        return new JarRun();
    }

    /** Through {@code bin/atomicfiles} instead of {@code java -jar}. */
    static JarRun launcher() {
        JarRun run = new JarRun();
        run.launcher = true;
        return run;
    }

    JarRun as(List<String> commandPrefix) {
        prefix.addAll(commandPrefix);
        return this;
    }

    JarRun jvm(String... options) {
        jvm.addAll(List.of(options));
        return this;
    }

    JarRun env(String name, String value) {
        env.put(name, value);
        return this;
    }

    JarRun without(String name) {
        unset.add(name);
        return this;
    }

    JarRun in(Path folder) {
        this.workDir = folder;
        return this;
    }

    JarRun stdin(String input) {
        this.stdin = input;
        return this;
    }

    Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        if (launcher) {
            command.add(LAUNCHER.toString());
        } else {
            command.add(JAVA.toString());
            command.addAll(jvm);
            command.add("-jar");
            command.add(JAR.toString());
        }
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("ATOMICFILES_STATE_DIR", STATE.toString());
        if (launcher && !jvm.isEmpty()) {
            builder.environment().put("ATOMICFILES_JAVA_OPTS", String.join(" ", jvm));
        }
        unset.forEach(builder.environment()::remove);
        builder.environment().putAll(env);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        Path out = Files.createTempFile("atomicfiles-it-out-", ".txt");
        Path err = Files.createTempFile("atomicfiles-it-err-", ".txt");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the command exited without reading its input
            }
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("did not finish: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
