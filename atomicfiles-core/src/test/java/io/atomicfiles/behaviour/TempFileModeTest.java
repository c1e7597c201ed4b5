package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mode of a write's temp file while it holds unpublished content. For content the library
 * has in hand (a byte array, a document, a copy: {@link #inHandModes}) it is the mode the file
 * will be published with when that grants nobody more than the published file will (the umask
 * strips none of its bits, and its group bits grant nothing its other bits do not: the temp
 * file's group is the writer's until the old group is set); else, and always for content a
 * caller streams in ({@link #writeWatched}), owner-only until step 5. Either way a private
 * file's temp file is never wider than private, and a group-readable file's temp file is never
 * readable by the writer's group. The published file has the old bytes replaced and the old
 * mode, owner and group on both paths.
 */
class TempFileModeTest {
    private static final byte[] CONTENT = "new content\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    private static final WriteOptions LEAN = WriteOptions.builder().backup(false).verifyIntegrity(false)
            .showProgress(false).build();

    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).as("POSIX file modes").contains("posix");
    }

    @Test
    void aPrivateFilesTempFileIsNeverWiderThanPrivate() throws Exception {
        Path file = existing("private.txt", "rw-------");

        Set<Set<PosixFilePermission>> seen = writeWatched(file);

        assertThat(seen).isNotEmpty().allSatisfy(mode -> assertThat(mode).isEqualTo(mode("rw-------")));
        assertPublished(file, "rw-------");
    }

    @Test
    void aGroupReadableFilesTempFileIsOwnerOnlyUntilItsGroupIsKept() throws Exception {
        Path file = existing("group.txt", "rw-r-----");

        Set<Set<PosixFilePermission>> seen = writeWatched(file);

        // Owner-only while the content is written; rw-r----- only in the instant after the
        // group was set and before the rename (the watcher may or may not catch it).
        assertThat(seen).contains(mode("rw-------"));
        assertThat(seen).allSatisfy(mode -> assertThat(mode).isSubsetOf(mode("rw-r-----")));
        assertPublished(file, "rw-r-----");
    }

    @Test
    void aWorldReadableFilesTempFileHasItsModeFromTheStartWhenTheLibraryHasTheContent() throws Exception {
        assumeThat(umask() & 0644).as("a umask that strips none of rw-r--r--").isZero();
        Path file = existing("public.txt", "rw-r--r--");

        Set<Set<PosixFilePermission>> seen = inHandModes(file);

        assertThat(seen).containsOnly(mode("rw-r--r--"));
        assertPublished(file, "rw-r--r--");
    }

    @Test
    void aWorldReadableFilesTempFileIsOwnerOnlyWhileACallerStreamsItsContent() throws Exception {
        Path file = existing("streamed.txt", "rw-r--r--");

        Set<Set<PosixFilePermission>> seen = writeWatched(file);

        // rw-r--r-- only in the instant after step 5 and before the rename (the watcher may or
        // may not catch it).
        assertThat(seen).contains(mode("rw-------"));
        assertThat(seen).allSatisfy(mode -> assertThat(mode).isSubsetOf(mode("rw-r--r--")));
        assertPublished(file, "rw-r--r--");
    }

    @Test
    void aModeTheUmaskWouldNarrowIsGivenAfterTheContent() throws Exception {
        assumeThat(umask() & 0022).as("a umask that strips group or other write").isNotZero();
        Path file = existing("everyone.txt", "rw-rw-rw-");

        Set<Set<PosixFilePermission>> seen = writeWatched(file);

        assertThat(seen).contains(mode("rw-------"));
        assertPublished(file, "rw-rw-rw-");
    }

    @Test
    void aNewFileGetsTheUmasksModeOnEitherPath() throws Exception {
        Path file = dir.resolve("new.txt");
        Set<PosixFilePermission> umasks = PermissionsTest.permissions(0666 & ~umask());

        Set<Set<PosixFilePermission>> seen = inHandModes(file);

        assertThat(seen).allSatisfy(mode -> assertThat(mode).isSubsetOf(umasks));
        if (groupGrantsNoMoreThanOthers(umasks)) {
            // 0666 & ~umask: the umask strips nothing of it, by its making.
            assertThat(seen).as("created with its mode").containsOnly(umasks);
        } else {
            assertThat(seen).as("created owner-only").contains(mode("rw-------"));
        }
        assertPublished(file, PosixFilePermissions.toString(umasks));
    }

    /** As root: another owner and another group kept on the path without chmod and on the one with. */
    @ParameterizedTest(name = "mode {0}")
    @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw-------"})
    void ownerAndGroupAreKeptOnBothPaths(String mode) throws Exception {
        assumeThat(System.getProperty("user.name")).as("root may give files away").isEqualTo("root");
        Path file = existing("theirs.txt", mode);
        var lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        UserPrincipal nobody = lookup.lookupPrincipalByName("nobody");
        GroupPrincipal nogroup = lookup.lookupPrincipalByGroupName("nogroup");
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        view.setGroup(nogroup);
        view.setOwner(nobody);

        AtomicFiles.writeBytes(file, CONTENT, LEAN);

        PosixFileAttributes after = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(after.owner()).isEqualTo(nobody);
        assertThat(after.group()).isEqualTo(nogroup);
        assertPublished(file, mode);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Writes {@link #CONTENT} to {@code file} in many small pieces while a watcher thread lists
     * the folder over and over and records the mode of every temp file it sees; the write waits
     * (by a latch, not a clock) until the watcher has seen its temp file at least once.
     */
    /**
     * The owner makes a world-readable file private while a long write to it runs: the write
     * keeps that change (it looks at the target again when it has taken longer than a moment),
     * so the new content is published private, and its temp file, holding that content, must not
     * be readable by others meanwhile either (whoever opens it then keeps reading what is
     * written after, the private content included).
     */
    @Test
    void aFileMadePrivateDuringALongWriteHasItsNewContentReadableByNobodyElse() throws Exception {
        Path file = existing("made-private.txt", "rw-r--r--");
        Set<PosixFilePermission> tempMode;
        try (io.atomicfiles.AtomicWriter writer = io.atomicfiles.AtomicWriter.open(file, LEAN)) {
            writer.writeText("first part\n");
            Files.setPosixFilePermissions(file, mode("rw-------"));
            // A long write (not a clock assertion): longer than the moment after which the write
            // looks at its target again, so that the owner's change is the one kept.
            Thread.sleep(50);
            writer.writeText("the private part\n");
            List<Path> temps = Folders.tempFilesIn(dir);
            assertThat(temps).hasSize(1);
            tempMode = Files.getPosixFilePermissions(temps.get(0), LinkOption.NOFOLLOW_LINKS);
            writer.commit();
        }
        assertThat(Files.readString(file)).isEqualTo("first part\nthe private part\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("published")
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(tempMode)).as("the temp file holding the content published"
                + " owner-only, after the owner had made the file private").isEqualTo("rw-------");
    }

    /**
     * The modes of the temp file of {@code AtomicFiles.writeBytes} (content in hand), seen by a
     * progress listener when the write has started (the temp file made, its content not yet in
     * it) and as it progresses.
     */
    private Set<Set<PosixFilePermission>> inHandModes(Path file) throws Exception {
        Set<Set<PosixFilePermission>> seen = ConcurrentHashMap.newKeySet();
        Runnable look = () -> {
            for (Path temp : Folders.tempFilesIn(dir)) {
                try {
                    seen.add(Files.getPosixFilePermissions(temp, LinkOption.NOFOLLOW_LINKS));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        io.atomicfiles.ProgressListener listener = new io.atomicfiles.ProgressListener() {
            @Override
            public void started(String task, long total) {
                look.run();
            }

            @Override
            public void progressed(long done) {
                look.run();
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
        AtomicFiles.writeBytes(file, CONTENT, LEAN.toBuilder().showProgress(true).progressListener(listener).build());
        assertThat(seen).as("the listener saw the temp file").isNotEmpty();
        return seen;
    }

    /** The modes of the temp file of a write whose content a caller streams in, watched by another thread. */
    private Set<Set<PosixFilePermission>> writeWatched(Path file) throws Exception {
        Set<Set<PosixFilePermission>> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch sawOne = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            while (!stop.get()) {
                for (Path temp : Folders.tempFilesIn(dir)) {
                    try {
                        seen.add(Files.getPosixFilePermissions(temp, LinkOption.NOFOLLOW_LINKS));
                        sawOne.countDown();
                    } catch (NoSuchFileException gone) {
                        // Published or discarded meanwhile.
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }, "temp-file-watcher");
        watcher.start();
        try {
            AtomicFiles.write(file, LEAN, writer -> {
                var out = writer.outputStream();
                for (int i = 0; i < CONTENT.length; i += 1000) {
                    out.write(CONTENT, i, Math.min(1000, CONTENT.length - i));
                    if (i == 5000) {
                        try {
                            assertThat(sawOne.await(60, TimeUnit.SECONDS)).as("the watcher saw the temp file").isTrue();
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                    }
                }
            });
        } finally {
            stop.set(true);
            watcher.join();
        }
        return seen;
    }

    private Path existing(String name, String mode) throws IOException {
        Path file = Files.writeString(dir.resolve(name), "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static void assertPublished(Path file, String mode) throws IOException {
        assertThat(Files.readAllBytes(file)).isEqualTo(CONTENT);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo(mode);
        assertThat(Folders.tempFilesIn(file.getParent())).isEmpty();
    }

    private static boolean groupGrantsNoMoreThanOthers(Set<PosixFilePermission> mode) {
        return (!mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ))
                && (!mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE))
                && (!mode.contains(PosixFilePermission.GROUP_EXECUTE)
                        || mode.contains(PosixFilePermission.OTHERS_EXECUTE));
    }

    private static Set<PosixFilePermission> mode(String mode) {
        return PosixFilePermissions.fromString(mode);
    }

    private static int umask() throws IOException {
        return PermissionsTest.umaskOfThisJvm();
    }
}
