package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.IntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;

/**
 * The read-back of the temp file a {@link ContentSink} streams content into, and the forcing it
 * waits for: proves that the bytes on disk are the bytes written, mostly while the content is
 * still being written. One per sink, called by the sink's writer thread (an abandon may come
 * from another, see {@link ContentSink#abandon()}); the background work it starts is its own.
 *
 * <p>The read-back is compared by CRC32C, not by a second SHA-256: each chunk's CRC32C is
 * taken as it is written (on the writer's thread, from the very bytes handed to the channel),
 * and each chunk read back must have the same CRC32C. The read-back is an accidental-corruption
 * check (a disk, controller, driver or filesystem that returns other bytes than it was given),
 * not a defence against an adversary, and a CRC32C per chunk of {@value ContentSink#CHUNK_BYTES}
 * bytes detects every error burst up to 32 bits and any other corruption of a chunk with
 * probability 1 - 2<sup>-32</sup>; {@link java.util.zip.CRC32C} is a CPU intrinsic running at
 * many GiB/s, where a second SHA-256 pass cost as much CPU as the first. The SHA-256, computed
 * once on the stream ({@link ContentSink}), is the checksum the write reports and publishes.
 *
 * <p>In the order the sink calls it:
 * <ul>
 *   <li>{@link #checksum} and {@link #written}, for every write to the file: the CRC32C of each
 *       chunk, recorded as it is written (when verifying);</li>
 *   <li>{@link #ahead}, for large content after each full chunk: every
 *       {@value ContentSink#OVERLAP_EVERY_BYTES} bytes a background thread forces what has been
 *       written so far ({@code fdatasync}, when durable), and another reads back what has been
 *       forced and checks each chunk's CRC32C (when verifying); neither waits for the other, so
 *       the read-back (copy and CRC32C, CPU) runs while the next range is being flushed (waiting
 *       on the disk). The final fsync then has only the tail left to flush and the read-back
 *       only the tail to read;</li>
 *   <li>{@link #awaitSyncing}, the sink's final fsync, {@link #awaitReading}, then
 *       {@link #readRest}: the rest read back, and the file's size checked.</li>
 * </ul>
 * A byte is never read back before it was forced (when the write is durable), and always
 * through the open channel, never by name. A failure of background work fails the write when
 * it is awaited, and voids the sink's content for good ({@link #failed()}).
 */
final class ReadBack {
    private final FileChannel channel;
    private final String operation;
    private final Path target;
    private final boolean syncFile;
    private final boolean verify;
    /** Background work failed: the sink's content is void, the write fails for good. */
    private boolean failed;

    /**
     * CRC32C of each chunk as written ({@code null} when not verifying): chunk {@code i} covers
     * bytes {@code [i * CHUNK_BYTES, min((i + 1) * CHUNK_BYTES, size))}, since every chunk but the
     * last is full. Written by the writer's thread only; a background read-back gets a copy of
     * the part it checks.
     */
    private int[] chunkCrcs;
    private int chunkCount;
    /**
     * The CRC32C of the bytes of the current chunk written so far ({@code null} when not
     * verifying); recorded in {@link #chunkCrcs} and reset when the chunk ends. A chunk is
     * written in one piece, except the first after a direct first write
     * ({@link ContentSink#write(byte[], int, int)}): its CRC32C then runs over the caller's bytes
     * and the rest of the chunk.
     */
    private final CRC32C crc;
    /** Some bytes of the current chunk are written and in {@link #crc}, not yet recorded. */
    private boolean chunkOpen;
    /**
     * Direct (from {@link DirectChunks}) for large content, else this thread's read-back array
     * ({@link SmallWriteScratch}) during {@link ContentSink#finish()}, dropped when it returns.
     */
    private ByteBuffer readBuffer;
    private boolean readBufferPooled;
    /** {@code null} when not verifying. */
    private final CRC32C readCrc;
    /** Bytes forced by a finished background fdatasync; only these may be read back early. */
    private long syncedUpTo;
    private long syncRequestedUpTo;
    /** Bytes read back and found equal to what was written, so far. */
    private long readBackUpTo;
    private Future<Long> syncing;
    private Future<Long> reading;

    /**
     * @param channel the temp file, open for reading and writing
     * @param target the file being written, for error messages
     * @param syncFile whether the write is durable: forced ahead, and read back only once forced
     * @param verify whether to take each chunk's CRC32C and read the content back
     */
    ReadBack(FileChannel channel, String operation, Path target, boolean syncFile, boolean verify) {
        this.channel = channel;
        this.operation = operation;
        this.target = target;
        this.syncFile = syncFile;
        this.verify = verify;
        this.chunkCrcs = verify ? new int[4] : null;
        this.crc = verify ? new CRC32C() : null;
        this.readCrc = verify ? new CRC32C() : null;
    }

