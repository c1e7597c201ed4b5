package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.Durability;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.HeldLockFiles;
import io.atomicfiles.testing.OpenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lock files are bounded (issue 8, item 14: 2000 writes to distinct paths used to leave 2000
 * lock files in the state folder): one per folder written into, and this JVM keeps a bounded
 * number of them open between writes (it saves an open and a close per write), none locked.
 */
class IdleLockFilesTest {
    /** {@code LockFiles.MAX_IDLE}: the most lock files kept open while nobody holds them. */
    private static final int MAX_IDLE = 64;

    @TempDir
    Path dir;

    @Test
    void twoThousandWritesToDistinctNamesLeaveOneLockFileAndNothingInTheStateFolder() throws Exception {
        Path stateLocks = Path.of(System.getProperty("atomicfiles.stateDir")).resolve("locks");
        List<String> stateLocksBefore = namesIn(stateLocks);
        WriteOptions quick = WriteOptions.builder().durability(Durability.NONE).backup(false).showProgress(false)
                .build();
        for (int i = 0; i < 2000; i++) {
            AtomicFiles.writeText(dir.resolve("file-" + i + ".txt"), "content " + i, quick);
        }

        try (Stream<Path> names = Files.list(dir)) {
            assertThat(names.map(p -> p.getFileName().toString()).filter(n -> !n.matches("file-\\d+\\.txt")))
                    .as("besides the 2000 files").containsExactly(".atomicfiles.lock");
        }
        assertThat(namesIn(stateLocks)).as("lock files in the state folder").isEqualTo(stateLocksBefore);
        assertThat(HeldLockFiles.in(dir)).as("locks still held").isEmpty();
        assertThat(Files.readString(dir.resolve("file-1999.txt"))).isEqualTo("content 1999");
    }

    @Test
    void manyFoldersWrittenLeaveABoundedNumberOfLockFilesOpenAndNoneLocked() throws Exception {
        assumeThat(OpenFiles.listable()).as("open files are listed from /proc/self/fd").isTrue();
        for (int i = 0; i < 3 * MAX_IDLE; i++) {
            AtomicFiles.writeText(dir.resolve("folder-" + i).resolve("file.txt"), "content " + i);
        }

        assertThat(OpenFiles.lockFilesUnder(dir)).as("lock files this JVM keeps open").hasSizeLessThanOrEqualTo(MAX_IDLE);
        assertThat(HeldLockFiles.any()).as("locks still held").isEmpty();
        for (int i = 0; i < 3 * MAX_IDLE; i++) {
            Path folder = dir.resolve("folder-" + i);
            assertThat(Files.readString(folder.resolve("file.txt"))).isEqualTo("content " + i);
            assertThat(folder.resolve(".atomicfiles.lock")).isRegularFile();
        }
    }

    private static List<String> namesIn(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> names = Files.list(folder)) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
