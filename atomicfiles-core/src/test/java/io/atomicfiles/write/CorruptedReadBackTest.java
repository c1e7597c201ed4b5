package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import io.atomicfiles.testing.GeneratedBytes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read-back after the fsync (W2: compared by CRC32C chunk by chunk, not by a second
 * SHA-256) catches a disk that returns other bytes than it was given: the write fails with an
 * {@link IntegrityException}, the target and its backup keep their old bytes, and no temp file
 * is left. The corruption is made by the filesystem under the library ({@link
 * FaultyFileSystem#corruptReads}): one byte of the temp file flips on every read through its
 * open channel.
 */
class CorruptedReadBackTest {
    private static final byte[] OLDER = "older content, in the backup".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OLD = "old content".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    @ParameterizedTest
    @ValueSource(longs = {0, 700, 1023})
    void aSmallWriteReadBackCorruptedIsRefusedAndTheTargetKept(long corruptAt) throws IOException {
        Path target = existingTarget();
        byte[] fresh = GeneratedBytes.of(1, 1024).readAllBytes();
        faulty.corruptReads(".target.bin.tmp-", corruptAt);

        assertThatThrownBy(() -> AtomicFiles.writeBytes(faulty.path(target), fresh))
                .isInstanceOfSatisfying(IntegrityException.class, e -> {
                    assertThat(e.getAlgorithm()).isEqualTo("CRC32C");
                    assertThat(e.getMessage()).contains("target.bin").contains("read back");
                });

        assertUnchanged(target);
    }

    /** Several chunks of 512 KiB, streamed: the flipped byte sits in the first, a middle or the last chunk. */
    @ParameterizedTest
    @ValueSource(longs = {5, 512 * 1024 + 5, 3 * 512 * 1024 - 1, 3 * 512 * 1024 + 100})
    void aStreamedWriteReadBackCorruptedIsRefusedAndTheTargetKept(long corruptAt) throws IOException {
        Path target = existingTarget();
        byte[] large = GeneratedBytes.of(2, 3 * 512 * 1024 + 1000).readAllBytes();
        faulty.corruptReads(".target.bin.tmp-", corruptAt);

        assertThatThrownBy(() -> AtomicFiles.write(faulty.path(target), WriteOptions.defaults(), writer -> {
            try (OutputStream out = writer.outputStream()) {
                for (int at = 0; at < large.length; at += 100_000) {
                    out.write(large, at, Math.min(100_000, large.length - at));
                }
            }
        })).isInstanceOfSatisfying(IntegrityException.class,
                e -> assertThat(e.getAlgorithm()).isEqualTo("CRC32C"));

        assertUnchanged(target);
    }

    /** The same write through the same faulty filesystem, nothing corrupted: it goes through (the test is not vacuous). */
    @Test
    void anUncorruptedReadBackPublishes() throws IOException {
        Path target = existingTarget();
        byte[] fresh = GeneratedBytes.of(1, 1024).readAllBytes();
        faulty.corruptReads("no such file", 0);

        AtomicFiles.writeBytes(faulty.path(target), fresh);

        assertThat(Files.readAllBytes(target)).isEqualTo(fresh);
        assertThat(Files.readAllBytes(dir.resolve("target.bin.backup"))).isEqualTo(OLD);
        assertThat(leftovers()).isEmpty();
    }

    private Path existingTarget() throws IOException {
        Path target = dir.resolve("target.bin");
        Files.write(dir.resolve("target.bin.backup"), OLDER);
        Files.write(target, OLD);
        return target;
    }

    private void assertUnchanged(Path target) throws IOException {
        assertThat(Files.readAllBytes(target)).as("the target keeps its old bytes").isEqualTo(OLD);
        assertThat(Files.readAllBytes(dir.resolve("target.bin.backup"))).as("the backup is untouched")
                .isEqualTo(OLDER);
        assertThat(leftovers()).as("no temp file is left").isEmpty();
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-"))
                    .collect(Collectors.toList());
        }
    }
}
