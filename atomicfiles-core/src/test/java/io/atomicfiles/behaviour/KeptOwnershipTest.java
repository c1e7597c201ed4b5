package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.testing.ChildJvm;
import io.atomicfiles.testing.OtherUser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rewrite never widens who may read a file. When another user rewrites a file (in a folder
 * they may write to), the new file is theirs: the old owner cannot be kept, and the old group
 * only if they belong to it. Then the group's permission bits keep only what everyone else was
 * allowed anyway: a {@code root:secret 0640} file rewritten by bob becomes {@code bob:bob 0600},
 * never readable by bob's group.
 */
class KeptOwnershipTest {
    private static final String GROUP = "af-wp-secret";

    @TempDir
    Path dir;

    private OtherUser bob;
    private Path folder;
    private Path state;

    @BeforeEach
    void aFolderBobMayWriteTo() throws IOException, InterruptedException {
        bob = OtherUser.getOrSkip("af-wp-bob");
        createGroupOrSkip(GROUP);
        folder = OtherUser.shared(dir.resolve("shared"), "0777");
        state = OtherUser.shared(dir.resolve("state-of-bob"), "0700");
        bob.chown(state);
    }

    @Test
    void aSecretGroupIsNotHandedToTheWritersGroup() throws Exception {
        Path file = rootsFile("app.conf", "rw-r-----");

        assertThat(writeAsBob(file, "bob's settings")).isEqualTo("wrote");

        assertThat(Files.readString(file)).isEqualTo("bob's settings");
        assertThat(ownerOf(file)).isEqualTo(bob.uid());
        assertThat(groupOf(file)).as("bob cannot give the file the group secret").isEqualTo(bob.gid());
        assertThat(modeOf(file)).as("bob's group gains nothing: the group bits go").isEqualTo("rw-------");
    }

    @Test
    void groupBitsKeepWhatEveryoneElseWasAllowed() throws Exception {
        Path file = rootsFile("motd", "rw-rw-r--");

        assertThat(writeAsBob(file, "hello")).isEqualTo("wrote");

        assertThat(groupOf(file)).isEqualTo(bob.gid());
        assertThat(modeOf(file)).as("group write went (others had none), group read stayed (others had it)")
                .isEqualTo("rw-r--r--");
    }

    /** A file of root and the group secret, with {@code mode}. */
    private Path rootsFile(String name, String mode) throws IOException, InterruptedException {
        Path file = Files.writeString(folder.resolve(name), "root's");
        exec("chown", "root:" + GROUP, file.toString());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    /** bob rewrites {@code file} (no backup: bob may not read root's file to keep it). */
    private String writeAsBob(Path file, String text) throws IOException {
        try (ChildJvm child = ChildJvm.builder(WriterChild.class).asUser(bob, state).quickStart()
                .args("write", file.toString(), text, "no-backup").start()) {
            String line = child.readLine(Duration.ofSeconds(120));
            child.awaitExit(Duration.ofSeconds(60));
            return line;
        }
    }

    private static int ownerOf(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int groupOf(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    private static String modeOf(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    }

    /** The group {@code name}, made with groupadd when missing; the test is skipped where that is impossible. */
    private static void createGroupOrSkip(String name) throws IOException, InterruptedException {
        if (exec("getent", "group", name) == 0) {
            return;
        }
        int added = exec("groupadd", "-r", name);
        // 9: made meanwhile by another test JVM.
        Assumptions.assumeTrue(added == 0 || added == 9, "skipped: cannot create the group " + name + " (groupadd)");
    }

    private static int exec(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        try (InputStream out = process.getInputStream()) {
            String output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish");
            }
            if (process.exitValue() != 0 && !command[0].equals("getent") && !command[0].equals("groupadd")) {
                throw new IOException(String.join(" ", command) + ": " + output);
            }
            return process.exitValue();
        }
    }
}
