package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.GeneratedBytes;
import io.atomicfiles.testing.TmpfsMount;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: each test mounts a tiny tmpfs, fills it with a write that cannot fit,
 * and checks that the write fails with an {@link AtomicWriteException} naming the file and the
 * step, that the old file is intact byte for byte, that no temp file remains and that the
 * space is given back (no temp file kept open), so that the next write succeeds.
 *
 * <p>Mounting needs root (or CAP_SYS_ADMIN); where the machine refuses, the tests are skipped
 * and the reason is printed ({@link TmpfsMount}). The tmpfs is unmounted after each test,
 * whatever happened; a file left open in it makes the unmount, and so the test, fail.
 */
class DiskFullTest {
    private static final byte[] OLD = "old content, small".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private TmpfsMount tiny;

    @AfterEach
    void unmount() throws IOException {
        if (tiny != null) {
            tiny.close();
        }
    }

    @Test
    void oneShotWriteLargerThanTheFreeSpace() throws Exception {
        Path target = mountTmpfs("size=512k").resolve("state.bin");
        AtomicFiles.writeBytes(target, OLD);
        long free = usableSpace();

        AtomicWriteException e = catchThrowableOfType(AtomicWriteException.class,
                () -> AtomicFiles.writeBytes(target, GeneratedBytes.of(1, free + 64 * 1024).readAllBytes()));

        assertDiskFullFailure(e, target, free);
    }

    @Test
    void streamedWriteLargerThanTheFreeSpace() throws Exception {
        Path target = mountTmpfs("size=512k").resolve("stream.bin");
        AtomicFiles.writeBytes(target, OLD);
        long free = usableSpace();

        AtomicWriteException e = catchThrowableOfType(AtomicWriteException.class, () -> {
            try (AtomicWriter writer = AtomicWriter.open(target);
                    InputStream content = GeneratedBytes.of(2, 2 * free)) {
                OutputStream out = writer.outputStream();
                content.transferTo(out);
                writer.commit();
            }
        });

        assertDiskFullFailure(e, target, free);
    }

    @Test
    void jsonDocumentLargerThanTheFreeSpace() throws Exception {
        Path target = mountTmpfs("size=512k").resolve("config.json");
        AtomicFiles.writeBytes(target, OLD);
        long free = usableSpace();
        String big = new String(GeneratedBytes.of(3, free).readAllBytes(), StandardCharsets.ISO_8859_1)
                .replaceAll("[^a-zA-Z0-9]", "x");

        AtomicWriteException e = catchThrowableOfType(AtomicWriteException.class,
                () -> AtomicFiles.writeJson(target, Map.of("data", big, "more", big)));

        assertDiskFullFailure(e, target, free);
    }

    @Test
    void noInodeLeftForTheTempFile() throws Exception {
        // Four inodes: the root folder, its lock file, the file, and one more that another file takes.
        Path target = mountTmpfs("size=512k,nr_inodes=4").resolve("state.bin");
        AtomicFiles.writeBytes(target, OLD);
        Path other = Files.write(tiny.folder().resolve("other.txt"), OLD);
        long free = usableSpace();

        AtomicWriteException e = catchThrowableOfType(AtomicWriteException.class,
                () -> AtomicFiles.writeBytes(target, "new".getBytes(StandardCharsets.UTF_8)));

        assertOldFileIntact(e, target, free, "other.txt", "state.bin");
        assertThat(e.getOperationContext()).containsEntry("step", "create temp file");
        Files.delete(other);
        assertNextWriteSucceeds(target);
    }

    private void assertDiskFullFailure(AtomicWriteException e, Path target, long freeBefore) throws IOException {
        assertOldFileIntact(e, target, freeBefore, target.getFileName().toString());
        assertNextWriteSucceeds(target);
    }

    private void assertOldFileIntact(AtomicWriteException e, Path target, long freeBefore, String... allFiles)
            throws IOException {
        assertThat(e).as("the write must fail").isNotNull();
        System.out.println("DiskFullTest: " + e.getMessage());
        assertThat(e.getOperationContext()).containsEntry("path", target.toString()).containsKey("step");
        assertThat(e.getMessage()).contains(target.toString()).contains("No space left on device");
        assertThat(Files.readAllBytes(target)).as("the old file is intact").isEqualTo(OLD);
        assertThat(names()).as("nothing else on the disk: no temp file, no backup").containsExactly(allFiles);
        assertThat(usableSpace()).as("the temp file's space is given back (it is deleted and closed)")
                .isEqualTo(freeBefore);
    }

    /** Once space is free again, writing works: the failure left nothing in the way. */
    private static void assertNextWriteSucceeds(Path target) throws IOException {
        byte[] next = "the next write fits".getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeBytes(target, next, WriteOptions.builder().backup(false).build());
        assertThat(Files.readAllBytes(target)).isEqualTo(next);
    }

    // ------------------------------------------------------------------ the tmpfs

    /** Mounts a tmpfs with {@code options}, or skips the test saying why not. */
    private Path mountTmpfs(String options) throws Exception {
        tiny = TmpfsMount.mountOrSkip(dir.resolve("tiny"), options);
        return tiny.folder();
    }

    private long usableSpace() throws IOException {
        return tiny.usableSpace();
    }

    /** The names in the tmpfs, but for its lock file ({@code .atomicfiles.lock}), there by design. */
    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(tiny.folder())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".atomicfiles.lock")).sorted()
                    .toList();
        }
    }
}
