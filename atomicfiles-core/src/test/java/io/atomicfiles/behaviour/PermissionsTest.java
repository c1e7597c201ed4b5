package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A rewrite does not change who may read a file; unpublished content is private. */
class PermissionsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).as("POSIX file modes").contains("posix");
    }

    @ParameterizedTest(name = "mode {0}")
    @ValueSource(strings = {"rw-r-----", "rw-------", "rwxr-xr-x", "r--r--r--", "rw-rw-rw-"})
    void rewriteKeepsTheMode(String mode) throws IOException {
        Path file = dir.resolve("kept.txt");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));

        AtomicFiles.writeText(file, "new");

        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(modeOf(file)).isEqualTo(mode);
        assertThat(modeOf(dir.resolve("kept.txt.backup"))).as("the backup is the old file").isEqualTo(mode);
    }

    /**
     * The mode to keep is read under the lock when a write begins; a write that runs longer
     * (here: more than 10 ms) reads it again before publishing, so a chmod made by someone else
     * meanwhile is kept rather than undone.
     */
    @Test
    void aModeChangedDuringALongWriteIsTheOneKept() throws Exception {
        Path file = dir.resolve("changed-meanwhile.txt");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        AtomicFiles.write(file, WriteOptions.defaults(), writer -> {
            writer.writeText("new");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
        });

        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(modeOf(file)).isEqualTo("rw-------");
    }

    @Test
    void rewriteKeepsTheGroupAndOwner() throws IOException {
        Path file = dir.resolve("shared.txt");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        // A group other than the one new files get, where this process may set one (root, or a
        // member of several groups); else the default group, which must be kept as well.
        GroupPrincipal group = otherGroupSettable(view).orElse(view.readAttributes().group());
        UserPrincipal owner = view.readAttributes().owner();
        if (isRoot()) {
            owner = lookup().lookupPrincipalByName("nobody");
            view.setOwner(owner);
        }

        AtomicFiles.writeText(file, "new");

        PosixFileAttributes after = Files.readAttributes(file, PosixFileAttributes.class);
        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(after.group()).isEqualTo(group);
        assertThat(after.owner()).isEqualTo(owner);
        assertThat(PosixFilePermissions.toString(after.permissions())).isEqualTo("rw-r-----");
    }

    @Test
    void newFileGetsTheUmasksMode() throws IOException {
        int umask = umaskOfThisJvm();
        Set<PosixFilePermission> expected = permissions(0666 & ~umask);

        AtomicFiles.writeText(dir.resolve("new.txt"), "x");
        AtomicFiles.writeBytes(dir.resolve("new.bin"), new byte[] {1}, WriteOptions.builder().backup(false).build());

        assertThat(Files.getPosixFilePermissions(dir.resolve("new.txt"))).isEqualTo(expected);
        assertThat(Files.getPosixFilePermissions(dir.resolve("new.bin"))).isEqualTo(expected);
    }

    /**
     * A temp file whose content a caller streams in (through {@code AtomicFiles.write} or an
     * {@link AtomicWriter}) is owner-only while the write is open, whatever the mode it will be
     * published with: the caller may take any time, and a mode the owner narrows meanwhile is the
     * one published, so a wider temp file could have been opened and read through by anyone.
     * (Content the library has in hand may be created with its final mode: see
     * {@link TempFileModeTest}.)
     */
    @Test
    void tempFileIsOwnerOnlyWhileTheWriteIsOpen() throws IOException {
        Path file = dir.resolve("public.txt");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        List<Set<PosixFilePermission>> seen = new ArrayList<>();

        AtomicFiles.write(file, WriteOptions.defaults(), w -> {
            w.writeText("secret until published");
            List<Path> temps = Folders.tempFilesIn(dir);
            assertThat(temps).hasSize(1);
            seen.add(Files.getPosixFilePermissions(temps.get(0), LinkOption.NOFOLLOW_LINKS));
        });
        try (AtomicWriter writer = AtomicWriter.open(dir.resolve("fresh.txt"))) {
            writer.writeText("never published");
            seen.add(Files.getPosixFilePermissions(Folders.tempFilesIn(dir).get(0)));
        }

        Set<PosixFilePermission> ownerOnly = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isEqualTo(ownerOnly);
        assertThat(seen.get(1)).isEqualTo(ownerOnly);
        assertThat(modeOf(file)).as("published with the old mode").isEqualTo("rw-rw-rw-");
    }

    @Test
    void missingFoldersOfANewNestedTargetAreCreated() throws IOException {
        Path file = dir.resolve("a/b/c/deep.json");

        AtomicFiles.writeJson(file, java.util.Map.of("deep", true));

        assertThat(Files.isDirectory(dir.resolve("a/b/c"))).isTrue();
        assertThat(Files.readString(file)).isEqualTo("{\n  \"deep\": true\n}\n");
        assertThat(Folders.names(dir.resolve("a/b/c"))).containsExactly("deep.json");
        // Folders follow the umask like those of mkdir -p.
        assertThat(Files.getPosixFilePermissions(dir.resolve("a"))).isEqualTo(permissions(0777 & ~umaskOfThisJvm()));
    }

    // ---------------------------------------------------------------- helpers

    private static String modeOf(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    }

    /** The umask of this JVM, from the kernel's own report; Linux only. */
    static int umaskOfThisJvm() throws IOException {
        Path status = Path.of("/proc/self/status");
        assumeThat(Files.isReadable(status)).as("/proc/self/status (Linux)").isTrue();
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring("Umask:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no Umask line in /proc/self/status");
    }

    /** Whether the group bits of {@code mode} grant nothing its other bits do not. */
    static boolean groupGrantsNoMoreThanOthers(int mode) {
        return (((mode >> 3) & 07) & ~(mode & 07)) == 0;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] byBit = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < byBit.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                result.add(byBit[bit]);
            }
        }
        return result;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static UserPrincipalLookupService lookup() {
        return FileSystems.getDefault().getUserPrincipalLookupService();
    }

    /** Sets a group other than the file's current one, if this process is allowed to; returns it. */
    private static java.util.Optional<GroupPrincipal> otherGroupSettable(PosixFileAttributeView view)
            throws IOException {
        GroupPrincipal current = view.readAttributes().group();
        List<String> candidates = new ArrayList<>();
        Path groups = Path.of("/etc/group");
        if (Files.isReadable(groups)) {
            for (String line : Files.readAllLines(groups)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    candidates.add(line.substring(0, line.indexOf(':')));
                }
            }
        }
        for (String name : candidates) {
            try {
                GroupPrincipal group = lookup().lookupPrincipalByGroupName(name);
                if (group.equals(current)) {
                    continue;
                }
                view.setGroup(group);
                return java.util.Optional.of(group);
            } catch (UserPrincipalNotFoundException | java.nio.file.FileSystemException e) {
                // Not a group of ours: try the next one.
            }
        }
        return java.util.Optional.empty();
    }
}
