package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
    /** sha256("hello\n"), as sha256sum prints it. */
    private static final String HELLO = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path hello;

    @BeforeEach
    void files() throws IOException {
        hello = dir.resolve("hello.txt");
        Files.writeString(hello, "hello\n");
    }

    @Test
    void printsTheSha256LikeSha256sum() {
        Cli.Run run = Cli.run("verify", hello.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(HELLO + "  " + hello + NL);
        assertThat(run.err()).isEmpty();
    }

    @Test
    void matchingExpectedSha256ExitsZeroInAnyCase() {
        Cli.Run run = Cli.run("verify", hello.toString(), "--expect-sha256", HELLO.toUpperCase());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
    }

    @Test
    void mismatchExitsOneWithBothChecksumsOnStderr() {
        String other = "0".repeat(64);
        Cli.Run run = Cli.run("verify", hello.toString(), "--expect-sha256", other);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(HELLO + "  " + hello + NL);
        assertThat(run.err()).isEqualTo("atomicfiles verify: " + hello + ": SHA-256 mismatch: expected " + other
                + " (--expect-sha256), found " + HELLO + NL);
    }

    @Test
    void againstComparesWithAnotherFile() throws IOException {
        Path same = dir.resolve("same.txt");
        Path different = dir.resolve("different.txt");
        Files.writeString(same, "hello\n");
        Files.writeString(different, "hello!\n");
        assertThat(Cli.run("verify", hello.toString(), "--against", same.toString()).exitCode()).isZero();
        Cli.Run mismatch = Cli.run("verify", hello.toString(), "--against", different.toString());
        assertThat(mismatch.exitCode()).isEqualTo(1);
        assertThat(mismatch.err()).contains("(" + different + ")");
    }

    @Test
    void everyFileIsHashedAndAMissingOneFailsTheRun() {
        Path missing = dir.resolve("missing.txt");
        Cli.Run run = Cli.run("verify", missing.toString(), hello.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(HELLO + "  " + hello + NL);
        assertThat(run.err()).isEqualTo("atomicfiles verify: no such file: " + missing + NL);
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(Cli.run("verify").exitCode()).isEqualTo(2);
        assertThat(Cli.run("verify", hello.toString(), "--expect-sha256", "xyz").exitCode()).isEqualTo(2);
        Cli.Run both = Cli.run("verify", hello.toString(), "--expect-sha256", HELLO, "--against", hello.toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
    }
}
