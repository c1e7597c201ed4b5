package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command as a shell user meets it: the launcher {@code bin/atomicfiles} (with the build's
 * class-data-sharing archive, and without it on a JDK that refuses it), the progress bar in a
 * real pseudo-terminal (and its absence everywhere else), the completion script and man pages the
 * build generated.
 */
class CliShellIT {
    private static final Path TARGET = JarRun.JAR.getParent();
    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @TempDir
    Path dir;

    /** Runs a shell command line, standard error into standard output. */
    private static String shell(Path workDir, String commandLine) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sh", "-c", commandLine).directory(workDir.toFile())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return output;
    }

    private static boolean have(String program) throws IOException, InterruptedException {
        return new ProcessBuilder("sh", "-c", "command -v " + program).start().waitFor() == 0;
    }

    @Test
    void theLauncherRunsTheJarWithTheBuildsArchivePassingExitCodesThrough() throws Exception {
        assertThat(TARGET.resolve("atomicfiles.jsa")).exists();
        assertThat(Files.readString(TARGET.resolve("atomicfiles.jsa.jdk")).strip())
                .isEqualTo(System.getProperty("java.runtime.version"));
        // -Xshare:on makes the JVM fail unless it can use the archive: so it is valid, and used.
        JarRun.Result version = JarRun.launcher().env("JAVA_HOME", System.getProperty("java.home"))
                .jvm("-Xshare:on").run("--version");
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.out()).startsWith("atomicfiles 0.");
        assertThat(version.err()).isEmpty();

        Files.writeString(dir.resolve("in.txt"), "1 KiB or so\n");
        JarRun.Result write = JarRun.launcher().in(dir).run("write", "out.txt", "--from", "in.txt", "--create-new");
        assertThat(write.exitCode()).as(write.toString()).isZero();
        JarRun.Result again = JarRun.launcher().in(dir).run("write", "out.txt", "--from", "in.txt", "--create-new");
        assertThat(again.exitCode()).isEqualTo(Main.CONFLICT);
        assertThat(JarRun.launcher().run("write").exitCode()).isEqualTo(Main.USAGE);
    }

    /**
     * The build raises picocli's Java 5 class files to Java 8 (ClassFileUpgrade), so that the
     * archive holds them verified: a write through the launcher verifies none of them at run time
     * (before, it verified 140 on every run, with the old verifier).
     */
    @Test
    void theArchiveHoldsPicocliVerifiedSoARunVerifiesNoneOfIt() throws Exception {
        Path log = dir.resolve("verification.log");
        Files.writeString(dir.resolve("in.bin"), "1 KiB or so\n");
        JarRun.Result write = JarRun.launcher().in(dir).env("JAVA_HOME", System.getProperty("java.home"))
                .jvm("-Xshare:on", "-Xlog:verification=info:file=" + log)
                .run("write", "out.bin", "--from", "in.bin", "--no-backup");
        assertThat(write.exitCode()).as(write.toString()).isZero();
        assertThat(dir.resolve("out.bin")).hasContent("1 KiB or so");
        assertThat(Files.readString(log)).doesNotContain("Verifying class picocli.");
        try (var jar = new java.util.zip.ZipFile(JarRun.JAR.toFile())) {
            byte[] commandLine = jar.getInputStream(jar.getEntry("picocli/CommandLine.class")).readAllBytes();
            assertThat((commandLine[6] & 0xff) << 8 | (commandLine[7] & 0xff)).as("class-file version").isEqualTo(52);
            assertThat(jar.getEntry("META-INF/atomicfiles/CHANGED-CLASS-FILES.txt")).as("the notice of the change").isNotNull();
        }
    }

    /** As README says to put it on PATH: a symbolic link to it, from anywhere. */
    @Test
    void theLauncherWorksThroughASymbolicLinkOnThePath() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("atomicfiles"), JarRun.LAUNCHER);
        String output = shell(dir, "PATH=" + bin + ":$PATH ATOMICFILES_STATE_DIR=" + JarRun.STATE
                + " atomicfiles --version");
        assertThat(output).startsWith("atomicfiles 0.");
        Files.delete(bin.resolve("atomicfiles"));
    }

    /** Another JDK refuses the archive (it is for the build's JDK only): the command runs as well, and says nothing of it. */
    @Test
    void anotherJdkRunsSilentlyWithoutTheBuildsArchive() throws Exception {
        boolean other = Files.isExecutable(JDK_25.resolve("bin/java"))
                && !JDK_25.toRealPath().equals(Path.of(System.getProperty("java.home")).toRealPath());
        if (!other) {
            System.out.println("skipped: no second JDK at " + JDK_25);
        }
        assumeTrue(other, "a second JDK");
        Path cache = dir.resolve("cache");
        for (int run = 1; run <= 2; run++) { // the first makes the JDK's own archive, the second uses it
            JarRun.Result version = JarRun.launcher().env("JAVA_HOME", JDK_25.toString())
                    .env("XDG_CACHE_HOME", cache.toString()).run("--version");
            assertThat(version.exitCode()).as(version.toString()).isZero();
            assertThat(version.out()).contains("Java 25");
            assertThat(version.err()).isEmpty();
        }
        try (var made = Files.list(cache.resolve("atomicfiles"))) {
            assertThat(made.map(p -> p.getFileName().toString())).singleElement().asString().startsWith("atomicfiles-25");
        }
        // And the build's archive, forced on the other JDK, is refused quietly too.
        JarRun.Result forced = JarRun.jar().jvm("-Xshare:auto", "-XX:SharedArchiveFile=" + TARGET.resolve("atomicfiles.jsa"),
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off").run("--version");
        assertThat(forced.exitCode()).isZero();
    }

    /** A large write and a transaction in a real pseudo-terminal (script(1)), standard input a file: a bar on standard error. */
    @Test
    void theBarShowsWhenStandardErrorIsATerminalWhateverStandardInputIs() throws Exception {
        assumeTrue(have("script"), "script(1) from util-linux");
        Files.write(dir.resolve("big.bin"), new byte[8 << 20]);
        Files.writeString(dir.resolve("plan.yaml"), "operations:\n  - copy: big.bin\n    to: tx/a.bin\n"
                + "  - write: tx/b.txt\n    text: b\n");
        for (String command : List.of(JarRun.LAUNCHER.toString(), JarRun.JAVA + " -jar " + JarRun.JAR)) {
            String base = "ATOMICFILES_STATE_DIR=" + JarRun.STATE + " " + command;
            String write = shell(dir, "script -q -e -c 'stty cols 100; " + base
                    + " write out.bin --from big.bin < /dev/null' /dev/null");
            assertThat(write).as(command).contains("\rwrite out.bin  ").contains(" 8.0/8.0 MiB")
                    .containsPattern("100% \\[#{20}\\] 8\\.0/8\\.0 MiB  [0-9.]+ [KMG]iB/s  done in \\d+:\\d\\d")
                    .contains("wrote " + dir.resolve("out.bin") + ": 8388608 bytes");
            String tx = shell(dir, "script -q -e -c 'stty cols 100; " + base
                    + " tx apply plan.yaml --no-backup < /dev/null' /dev/null");
            assertThat(tx).as(command).contains("\rtransaction ").contains("/8.0 MiB").contains("done in ")
                    .contains("committed: 2 operations");
            Files.delete(dir.resolve("out.bin"));
            deleteTree(dir.resolve("tx"));
        }
    }

    @Test
    void noBarWhenStandardErrorIsNotATerminal() throws Exception {
        Files.write(dir.resolve("big.bin"), new byte[8 << 20]);
        JarRun.Result viaLauncher = JarRun.launcher().in(dir).run("write", "out.bin", "--from", "big.bin");
        JarRun.Result viaJar = JarRun.jar().in(dir).run("write", "out2.bin", "--from", "big.bin");
        assertThat(viaLauncher.err()).as(viaLauncher.toString()).isEmpty();
        assertThat(viaJar.err()).as(viaJar.toString()).isEmpty();
        if (have("script")) {
            // Standard output on the terminal, standard error to a file: still no bar.
            shell(dir, "script -q -e -c 'ATOMICFILES_STATE_DIR=" + JarRun.STATE + " " + JarRun.LAUNCHER
                    + " write out3.bin --from big.bin 2> err.txt' /dev/null");
            assertThat(dir.resolve("err.txt")).isEmptyFile();
            assertThat(dir.resolve("out3.bin")).hasSize(8 << 20);
        }
    }

    @Test
    void bashCompletionFromTheBuildCompletesCommandsAndOptions() throws Exception {
        Path script = TARGET.resolve("completion/atomicfiles.bash");
        assertThat(script).exists();
        assumeTrue(have("bash"), "bash");
        String complete = "source " + script + "; COMP_WORDS=(atomicfiles %s); COMP_CWORD=%d;"
                + " _complete_atomicfiles; printf '%%s\\n' \"${COMPREPLY[@]}\"";
        String commands = shell(dir, "bash -c " + quote(String.format(complete, "wr", 1)));
        assertThat(commands.lines()).contains("write");
        String options = shell(dir, "bash -c " + quote(String.format(complete, "write --create", 2)));
        assertThat(options.lines()).contains("--create-new");
        String sub = shell(dir, "bash -c " + quote(String.format(complete, "backups l", 2)));
        assertThat(sub.lines()).contains("list");
        if (have("zsh")) {
            String zsh = shell(dir, "zsh -c " + quote("autoload -U +X compinit && compinit -u; source " + script
                    + " && echo loaded"));
            assertThat(zsh).contains("loaded");
        }
    }

    @Test
    void manPagesFromTheBuildDescribeEveryCommand() throws Exception {
        Path man = TARGET.resolve("man/man1");
        for (String page : List.of("atomicfiles", "atomicfiles-write", "atomicfiles-verify", "atomicfiles-tx-apply",
                "atomicfiles-backups-list", "atomicfiles-sweep", "atomicfiles-audit-verify")) {
            Path file = man.resolve(page + ".1");
            assertThat(file).exists();
            assertThat(Files.readString(file)).contains(".TH \"" + page.toUpperCase().replace("-", "\\-") + "\" \"1\"");
        }
        if (have("man")) {
            String shown = shell(dir, "MANWIDTH=100 man -l " + man.resolve("atomicfiles-write.1") + " | cat");
            assertThat(shown).contains("--create-new").contains("--expect-sha256").contains("EXIT CODES");
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
