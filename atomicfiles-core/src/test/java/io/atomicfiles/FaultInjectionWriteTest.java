package io.atomicfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * For every k, a write whose k-th filesystem call fails leaves the target byte-for-byte old or
 * new, and no temp file behind.
 */
class FaultInjectionWriteTest {
    @TempDir
    Path dir;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    @Test
    void everyFailingCallLeavesOldOrNewAndNoTempFile() throws IOException {
        byte[] oldBytes = "old content".getBytes(StandardCharsets.UTF_8);
        byte[] newBytes = "new content, longer than the old".getBytes(StandardCharsets.UTF_8);
        Path real = dir.resolve("target.txt");
        Path target = faulty.path(real);
        WriteOptions options = WriteOptions.defaults();

        // Count the calls of a successful write.
        Files.write(real, oldBytes);
        faulty.record(true);
        faulty.failAt(0);
        AtomicFiles.writeBytes(target, newBytes, options);
        int total = faulty.calls();
        assertThat(total).isGreaterThan(5);

        int failed = 0;
        for (int k = 1; k <= total; k++) {
            reset(real, oldBytes);
            faulty.failAt(k);
            try {
                AtomicFiles.writeBytes(target, newBytes, options);
            } catch (IOException e) {
                failed++;
            }
            faulty.failAt(0);
            byte[] now = Files.readAllBytes(real);
            assertThat(now).as("k=%d of %d: %s", k, total, faulty.log()).satisfiesAnyOf(
                    b -> assertThat(b).isEqualTo(oldBytes), b -> assertThat(b).isEqualTo(newBytes));
            assertThat(leftovers()).as("k=%d leftovers", k).isEmpty();
        }
        assertThat(failed).isGreaterThan(total / 2);
    }

    private void reset(Path real, byte[] oldBytes) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.write(real, oldBytes);
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList();
        }
    }
}
