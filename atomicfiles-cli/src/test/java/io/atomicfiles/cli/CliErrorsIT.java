package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.testing.OtherUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command's failures through the real jar: the input, the exact line on standard error
 * and the exit code. The line names the user's file and the reason in plain words; never a temp
 * file, a Java class name or a library option name where a flag exists.
 */
class CliErrorsIT {
    private static final String SHA_A = "a".repeat(64);

    @TempDir
    static Path dir;

    @BeforeAll
    static void files() throws IOException {
        Files.writeString(dir.resolve("x.txt"), "hi\n");
        Files.writeString(dir.resolve("bad.json"), "{\"a\": 1,\n \"b\": }\n");
        Files.writeString(dir.resolve("bad.yaml"), "a: [1\nb: 2\n");
        Files.write(dir.resolve("latin1.txt"), new byte[] {'o', 'k', (byte) 0xE9});
        Files.writeString(dir.resolve("c.json"), "{\"port\": 1}\n");
        Files.writeString(dir.resolve("schema.json"), "{\"type\": \"object\", \"required\": [\"name\"]}");
        Files.writeString(dir.resolve("sums"), "f".repeat(64) + "  x.txt\nnot a checksum line\n");
        Files.writeString(dir.resolve("nosums"), "nothing here\n");
        Files.writeString(dir.resolve("plan.yaml"), "operations:\n  - write: a.txt\n    contnet: x\n");
        Files.writeString(dir.resolve("broken.audit"), "{\"not\": \"a trail\"}\n");
        Files.createDirectories(dir.resolve("folder"));
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                // usage errors: 2
                failure(2, "atomicfiles write: Invalid value for positional parameter at index 0 (FILE): the file name"
                        + " is empty (an unset variable?)", "write", ""),
                failure(2, "atomicfiles write: Invalid value for positional parameter at index 0 (FILE): 'new/' ends"
                        + " with '/', which names a folder: give a file name", "write", "new/", "--from", "x.txt"),
                failure(2, "atomicfiles merge: --json describes the file written; with -o - the merged document"
                        + " itself is the output", "merge", "c.json", "-o", "-", "--json"),
                failure(2, "atomicfiles write: --json and --quiet contradict each other: choose one", "-q", "write",
                        "y.txt", "--from", "x.txt", "--json"),
                // a precondition or a lost race: 3
                failure(3, "atomicfiles write: {dir}/x.txt already exists (--create-new); nothing written",
                        "write", "x.txt", "--create-new", "--from", "x.txt"),
                failure(3, "atomicfiles write: {dir}/x.txt has changed: its SHA-256 is"
                        + " 98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4, not " + SHA_A
                        + " (--expect-sha256); nothing written", "write", "x.txt", "--expect-sha256", SHA_A,
                        "--from", "x.txt"),
                failure(3, "atomicfiles write: {dir}/absent.txt does not exist, not " + SHA_A
                        + " (--expect-sha256); nothing written", "write", "absent.txt", "--expect-sha256", SHA_A,
                        "--from", "x.txt"),
                // rejected input: 4, parse errors in one line with line and column
                failure(4, "atomicfiles write: bad.json is not valid JSON at line 2, column 7: Unexpected character"
                        + " ('}' (code 125)): expected a value", "write", "out.json", "--from", "bad.json"),
                failure(4, "atomicfiles write: bad.yaml is not valid YAML at line 2, column 2: while parsing a flow"
                        + " sequence; expected ',' or ']', but got :", "write", "out.json", "--from", "bad.yaml"),
                failure(4, "atomicfiles merge: bad.yaml is not valid YAML at line 2, column 2: while parsing a flow"
                        + " sequence; expected ',' or ']', but got :", "merge", "bad.yaml", "-o", "m.json"),
                failure(4, "atomicfiles write: latin1.txt is not UTF-8 text: invalid byte sequence at byte 2 (use"
                        + " --format bytes to copy it as it is); out.txt was not written", "write", "out.txt",
                        "--format", "text", "--from", "latin1.txt"),
                failure(4, "atomicfiles update: c.json: cannot set port.x: port is a number (1), not an object;"
                        + " nothing written", "update", "c.json", "--set", "port.x=1"),
                failure(4, "atomicfiles write: {dir}/out.json: rejected by its schema, nothing written (1 violation):\n"
                        + "  $: required property 'name' not found", "write", "out.json", "--from", "c.json",
                        "--schema", "schema.json"),
                failure(4, "atomicfiles tx apply: plan.yaml: operation 1 (line 2, write a.txt): unknown key 'contnet'"
                        + " (a write takes content, text or from, and optionally schema and format)",
                        "tx", "apply", "plan.yaml", "--root", "."),
                failure(4, "atomicfiles verify: nosums: no SHA-256 checksum line found (expected sha256sum's output:"
                        + " '<64 hex digits>  FILE' or '<64 hex digits> *FILE')", "verify", "-c", "nosums"),
                // integrity: 5
                failure(5, "atomicfiles audit verify: {dir}/broken.audit line 1: not a sealed audit record"
                        + " (incomplete, or its end was edited)", "audit", "verify", "broken.audit"),
                // everything else: 1, nothing changed
                failure(1, "atomicfiles write: no such file: missing.txt (--from names a file that does not exist)",
                        "write", "out.bin", "--from", "missing.txt"),
                failure(1, "atomicfiles write: write {dir}/folder failed: the target is a folder, not a file",
                        "write", "folder",
                        "--from", "x.txt"),
                failure(1, "atomicfiles verify: x.txt: SHA-256 mismatch: expected " + SHA_A + " (--expect-sha256),"
                        + " found 98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4",
                        "verify", "x.txt", "--expect-sha256", SHA_A),
                failure(1, "atomicfiles verify: sums: 1 line is not a checksum line (skipped)\n"
                        + "atomicfiles verify: 1 computed checksum did NOT match", "verify", "-c", "sums"),
                failure(1, "atomicfiles backups list: no such folder: nodir (DIR names a folder that does not exist)",
                        "backups", "list", "nodir"),
                failure(1, "atomicfiles sweep: no such folder: nodir (DIR names a folder that does not exist)",
                        "sweep", "nodir"),
                failure(1, "atomicfiles audit show: no such file: none.audit (no audit trail: neither it nor a"
                        + " rotated none.audit.1 exists)", "audit", "show", "none.audit"));
    }

    private static Arguments failure(int exitCode, String stderr, String... args) {
        return Arguments.of(String.join(" ", args), exitCode, stderr, args);
    }

    @ParameterizedTest(name = "atomicfiles {0}")
    @MethodSource("failures")
    void oneLineInPlainWordsAndTheExitCodeThatSaysWhatHappened(String shown, int exitCode, String stderr,
            String[] args) throws Exception {
        JarRun.Result result = JarRun.jar().in(dir).run(args);
        String expected = stderr.replace("{dir}", dir.toString());
        List<String> lines = new ArrayList<>(result.err().lines().toList());
        if (exitCode == Main.USAGE) {
            // picocli's pointer to help, under the one line
            assertThat(lines.get(lines.size() - 1)).as(result.toString()).startsWith("Try 'atomicfiles ")
                    .endsWith(" --help' for more information.");
            lines.remove(lines.size() - 1);
        }
        assertThat(String.join("\n", lines)).as(result.toString()).isEqualTo(expected);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
        assertThat(result.err()).doesNotContain("Exception", ".tmp-", "createNew", "expectedChecksum", "\tat ");
    }

    /** A folder the user may not write: the reason, and the folder, not the temp file that could not be made. */
    @Test
    void permissionDeniedNamesTheFolderNotTheTempFile() throws Exception {
        OtherUser user = OtherUser.getOrSkip("af-cli-errors");
        Path shared = OtherUser.shared(dir.resolve("shared"), "0777");
        Path readOnly = Files.createDirectories(shared.resolve("ro"));
        OtherUser.chmod(readOnly, "0555");
        Path state = OtherUser.shared(dir.resolve("state-of-" + user.name()), "0777");
        Files.writeString(shared.resolve("in.txt"), "content\n");

        JarRun.Result result = JarRun.jar().as(user.commandPrefix()).env("ATOMICFILES_STATE_DIR", state.toString())
                .run("write", readOnly.resolve("a.txt").toString(), "--from", shared.resolve("in.txt").toString());

        assertThat(result.err()).as(result.toString())
                .isEqualTo("atomicfiles write: permission denied: cannot create files in " + readOnly
                        + " (the first would be its lock file .atomicfiles.lock)\n");
        assertThat(result.exitCode()).isEqualTo(Main.FAILED);
        try (Stream<Path> left = Files.list(readOnly)) {
            assertThat(left).isEmpty();
        }
    }

    /**
     * No state folder can be made (a user without a writable home): a write needs none (its lock
     * is in the file's folder), and a command that needs journals says it is the state folder, and
     * how to move it.
     */
    @Test
    void anUnwritableStateFolderSaysSoAndHowToMoveIt() throws Exception {
        OtherUser user = OtherUser.getOrSkip("af-cli-errors");
        Path shared = OtherUser.shared(dir.resolve("shared-home"), "0777");
        Path home = Files.createDirectories(dir.resolve("root-owned-home"));
        OtherUser.shared(home, "0755");
        Files.writeString(shared.resolve("in.txt"), "content\n", StandardCharsets.UTF_8);

        JarRun.Result write = JarRun.jar().as(user.commandPrefix()).without("ATOMICFILES_STATE_DIR")
                .without("XDG_STATE_HOME").jvm("-Duser.home=" + home)
                .run("write", shared.resolve("out.txt").toString(), "--from", shared.resolve("in.txt").toString());
        JarRun.Result recover = JarRun.jar().as(user.commandPrefix()).without("ATOMICFILES_STATE_DIR")
                .without("XDG_STATE_HOME").jvm("-Duser.home=" + home).run("recover");

        assertThat(write.exitCode()).as(write.toString()).isZero();
        assertThat(shared.resolve("out.txt")).hasContent("content");
        Path state = home.resolve(".local/state/atomicfiles");
        assertThat(recover.err()).as(recover.toString()).isEqualTo("atomicfiles recover: cannot use the state folder "
                + state + " (permission denied): atomicfiles keeps its journals there; point"
                + " ATOMICFILES_STATE_DIR at a folder you can write, such as export"
                + " ATOMICFILES_STATE_DIR=/tmp/atomicfiles-$USER\n");
        assertThat(recover.exitCode()).isEqualTo(Main.FAILED);
    }
}