    /**
     * When verifying, adds {@code bytes} (from its position to its limit, which it leaves as they
     * are) to the current chunk's CRC32C. Called just before they are handed to the channel: the
     * CRC32C is that of the very bytes written.
     */
    void checksum(ByteBuffer bytes) {
        if (verify) {
            int start = bytes.position();
            crc.update(bytes);
            bytes.position(start);
        }
    }

    /**
     * The bytes last checksummed are written; when they end the chunk ({@code endsChunk}), its
     * CRC32C is recorded, and the next bytes start the next chunk.
     */
    void written(boolean endsChunk) {
        if (verify) {
            chunkOpen = true;
            if (endsChunk) {
                recordChunkCrc();
            }
        }
    }

    /** Records the current chunk's CRC32C when some of its bytes are written and it is not yet recorded. */
    void endChunk() {
        if (chunkOpen) {
            recordChunkCrc();
        }
    }

    /** Records the current chunk's CRC32C, as written; the next bytes start the next chunk. */
    private void recordChunkCrc() {
        if (chunkCount == chunkCrcs.length) {
            chunkCrcs = Arrays.copyOf(chunkCrcs, chunkCount * 2);
        }
        chunkCrcs[chunkCount++] = (int) crc.getValue();
        crc.reset();
        chunkOpen = false;
    }

    /**
     * Large content: a full chunk was written, {@code size} bytes in all. Forces ahead (when
     * durable) and reads back ahead (when verifying), each when its turn has come.
     */
    void ahead(long size) throws IOException {
        if (syncFile) {
            syncAhead(size);
        }
        if (verify) {
            readBackAhead(size);
        }
    }

    /**
     * Every {@value ContentSink#OVERLAP_EVERY_BYTES} bytes, forces what is written so far on a
     * background thread ({@code fdatasync}), one at a time, so that the final fsync finds little
     * left to flush and the read-back may start early.
     */
    private void syncAhead(long size) throws IOException {
        if (syncing != null && syncing.isDone()) {
            syncedUpTo = await(syncing, "fdatasync temp file");
            syncing = null;
        }
        if (syncing == null && size - syncRequestedUpTo >= ContentSink.OVERLAP_EVERY_BYTES) {
            long upTo = size;
            syncRequestedUpTo = upTo;
            syncing = LibraryThreads.background().submit(() -> {
                try {
                    channel.force(false);
                } catch (IOException e) {
                    throw Fsync.failure(operation, target, "fdatasync temp file", e);
                }
                return upTo;
            });
        }
    }

    /**
     * Reads back, on a background thread and one range at a time, what is already forced (or,
     * when the write is not durable, what is written, in ranges of at least
     * {@value ContentSink#OVERLAP_EVERY_BYTES} bytes): a byte is never read back before it was
     * forced.
     */
    private void readBackAhead(long size) throws IOException {
        if (reading != null && reading.isDone()) {
            readBackUpTo = await(reading, "read back temp file");
            reading = null;
        }
        long readable = syncFile ? syncedUpTo : size;
        long least = syncFile ? 1 : ContentSink.OVERLAP_EVERY_BYTES;
        if (reading == null && readable - readBackUpTo >= least) {
            long from = readBackUpTo;
            int[] expected = crcsFrom(from);
            // Large content, whose chunks went through the hasher: read into a direct buffer.
            reading = LibraryThreads.background().submit(() -> readBack(from, readable, expected, 0, true));
        }
    }

    /** Waits for the background fdatasync, if one runs; its failure fails the write. */
    void awaitSyncing() throws IOException {
        if (syncing != null) {
            syncedUpTo = await(syncing, "fdatasync temp file");
            syncing = null;
        }
    }

    /** Waits for the background read-back, if one runs; its failure fails the write. */
    void awaitReading() throws IOException {
        if (reading != null) {
            readBackUpTo = await(reading, "read back temp file");
            reading = null;
        }
    }

    /**
     * When verifying, once the whole content of {@code size} bytes is written and (when durable)
     * forced: reads back what the background read-back has not, and checks the file's size.
     *
     * @param chunked whether the content went through chunks hashed in the background (large
     *     content)
     * @throws IntegrityException when a chunk read back has another CRC32C than it was written
     *     with, or the file has another size
     */
    void readRest(long size, boolean chunked) throws IOException {
        if (!verify) {
            return;
        }
        // Large content reads into a direct buffer: content that went through chunks, and content
        // of up to two chunks whose first began with a direct write and which had no chunk hashed
        // in the background yet.
        boolean direct = chunked || size > ContentSink.CHUNK_BYTES;
        int first = (int) (readBackUpTo / ContentSink.CHUNK_BYTES);
        readBackUpTo = readBack(readBackUpTo, size, chunkCrcs, first, direct);
        long onDisk = channel.size();
        if (onDisk != size) {
            throw new IntegrityException(operation, target, "temp file read back (" + onDisk + " bytes on"
                    + " disk, " + size + " written)", "size", Long.toString(size), Long.toString(onDisk));
        }
    }

