package io.atomicfiles.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The direct buffers of {@value ContentSink#CHUNK_BYTES} bytes that large content is streamed
 * through ({@link ContentSink}), reused from one write to the next.
 *
 * <p>Why direct: a {@code FileChannel} reads and writes a heap buffer through a temporary direct
 * buffer of its own, one more copy of every byte in each direction (the JDK's
 * {@code sun.nio.ch.IOUtil}); from a direct buffer the kernel copies straight from or into it, and
 * {@link java.util.zip.CRC32C} checks it in place.
 *
 * <p>Why a pool: a direct buffer's memory is given back only when the garbage collector finds
 * the buffer unreachable, which a write that allocates little on the heap may not cause for a
 * long time (and a JVM run with {@code -XX:+DisableExplicitGC} cannot be made to); writes that
 * each allocated new buffers would run into {@code -XX:MaxDirectMemorySize}. So a buffer is
 * given back here when its write no longer touches it, and the next large write takes it again.
 * At most {@value #POOLED_AT_MOST} buffers (4 MiB) wait here; more than that, made by large
 * writes running at the same time, are dropped when given back and freed by the collector. (The
 * JDK's own temporary buffers, which this replaces, are kept per thread and unbounded in number
 * of threads.)
 */
final class DirectChunks {
    /** Buffers kept for reuse at most: two large writes' worth (three chunks and a read buffer each). */
    static final int POOLED_AT_MOST = 2 * (ContentSink.CHUNKS + 1);

    private static final ArrayDeque<ByteBuffer> POOL = new ArrayDeque<>();

    private DirectChunks() {
    }

    /** A direct buffer of {@value ContentSink#CHUNK_BYTES} bytes, cleared: a pooled one, or a new one. */
    static ByteBuffer take() {
        ByteBuffer buffer;
        synchronized (POOL) {
            buffer = POOL.pollFirst();
        }
        if (buffer == null) {
            return ByteBuffer.allocateDirect(ContentSink.CHUNK_BYTES);
        }
        return buffer.clear();
    }

    /**
     * Gives back a buffer taken here. The caller must be sure that no thread touches it anymore:
     * the next write may take it at once.
     */
    static void give(ByteBuffer buffer) {
        synchronized (POOL) {
            for (ByteBuffer pooled : POOL) {
                if (pooled == buffer) {
                    // Given back twice: pooling it twice would hand one buffer to two writes.
                    return;
                }
            }
            if (POOL.size() < POOLED_AT_MOST) {
                POOL.addFirst(buffer);
            }
        }
    }

    /** How many buffers wait for reuse (for tests). */
    static int pooled() {
        synchronized (POOL) {
            return POOL.size();
        }
    }
}
