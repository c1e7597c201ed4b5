package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: {@code java -jar target/atomicfiles.jar}, as README tells users to run it.
 * Runs in the integration-test phase (after the shaded jar is built), under {@code mvn verify}.
 */
class CliJarIT {
    private static final Path JAR = Path.of(System.getProperty("atomicfiles.jar", "target/atomicfiles.jar"));
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @TempDir
    Path dir;

    private record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /** Runs the jar with the test state folder, as every child JVM of the tests must. */
    private Result jar(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(),
                "-Datomicfiles.stateDir=" + System.getProperty("atomicfiles.stateDir", dir.resolve("state").toString()),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return start(new ProcessBuilder(command), stdin);
    }

    private Result start(ProcessBuilder builder, String stdin) throws Exception {
        Path out = dir.resolve("stdout-" + System.nanoTime());
        Path err = dir.resolve("stderr-" + System.nanoTime());
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("atomicfiles.jar did not finish: " + builder.command());
        }
        Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    @Test
    void writeFromAPipeThenVerifyIt() throws Exception {
        Path app = dir.resolve("conf/app.json");
        Result write = jar("name: api\nport: 8080\n", "write", app.toString(), "--input-format", "yaml");
        assertThat(write.exitCode()).as(write.toString()).isZero();
        assertThat(Files.readString(app)).isEqualTo("{\n  \"name\": \"api\",\n  \"port\": 8080\n}\n");
        String sha = write.out().replaceAll("(?s).*sha256 ([0-9a-f]{64}).*", "$1");

        Result verify = jar("", "verify", app.toString(), "--expect-sha256", sha);
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.out().trim()).isEqualTo(sha + "  " + app);

        Result mismatch = jar("", "verify", app.toString(), "--expect-sha256", "f".repeat(64));
        assertThat(mismatch.exitCode()).as(mismatch.toString()).isEqualTo(1);
        assertThat(mismatch.err()).contains("SHA-256 mismatch");
    }

    @Test
    void failuresAreOneLineWithoutAStackTraceAndUsageErrorsExitTwo() throws Exception {
        Result failure = jar("x", "write", dir.toString());
        assertThat(failure.exitCode()).as(failure.toString()).isEqualTo(1);
        assertThat(failure.err().lines()).hasSize(1);
        assertThat(failure.err()).contains(dir.toString()).doesNotContain("\tat ");

        Result usage = jar("", "write");
        assertThat(usage.exitCode()).as(usage.toString()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required parameter: 'FILE'").doesNotContain("\tat ");
    }

    @Test
    void txApplyAPlanThenRecoverFindsNothing() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path journal = dir.resolve("journal");
        Files.writeString(root.resolve("old.txt"), "old\n");
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, "operations:\n"
                + "  - write: conf/app.json\n    content: {port: 8080}\n"
                + "  - delete: old.txt\n");

        Result dryRun = jar("", "tx", "apply", plan.toString(), "--root", root.toString(), "--journal-dir",
                journal.toString(), "--dry-run");
        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(root.resolve("conf")).doesNotExist();

        Result apply = jar("", "tx", "apply", plan.toString(), "--root", root.toString(), "--journal-dir",
                journal.toString());
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.err()).isEmpty();
        assertThat(Files.readString(root.resolve("conf/app.json"))).isEqualTo("{\n  \"port\": 8080\n}\n");
        assertThat(Files.readString(root.resolve("old.txt.deleted_backup"))).isEqualTo("old\n");

        Result recover = jar("", "recover", "--journal-dir", journal.toString());
        assertThat(recover.exitCode()).as(recover.toString()).isZero();
        assertThat(recover.out()).startsWith("nothing to recover in ");
    }

    /** Help starts with its first line of text, no blank line above it; and lists the exit codes. */
    @Test
    void helpStartsWithItsFirstLineAndListsTheExitCodes() throws Exception {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"write", "--help"},
                new String[] {"tx", "apply", "--help"}, new String[] {"backups", "list", "--help"})) {
            Result help = jar("", args);
            assertThat(help.exitCode()).as(help.toString()).isZero();
            assertThat(help.out()).as(help.toString()).doesNotStartWith("\n").doesNotStartWith(" ")
                    .contains("Exit codes");
        }
        assertThat(jar("", "--help").out()).contains("3   a precondition failed", "4   the input was rejected",
                "5   an integrity check failed");
    }

    @Test
    void versionComesFromTheBuild() throws Exception {
        Result version = jar("", "--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("atomicfiles 0.").contains("Java ");
    }

    /**
     * The demo as a new user runs it: no state folder configured. Home and XDG_STATE_HOME point
     * into the test's temp folder, so even a demo that got this wrong could not touch a real home;
     * the demo must put its state folder inside its own temp folder and leave both untouched.
     */
    @Test
    void demoRunsGreenKeepsItsStateInItsOwnFolderAndCleansUp() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Path xdg = Files.createDirectory(dir.resolve("xdg"));
        ProcessBuilder builder = new ProcessBuilder(JAVA.toString(), "-Duser.home=" + home, "-jar", JAR.toString(),
                "demo");
        Map<String, String> environment = builder.environment();
        environment.remove("ATOMICFILES_STATE_DIR");
        environment.put("HOME", home.toString());
        environment.put("XDG_STATE_HOME", xdg.toString());

        Result demo = start(builder, "");

        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        assertThat(demo.out()).contains("scenes passed.").doesNotContain("[FAILED]");
        assertThat(demo.err()).as("nothing on standard error: logging is at warn").isEmpty();
        Path folder = Path.of(demo.out().lines().filter(l -> l.startsWith("demo folder:")).findFirst().orElseThrow()
                .substring("demo folder:".length()).trim());
        assertThat(demo.out()).contains("state folder: " + folder.resolve("state"));
        assertThat(folder).doesNotExist();
        try (Stream<Path> inHome = Files.list(home); Stream<Path> inXdg = Files.list(xdg)) {
            assertThat(inHome).isEmpty();
            assertThat(inXdg).isEmpty();
        }
    }
}
