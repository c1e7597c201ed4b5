package io.atomicfiles.internal;

import java.security.MessageDigest;

/**
 * What a small write ({@link ContentSink} content that never outgrew its first chunk) may reuse
 * from the previous small write on the same thread, instead of making it anew: a SHA-256 digest
 * (cloning one copies its whole state, ~0.5 KiB) and the array its read-back reads into.
 *
 * <p>Nothing in here can carry anything from one write to the next, or from one thread to
 * another:
 * <ul>
 *   <li>A digest is given back only after {@link MessageDigest#digest()}, which resets it, and
 *       only by a sink that never handed it to another thread (no {@link ChunkHasher}); it is
 *       taken out of this thread's scratch while a sink uses it, so two sinks open on one
 *       thread at once (a transaction's staging) never share one: the second makes its own.</li>
 *   <li>The read-back array is used only inside one synchronous read-back on the calling
 *       thread, which computes its CRC32C over the bytes that read put into it, never over
 *       what an earlier read left there. {@link Hashing#sha256Hex(java.nio.file.Path)} hashes
 *       only the bytes each read put into it too, and takes it out of the scratch while a
 *       stream fills it ({@link #takeReadBuffer}), as it takes the digest.</li>
 * </ul>
 * Each thread keeps at most one digest and one array of at most {@value #READ_BUFFER_AT_MOST}
 * bytes; larger read-backs allocate their own. The thread-local values are JDK types only
 * (arrays, a JDK digest), so that a thread of a container outliving the library's class loader
 * does not keep that loader alive.
 */
final class SmallWriteScratch {
    /** The largest read-back array kept per thread: a small file's worth, far below a chunk. */
    static final int READ_BUFFER_AT_MOST = 64 * 1024;

    /** A reset digest, or null while a sink of this thread has it (or none was given back yet). */
    private static final ThreadLocal<MessageDigest[]> DIGEST = ThreadLocal.withInitial(() -> new MessageDigest[1]);
    private static final ThreadLocal<byte[][]> READ_BUFFER = ThreadLocal.withInitial(() -> new byte[][] {new byte[0]});
    /** In the slot while its array is taken out ({@link #takeReadBuffer}): too short for anyone. */
    private static final byte[] TAKEN = new byte[0];

    private SmallWriteScratch() {
    }

    /** A fresh SHA-256 digest: this thread's spare one (taken out), or a new one. */
    static MessageDigest takeDigest() {
        MessageDigest[] slot = DIGEST.get();
        MessageDigest spare = slot[0];
        if (spare == null) {
            return Hashing.sha256();
        }
        slot[0] = null;
        return spare;
    }

    /**
     * Keeps {@code used} for the next small write on this thread. The caller must have called
     * its {@link MessageDigest#digest()} (which resets it) and be the only one that can touch it.
     */
    static void giveDigest(MessageDigest used) {
        MessageDigest[] slot = DIGEST.get();
        if (slot[0] == null) {
            slot[0] = used;
        }
    }

    /**
     * {@link #readBuffer}, taken out of this thread's scratch until {@link #giveReadBuffer}: for a
     * caller that hands it to code it does not control (a stream of any filesystem provider,
     * which could hash another file on this thread before it returns), so that such a nested
     * user makes its own array instead of writing into the one the caller is reading into.
     */
    static byte[] takeReadBuffer(int length) {
        byte[] buffer = readBuffer(length);
        byte[][] slot = READ_BUFFER.get();
        if (slot[0] == buffer) {
            slot[0] = TAKEN;
        }
        return buffer;
    }

    /** Gives back an array taken by {@link #takeReadBuffer}, unless a nested user left a larger one. */
    static void giveReadBuffer(byte[] used) {
        byte[][] slot = READ_BUFFER.get();
        if (used.length <= READ_BUFFER_AT_MOST && slot[0].length <= used.length) {
            slot[0] = used;
        }
    }

    /**
     * An array of at least {@code length} bytes to read back into (or to read a file into, to
     * hash it), this thread's when {@code length} is at most {@value #READ_BUFFER_AT_MOST}; its
     * bytes are whatever an earlier read left, to be overwritten by the caller's read before any
     * is looked at.
     */
    static byte[] readBuffer(int length) {
        if (length > READ_BUFFER_AT_MOST) {
            return new byte[length];
        }
        byte[][] slot = READ_BUFFER.get();
        if (slot[0].length < length) {
            slot[0] = new byte[Math.max(length, Math.min(READ_BUFFER_AT_MOST, 2 * slot[0].length))];
        }
        return slot[0];
    }
}
