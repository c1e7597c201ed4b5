package io.atomicfiles.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The second-user harness itself: its children really run as that user. */
class OtherUserTest {
    @TempDir
    Path dir;

    /** {@code Probe FILE CONTENT}: tries to write FILE, prints "wrote" or "denied". */
    public static final class Probe {
        public static void main(String[] args) throws IOException {
            try {
                Files.writeString(Path.of(args[0]), args[1]);
                System.out.println("wrote");
            } catch (AccessDeniedException e) {
                System.out.println("denied");
            }
        }
    }

    @Test
    void aChildAsTheOtherUserIsRefusedRootOnlyFilesAndMayWriteASharedFolder() throws Exception {
        OtherUser user = OtherUser.getOrSkip("af-tester");
        Path shared = OtherUser.stickyShared(dir.resolve("shared"));
        Path rootOnly = Files.writeString(shared.resolve("root-only.txt"), "root's");
        OtherUser.chmod(rootOnly, "0600");
        Path state = OtherUser.shared(dir.resolve("state-of-other"), "0700");
        user.chown(state);

        try (ChildJvm child = ChildJvm.builder(Probe.class).asUser(user, state)
                .args(rootOnly.toString(), "theirs").start()) {
            assertThat(child.readLine(Duration.ofSeconds(60))).isEqualTo("denied");
        }
        try (ChildJvm child = ChildJvm.builder(Probe.class).asUser(user, state)
                .args(shared.resolve("theirs.txt").toString(), "theirs").start()) {
            assertThat(child.readLine(Duration.ofSeconds(60))).isEqualTo("wrote");
        }
        assertThat(rootOnly).hasContent("root's");
        assertThat(Files.getOwner(shared.resolve("theirs.txt")).getName()).isEqualTo("af-tester");
    }
}
