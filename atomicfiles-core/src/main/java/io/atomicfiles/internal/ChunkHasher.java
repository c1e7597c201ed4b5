package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Hashes the full chunks of large content ({@link ContentSink}) into one digest in the order
 * they are queued, on at most one background thread at a time: the thread that starts keeps
 * taking queued chunks until none is left, so a steady stream of chunks costs one hand-off, not
 * one per chunk. A hashed chunk goes back to the free list, from which the writer takes the next
 * chunk to fill; at most {@code maxChunks} chunks exist, so a writer faster than the hashing
 * waits for it, and a chunk is refilled only once its hashing is done: the digest sees exactly
 * the bytes that were written.
 *
 * <p>All methods but the hashing itself are called by the one writer's thread.
 */
final class ChunkHasher {
    private final MessageDigest digest;
    private final int maxChunks;
    private final Supplier<ByteBuffer> newChunk;
    /** Voids the content and makes the exception that says why: (step, cause). */
    private final BiFunction<String, Throwable, IOException> failed;

    private final ConcurrentLinkedQueue<ByteBuffer> queued = new ConcurrentLinkedQueue<>();
    private final LinkedBlockingQueue<ByteBuffer> free = new LinkedBlockingQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Throwable failure;
    /** Chunks that exist, the one being filled included. */
    private int chunks = 1;
    /** Chunks queued and not yet taken back from the free list. */
    private int inFlight;

    /**
     * @param digest the stream's digest; only this hasher updates it until {@link #awaitAll()}
     * @param maxChunks how many chunks may exist, the one being filled included
     * @param newChunk makes a chunk while fewer than {@code maxChunks} exist
     * @param failed voids the content and makes the exception for a failed step
     */
    ChunkHasher(MessageDigest digest, int maxChunks, Supplier<ByteBuffer> newChunk,
            BiFunction<String, Throwable, IOException> failed) {
        this.digest = digest;
        this.maxChunks = maxChunks;
        this.newChunk = newChunk;
        this.failed = failed;
    }

    /**
     * Queues a full chunk (its bytes from its position to its limit); the writer must not
     * change its bytes until {@link #nextBuffer} hands it back.
     */
    void hash(ByteBuffer chunk) {
        inFlight++;
        queued.add(chunk);
        if (running.compareAndSet(false, true)) {
            LibraryThreads.background().execute(this::hashQueued);
        }
    }

    private void hashQueued() {
        do {
            for (ByteBuffer chunk; (chunk = queued.poll()) != null; ) {
                try {
                    if (failure == null) {
                        // A direct chunk is hashed through a small array of the digest's (4 KiB,
                        // in the CPU's cache), not copied whole.
                        digest.update(chunk);
                    }
                } catch (RuntimeException | Error e) {
                    failure = e;
                } finally {
                    free.add(chunk);
                }
            }
            running.set(false);
            // A chunk queued between the last poll and the reset found the flag still set and
            // started nothing: take it on here.
        } while (!queued.isEmpty() && running.compareAndSet(false, true));
    }

    /** A chunk to fill: a hashed one, or a new one while fewer than {@code maxChunks} exist. */
    ByteBuffer nextBuffer() throws IOException {
        ByteBuffer next = free.poll();
        if (next == null && chunks < maxChunks) {
            chunks++;
            return newChunk.get();
        }
        if (next == null) {
            next = take();
        } else {
            inFlight--;
        }
        checkFailure();
        return next;
    }

    /**
     * Waits until every queued chunk is hashed and back; afterwards the digest may be read and
     * used, and no chunk is touched by the hashing anymore.
     */
    void awaitAll() throws IOException {
        while (inFlight > 0) {
            take();
        }
        chunks = 1;
        checkFailure();
    }

    /** Whether no chunk is queued or being hashed. */
    boolean idle() {
        return inFlight == 0;
    }

    private ByteBuffer take() throws IOException {
        try {
            ByteBuffer chunk = free.take();
            inFlight--;
            return chunk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed.apply("wait for hashing", e);
        }
    }

    private void checkFailure() throws IOException {
        if (failure != null) {
            throw failed.apply("hash content", failure);
        }
    }
}