    /** Whether background work failed: the sink's content is then void, whatever comes after. */
    boolean failed() {
        return failed;
    }

    /** Gives the read buffer back once no read-back is running (else it is left to the garbage collector). */
    void releaseReadBuffer() {
        if (readBufferPooled && (reading == null || reading.isDone())) {
            DirectChunks.give(readBuffer);
            readBuffer = null;
            readBufferPooled = false;
        } else if (!readBufferPooled) {
            // This thread's array (or one of its own): the sink keeps no hold on it.
            readBuffer = null;
        }
    }

    /**
     * The content is being discarded: waits for the background work on the channel, whose
     * failure no longer matters, then drops the read buffer without giving it back (see
     * {@link ContentSink#abandon()}).
     */
    void abandon() {
        awaitQuietly(syncing);
        awaitQuietly(reading);
        readBuffer = null;
        readBufferPooled = false;
    }

    private static void awaitQuietly(Future<Long> work) {
        if (work == null) {
            return;
        }
        try {
            work.get();
        } catch (ExecutionException | RuntimeException e) {
            // The content is being discarded; its background failure no longer matters.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The result of background work; its failure fails the write. */
    private long await(Future<Long> work, String step) throws IOException {
        try {
            return work.get();
        } catch (ExecutionException e) {
            failed = true;
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            throw AtomicWriteException.failed(operation, target, step, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = true;
            throw AtomicWriteException.failed(operation, target, "wait for " + step, e);
        }
    }

    /** The CRC32Cs of the chunks written from {@code from} (a chunk boundary) on, copied for a reader. */
    private int[] crcsFrom(long from) {
        return Arrays.copyOfRange(chunkCrcs, (int) (from / ContentSink.CHUNK_BYTES), chunkCount);
    }

    /**
     * Reads {@code [from, to)} of the temp file back through its open channel (never by name:
     * the name could have been replaced meanwhile), chunk by chunk, and compares each chunk's
     * CRC32C with the one taken as it was written. {@code from} is a chunk boundary, and so is
     * {@code to} unless it is the end of the content: every chunk but the last is full.
     *
     * @param expected the CRC32Cs of the chunks, that of the chunk at {@code from} at {@code first}
     * @param first the index in {@code expected} of the chunk at {@code from}
     * @param direct whether to read into a direct buffer: large content (see {@link #readBuffer})
     * @return {@code to}
     * @throws IntegrityException at the first chunk read back with another CRC32C, or when the
     *     file ends before {@code to}
     */
    private long readBack(long from, long to, int[] expected, int first, boolean direct) throws IOException {
        ByteBuffer view = readBuffer(to - from, direct);
        long position = from;
        try {
            for (int index = 0; position < to; index++) {
                long chunkEnd = Math.min(position + ContentSink.CHUNK_BYTES, to);
                view.clear().limit((int) (chunkEnd - position));
                while (view.hasRemaining()) {
                    if (channel.read(view, position + view.position()) < 0) {
                        break;
                    }
                }
                int n = view.position();
                readCrc.reset();
                readCrc.update(view.flip());
                int actual = (int) readCrc.getValue();
                if (n < chunkEnd - position) {
                    throw new IntegrityException(operation, target, "temp file read back (shorter than written)",
                            "size", Long.toString(to), Long.toString(position + n));
                }
                if (actual != expected[first + index]) {
                    throw new IntegrityException(operation, target, "temp file read back (bytes " + position
                            + " to " + chunkEnd + ")", "CRC32C", crcHex(expected[first + index]), crcHex(actual));
                }
                position = chunkEnd;
            }
        } catch (IntegrityException e) {
            throw e;
        } catch (IOException e) {
            throw AtomicWriteException.failed(operation, target, "read back temp file", e);
        }
        return position;
    }

    /**
     * The buffer the read-back reads into: for large content ({@code direct}) a direct one, which
     * the channel reads into without a copy and CRC32C checks in place; for small content (up to
     * one chunk, read back only by {@link ContentSink#finish()}, on the caller's thread) a heap
     * buffer of at least the content's size, this thread's ({@link SmallWriteScratch}) unless
     * large.
     */
    private ByteBuffer readBuffer(long left, boolean direct) {
        if (readBuffer == null && direct) {
            readBuffer = DirectChunks.take();
            readBufferPooled = true;
        }
        int wanted = (int) Math.min(ContentSink.CHUNK_BYTES, Math.max(1, left));
        if (readBuffer == null || readBuffer.capacity() < wanted) {
            readBuffer = ByteBuffer.wrap(SmallWriteScratch.readBuffer(wanted));
        }
        return readBuffer;
    }

    private static String crcHex(int crc) {
        return String.format("%08x", crc);
    }
}
