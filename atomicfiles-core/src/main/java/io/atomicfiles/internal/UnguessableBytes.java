package io.atomicfiles.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Random bytes nobody can predict, for the names the library creates beside the user's files
 * (temp files, a transaction's hidden files): someone who lists the folder and sees many of them
 * still cannot tell the next one, so cannot take it first to make a write fail.
 *
 * <p>They come from the kernel's generator, {@code /dev/urandom}, read 4 KiB at a time (one
 * open, read and close per 512 names). Not from {@link SecureRandom}: a JDK generator is as
 * unpredictable, but making the first one starts the JDK's security providers and gathers seed
 * material (network interfaces among it), 15-25 ms of a fresh JVM that a command line writing one
 * file would pay each time (BENCHMARKS.md, "Start-up of the command"). Where there is no
 * {@code /dev/urandom} (not a Unix), or it cannot be read, the JDK's strong generator is used:
 * both are cryptographically strong, so nothing is weakened either way.
 */
final class UnguessableBytes {
    private static final Path KERNEL_SOURCE = Path.of("/dev/urandom");
    private static final int BUFFER_BYTES = 4096;

    private static final byte[] buffer = new byte[BUFFER_BYTES];
    /** Bytes of {@link #buffer} already handed out; all of them at first, so the first call fills it. */
    private static int used = BUFFER_BYTES;
    private static SecureRandom fallback;

    private UnguessableBytes() {
    }

    /** Fills {@code bytes} (at most 4 KiB) with unpredictable bytes, each handed out once. */
    static synchronized void fill(byte[] bytes) {
        if (bytes.length > BUFFER_BYTES) {
            throw new IllegalArgumentException(bytes.length + " bytes asked, at most " + BUFFER_BYTES);
        }
        if (BUFFER_BYTES - used < bytes.length) {
            refill();
        }
        System.arraycopy(buffer, used, bytes, 0, bytes.length);
        used += bytes.length;
    }

    private static void refill() {
        try (InputStream in = Files.newInputStream(KERNEL_SOURCE)) {
            int read = in.readNBytes(buffer, 0, BUFFER_BYTES);
            if (read == BUFFER_BYTES) {
                used = 0;
                return;
            }
        } catch (IOException | UnsupportedOperationException e) {
            // No /dev/urandom here (or it cannot be opened now): the JDK's strong generator below.
        }
        fallback().nextBytes(buffer);
        used = 0;
    }

    private static SecureRandom fallback() {
        if (fallback == null) {
            try {
                fallback = SecureRandom.getInstance("DRBG");
            } catch (NoSuchAlgorithmException e) {
                fallback = new SecureRandom();
            }
        }
        return fallback;
    }
}
