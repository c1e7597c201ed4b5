package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.internal.Hashing;
import io.atomicfiles.testing.ChildJvm;
import io.atomicfiles.testing.GeneratedBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Constant memory: a JVM limited to a 64 MiB heap writes 2 GiB through
 * {@code AtomicWriter.outputStream()} with the default options (SHA-256, fsync, read-back
 * verification, backup) and succeeds. The test generates the same stream to know its SHA-256,
 * and checks the file's size and SHA-256 on disk. Skipped, saying why, with less than 5 GiB free.
 */
class LargeWriteTest {
    private static final long SIZE = 2L << 30;
    private static final long SEED = 20_250_101;
    private static final long REQUIRED_FREE = 5L << 30;
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    @Test
    void twoGibibytesWithA64MebibyteHeap() throws Exception {
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < REQUIRED_FREE) {
            String reason = "2 GiB write test skipped: " + (free >> 20) + " MiB free in " + dir + ", it needs "
                    + (REQUIRED_FREE >> 20) + " MiB";
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        Path target = dir.resolve("large.bin");
        long start = System.nanoTime();
        try (ChildJvm child = ChildJvm.builder(LargeWriterMain.class).jvmArgs("-Xmx64m", "-XX:+UseSerialGC")
                .args(target.toString(), Long.toString(SIZE), Long.toString(SEED)).start()) {
            // The expected checksum, computed on this side while the child writes.
            CompletableFuture<String> expected = CompletableFuture.supplyAsync(LargeWriteTest::expectedSha256);
            assertThat(child.awaitExit(TIMEOUT)).as("exit code of the writer; its stderr: %s", child.stderr())
                    .isZero();
            List<String> output = child.readRemainingLines();
            long written = System.nanoTime();

            assertThat(Files.size(target)).isEqualTo(SIZE);
            String onDisk = AtomicFiles.checksum(target);
            assertThat(onDisk).as("SHA-256 of the file on disk").isEqualTo(expected.join());
            assertThat(output).as("what the writer reported: size and SHA-256").containsExactly(SIZE + " " + onDisk);
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("nothing but the file (and the lock file)")
                        .containsExactlyInAnyOrder("large.bin", ".atomicfiles.lock");
            }
            System.out.printf("LargeWriteTest: 2 GiB written by a -Xmx64m JVM in %d ms, checked in %d ms%n",
                    (written - start) / 1_000_000, (System.nanoTime() - written) / 1_000_000);
        } finally {
            Files.deleteIfExists(target);
        }
    }

    private static String expectedSha256() {
        MessageDigest digest = Hashing.sha256();
        byte[] buffer = new byte[1 << 20];
        try (InputStream content = GeneratedBytes.of(SEED, SIZE)) {
            for (int n; (n = content.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Hashing.hex(digest.digest());
    }
}
