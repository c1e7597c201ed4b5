package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.internal.ScriptedTempNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker who can write to the target's folder plants a symbolic link at the temp name the
 * write will use, pointing at a file of the victim's. The temp file is created with
 * {@code CREATE_NEW} ({@code O_EXCL}): the link is never followed, the victim's file never
 * written, and the write goes ahead under a fresh name.
 */
class PlantedSymlinkTest {
    private static final String FIRST = "aaaaaaaaaaaa";
    private static final String SECOND = "bbbbbbbbbbbb";

    @TempDir
    Path dir;

    private Path work;
    private Path victim;

    @BeforeEach
    void plantVictim() throws IOException {
        work = Files.createDirectory(dir.resolve("work"));
        victim = Files.writeString(Files.createDirectory(dir.resolve("home")).resolve("secret.txt"), "victim's data");
    }

    @Test
    void linkAtTheTempNameIsNotFollowedAndAFreshNameIsUsed() throws IOException {
        Path target = Files.writeString(work.resolve("config.txt"), "old");
        Path planted = Files.createSymbolicLink(work.resolve(ScriptedTempNames.tempName("config.txt", FIRST)), victim);
        Path fresh = work.resolve(ScriptedTempNames.tempName("config.txt", SECOND));

        try (ScriptedTempNames names = ScriptedTempNames.next(FIRST, SECOND)) {
            AtomicFiles.write(target, WriteOptions.defaults(), w -> {
                w.writeText("new content");
                // The write in progress uses the second name, as a regular file of its own.
                assertThat(Files.isRegularFile(fresh, LinkOption.NOFOLLOW_LINKS)).isTrue();
                assertThat(Files.isSymbolicLink(planted)).isTrue();
            });
        }

        assertThat(Files.readString(victim)).isEqualTo("victim's data");
        assertThat(Files.readString(target)).isEqualTo("new content");
        assertThat(Files.readString(work.resolve("config.txt.backup"))).isEqualTo("old");
        assertThat(Files.exists(fresh, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.isSymbolicLink(planted)).as("someone else's link is left alone").isTrue();
        assertThat(Folders.names(work)).containsExactlyInAnyOrder("config.txt", "config.txt.backup",
                planted.getFileName().toString());
    }

    @Test
    void danglingLinkAtTheTempNameDoesNotCreateItsTarget() throws IOException {
        Path wouldBeCreated = dir.resolve("home/created-by-attacker.txt");
        Path target = work.resolve("new.txt");
        Files.createSymbolicLink(work.resolve(ScriptedTempNames.tempName("new.txt", FIRST)), wouldBeCreated);

        try (ScriptedTempNames names = ScriptedTempNames.next(FIRST)) {
            AtomicFiles.writeText(target, "mine");
        }

        assertThat(Files.exists(wouldBeCreated, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.readString(target)).isEqualTo("mine");
    }

    @Test
    void linkAtTheBackupTempNameIsNotFollowedEither() throws IOException {
        // The backup is made under a temp name too (then renamed to NAME.backup).
        Path target = Files.writeString(work.resolve("data.txt"), "old");
        String tempOfWrite = "cccccccccccc";
        Files.createSymbolicLink(work.resolve(ScriptedTempNames.tempName("data.txt.backup", FIRST)), victim);

        try (ScriptedTempNames names = ScriptedTempNames.next(tempOfWrite, FIRST)) {
            AtomicFiles.writeText(target, "new");
        }

        assertThat(Files.readString(victim)).isEqualTo("victim's data");
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(Files.readString(work.resolve("data.txt.backup"))).isEqualTo("old");
        assertThat(Folders.tempFilesIn(work)).as("someone else's link is neither followed nor deleted")
                .extracting(p -> p.getFileName().toString())
                .containsExactly(ScriptedTempNames.tempName("data.txt.backup", FIRST));
    }

    @Test
    void whenEveryNameIsTakenTheWriteFailsClearlyAndTouchesNothing() throws IOException {
        Path target = Files.writeString(work.resolve("busy.txt"), "old");
        Files.createSymbolicLink(work.resolve(ScriptedTempNames.tempName("busy.txt", FIRST)), victim);
        String[] alwaysTheSame = new String[64];
        java.util.Arrays.fill(alwaysTheSame, FIRST);

        try (ScriptedTempNames names = ScriptedTempNames.next(alwaysTheSame)) {
            assertThatThrownBy(() -> AtomicFiles.writeText(target, "new"))
                    .isInstanceOf(AtomicWriteException.class)
                    .hasMessageContaining("busy.txt")
                    .hasMessageContaining("create temp file");
        }

        assertThat(Files.readString(victim)).isEqualTo("victim's data");
        assertThat(Files.readString(target)).isEqualTo("old");
    }

    @Test
    void sweepRemovesNeitherAPlantedLinkNorWhatItPointsAt() throws IOException {
        // Both named as a writer that is gone would have named them: only the regular file goes.
        Path planted = Files.createSymbolicLink(work.resolve(ScriptedTempNames.tempNameOfAGoneWriter("x.txt", FIRST)),
                victim);
        Path stale = Files.writeString(work.resolve(ScriptedTempNames.tempNameOfAGoneWriter("x.txt", SECOND)),
                "leftover");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(0));

        int removed = AtomicFiles.sweepStaleTempFiles(work, Duration.ofMinutes(1));

        assertThat(removed).isEqualTo(1);
        assertThat(Files.exists(stale, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.isSymbolicLink(planted)).isTrue();
        assertThat(Files.readString(victim)).isEqualTo("victim's data");
    }
}
