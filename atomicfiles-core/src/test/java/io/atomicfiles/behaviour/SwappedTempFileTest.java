package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.internal.UntimedStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone who may rename entries of the target's folder (a folder shared with a group, not
 * sticky) swaps the write's temp file for a link to a file of their choosing while the write
 * runs. The write must neither change that file's mode (a chmod by name would follow the link:
 * run as root, that makes any file readable) nor read it (a schema check by name would parse it,
 * and a parse error quotes what it read). Here the test itself plays that user.
 */
class SwappedTempFileTest {
    private static final String SECRET = "root:$6$the-hash-nobody-may-read:19000:0:99999:7:::\n";

    @TempDir
    Path dir;

    private Path victim;

    /**
     * The stat that refuses the link is the one a busy process makes (UntimedStat, which a JVM
     * loads after its first thousand writes), whatever tests ran before this one.
     */
    @BeforeAll
    static void withTheStatOfABusyProcess() {
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertThat(UntimedStat.loadNow()).as("statx(2) through JNA loads on Linux").isTrue();
        }
    }

    @BeforeEach
    void aFileOfSomeoneElse() throws IOException {
        victim = Files.writeString(Files.createDirectory(dir.resolve("etc")).resolve("shadow"), SECRET);
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void theModeOfTheFileBehindTheLinkIsNotChanged() throws IOException {
        Path target = Files.writeString(dir.resolve("app.conf"), "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> AtomicFiles.write(target, WriteOptions.defaults(), writer -> {
            writer.writeText("new");
            swapTempFileForALinkToTheVictim();
        })).isInstanceOf(AtomicWriteException.class);

        assertVictimUntouched();
        assertThat(target).hasContent("old");
    }

    @Test
    void aNewFileSwappedTheSameWayChangesNothingEither() throws IOException {
        Path target = dir.resolve("fresh.conf");

        assertThatThrownBy(() -> AtomicFiles.write(target, WriteOptions.defaults(), writer -> {
            writer.writeText("new");
            swapTempFileForALinkToTheVictim();
        })).isInstanceOf(AtomicWriteException.class);

        assertVictimUntouched();
        assertThat(target).doesNotExist();
    }

    @Test
    void aSchemaCheckDoesNotReadTheFileBehindTheLink() throws IOException {
        Path target = dir.resolve("app.json");
        WriteOptions withSchema = WriteOptions.builder().schema(Map.of("type", "object")).build();

        try (AtomicWriter writer = AtomicWriter.open(target, withSchema)) {
            writer.writeText("{\"port\": 8080}");
            swapTempFileForALinkToTheVictim();
            assertThatThrownBy(writer::commit).satisfies(e -> assertThat(messages(e)).doesNotContain("the-hash"));
        }

        assertVictimUntouched();
    }

    /** Renames the write's temp file away and puts a link to the victim under its name. */
    private void swapTempFileForALinkToTheVictim() throws IOException {
        List<Path> temps = Folders.tempFilesIn(dir);
        assertThat(temps).hasSize(1);
        Path temp = temps.get(0);
        Files.move(temp, dir.resolve("taken-away"));
        Files.createSymbolicLink(temp, victim);
    }

    private void assertVictimUntouched() throws IOException {
        assertThat(Files.readString(victim)).isEqualTo(SECRET);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim, LinkOption.NOFOLLOW_LINKS)))
                .as("the mode of the file behind the link").isEqualTo("rw-------");
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }
}
