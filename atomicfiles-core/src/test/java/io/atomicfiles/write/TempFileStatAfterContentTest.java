package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, W1: the temp file's content is written before its stat (the one that compares its
 * owner and group, and refuses a link swapped in for it), never after. On Linux since 6.13 a stat
 * marks a file's times as seen, so a write after it stamps a new mtime and dirties the inode once
 * more: on the journaled ext4 the commit that the temp file's fsync waits for took ~50 µs longer
 * (BENCHMARKS.md, "W1 on the journaled ext4"). The order is read from the calls the library makes
 * on a recording filesystem; the attributes are still given before the fsync.
 */
class TempFileStatAfterContentTest {
    @TempDir
    Path dir;

    @Test
    void theTempFileIsStatedAfterItsContentIsWrittenAndBeforeItIsForced() throws IOException {
        Path real = dir.resolve("config.bin");
        Files.write(real, "old".getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
        FaultyFileSystem faulty = FaultyFileSystem.overDefault();
        faulty.failAt(0);
        faulty.record(true);
        byte[] content = "new content".getBytes(StandardCharsets.UTF_8);

        AtomicFiles.writeBytes(faulty.path(real), content,
                WriteOptions.builder().backup(false).verifyIntegrity(false).showProgress(false).build());

        List<String> calls = faulty.log();
        int write = first(calls, "write .config.bin.tmp-");
        int stat = first(calls, "stat .config.bin.tmp-");
        int force = first(calls, "force .config.bin.tmp-");
        assertThat(write).as("calls %s", calls).isGreaterThanOrEqualTo(0);
        assertThat(stat).as("the temp file's stat comes after its content is written; calls %s", calls)
                .isGreaterThan(write);
        assertThat(force).as("and the attributes are kept before the fsync; calls %s", calls).isGreaterThan(stat);
        assertThat(Files.readAllBytes(real)).isEqualTo(content);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(real))).isEqualTo("rw-r-----");
    }

    /** The index of the first call whose name (after its number) starts with {@code prefix}, else -1. */
    private static int first(List<String> calls, String prefix) {
        for (int i = 0; i < calls.size(); i++) {
            String call = calls.get(i);
            if (call.substring(call.indexOf(' ') + 1).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
