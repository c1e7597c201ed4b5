package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Hashing} reuses this thread's buffer and digest ({@link SmallWriteScratch}) from one
 * call to the next: every checksum must still be that of the bytes hashed in that call alone,
 * whatever an earlier file, a failed call or a small write on the same thread left behind.
 * Checked against a digest made here, not through {@link Hashing}.
 */
class HashingTest {
    @TempDir
    Path dir;

    @Test
    void eachFileHashedOnOneThreadGetsTheChecksumOfItsOwnBytesAlone() throws IOException {
        // Larger first, so that a shorter file after it sits in a buffer holding the larger one's tail;
        // then sizes around the first buffer's length, and an empty file.
        int[] sizes = {200_000, 1024, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 70 * 1024, 3, 0, 1024};
        for (int i = 0; i < sizes.length; i++) {
            byte[] content = bytes(sizes[i], i);
            Path file = Files.write(dir.resolve("file-" + i), content);

            assertThat(Hashing.sha256Hex(file)).as("%d bytes", sizes[i]).isEqualTo(reference(content));
            assertThat(Hashing.sha256Hex(content)).as("%d bytes in memory", sizes[i]).isEqualTo(reference(content));
        }
    }

    @Test
    void aFileThatCannotBeReadLeavesNothingInTheNextChecksum() throws IOException {
        byte[] first = bytes(5000, 1);
        Files.write(dir.resolve("first"), first);
        assertThat(Hashing.sha256Hex(dir.resolve("first"))).isEqualTo(reference(first));
        // A folder opens but fails at its first read, after the digest was taken out of the scratch.
        assertThatThrownBy(() -> Hashing.sha256Hex(dir)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Hashing.sha256Hex(dir.resolve("absent"))).isInstanceOf(NoSuchFileException.class);
        assertThat(Hashing.sha256HexIfExists(dir.resolve("absent"))).isNull();

        byte[] next = bytes(10, 2);
        assertThat(Hashing.sha256Hex(Files.write(dir.resolve("next"), next))).isEqualTo(reference(next));
        assertThat(Hashing.sha256Hex(new byte[0])).isEqualTo(reference(new byte[0]));
    }

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String reference(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
