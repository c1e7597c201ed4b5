package io.atomicfiles.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the one checksum of the library, always as lower-case hex. */
public final class Hashing {
    private static final HexFormat HEX = HexFormat.of();
    private static final int SMALL_BUFFER = 16 * 1024;
    private static final int LARGE_BUFFER = 256 * 1024;

    private Hashing() {
    }

    /**
     * A digest to copy: looking SHA-256 up among the security providers costs more than hashing
     * a small file, and every write needs one or two.
     */
    private static final MessageDigest PROTOTYPE = lookUp();

    /** A fresh SHA-256 digest; every JVM has one, so its absence is a broken runtime. */
    public static MessageDigest sha256() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            // A provider whose digest cannot be copied: look it up each time.
            return lookUp();
        }
    }

    private static MessageDigest lookUp() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    public static String hex(byte[] digest) {
        return HEX.formatHex(digest);
    }

    public static String sha256Hex(byte[] content) {
        MessageDigest digest = SmallWriteScratch.takeDigest();
        String hex = hex(digest.digest(content)); // digest(...) resets it for the next caller
        SmallWriteScratch.giveDigest(digest);
        return hex;
    }

    /**
     * SHA-256 of a file's content, streamed with a bounded buffer. Most files hashed here are
     * small (a transaction hashes every file it replaces and its backup, two per file), so the
     * first buffer and the digest are this thread's scratch ({@link SmallWriteScratch}): making
     * and zeroing them anew cost more than hashing a 1 KiB file. Only the bytes each read put
     * into the buffer are hashed, never what an earlier user left there. A file that fills the
     * first buffer gets a large one of its own.
     */
    public static String sha256Hex(Path file) throws IOException {
        MessageDigest digest = SmallWriteScratch.takeDigest();
        // Taken out of the scratch while the stream (any provider's code) fills it.
        byte[] scratch = SmallWriteScratch.takeReadBuffer(SMALL_BUFFER);
        byte[] buffer = scratch;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                if (n == buffer.length && buffer.length < LARGE_BUFFER) {
                    buffer = new byte[LARGE_BUFFER];
                }
            }
        } finally {
            SmallWriteScratch.giveReadBuffer(scratch);
        }
        String hex = hex(digest.digest()); // digest() resets it; on a failure above it is not given back
        SmallWriteScratch.giveDigest(digest);
        return hex;
    }

    /**
     * {@link #sha256Hex(Path)}, or null when there is no such file (or a parent of it is a
     * file): one open instead of a stat and an open, for callers that ask both questions.
     */
    public static String sha256HexIfExists(Path file) throws IOException {
        try {
            return sha256Hex(file);
        } catch (IOException e) {
            if (Stat.meansAbsent(e, file)) {
                return null;
            }
            throw e;
        }
    }
}
