package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.ProgressListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Streams content into a temp file in chunks, computing its SHA-256 in the same pass, then
 * makes it durable and, when asked, reads it back to prove the bytes on disk are the bytes
 * written. Memory use is a few chunks, whatever the size of the content.
 *
 * <p>The SHA-256, computed once on the stream, is the checksum the write reports and publishes.
 * The read-back compares each chunk's CRC32C, taken as it was written, with that of the chunk
 * read back; that, and the forcing it waits for, is {@link ReadBack}'s (which says why CRC32C and
 * not a second SHA-256).
 *
 * <p>Small content (up to one chunk) is hashed and written on the caller's thread and hands
 * nothing to other threads. Its first write (most small content is one write of one array) is
 * hashed, checksummed and written to the file from the caller's array during the call, with no
 * copy. Later writes go to a buffer that grows with them (made as large as the first buffered
 * write, at least {@value #MIN_BUFFER_BYTES} bytes, then doubled up to the rest of the first
 * chunk), written at {@link #writeOut()}; so a 1 KiB write allocates no content buffer at all.
 * Its digest and read-back array are this thread's previous small write's
 * ({@link SmallWriteScratch}), and CRC32C objects exist only when verifying.
 *
 * <p>Large content keeps three kinds of work apart, so that they run side by side:
 * <ul>
 *   <li>the caller's thread copies content into a chunk and writes the chunk to the file. The
 *       chunks are direct buffers ({@link DirectChunks}, reused across writes): the channel
 *       writes them as they are, where it copies a heap array into a temporary direct buffer of
 *       its own first, one more copy of every byte; the read-back reads into a direct buffer for
 *       the same reason;</li>
 *   <li>a background thread hashes each full chunk while it is being written, in order
 *       ({@link ChunkHasher}). A chunk is refilled only once its hashing is done, so the digest sees
 *       exactly the bytes that were written;</li>
 *   <li>every {@value #OVERLAP_EVERY_BYTES} bytes a background thread forces what has been
 *       written so far ({@code fdatasync}), and another reads back what has been forced and
 *       checks each chunk's CRC32C ({@link ReadBack}); neither waits for the other, so the
 *       read-back (copy and CRC32C, CPU) runs while the next range is being flushed (waiting on
 *       the disk). The final fsync then has only the tail left to flush and the read-back only
 *       the tail to read.</li>
 * </ul>
 * The guarantees are those of the plain order (write all, fsync, read all back): every byte
 * is read back after it was forced, and {@link #finish()} returns only when the SHA-256 covers
 * the whole content and every chunk read back has the CRC32C it was written with; nothing is
 * published before.
 */
public final class ContentSink extends OutputStream {
    static final int CHUNK_BYTES = 512 * 1024;
    /** The smallest buffer made: the first write's size, or this when smaller (see {@link #makeRoom}). */
    static final int MIN_BUFFER_BYTES = 256;
    private static final byte[] NO_BUFFER = new byte[0];
    /** Chunks in rotation: one being filled while others are still being hashed. */
    static final int CHUNKS = 3;
    static final long OVERLAP_EVERY_BYTES = 64L << 20;

    private final FileChannel channel;
    private final String operation;
    private final Path target;
    private final boolean syncFile;
    private final ProgressListener progress;

    /** Small content: the growing heap buffer, {@link #fill} bytes of it used. */
    private byte[] buffer = NO_BUFFER;
    private int fill;
    /**
     * Large content (from the moment it outgrows one chunk until {@link #writeOut()}): the direct
     * chunk being filled, its position the number of bytes in it. Direct, so that the channel
     * writes it without copying it into a temporary direct buffer first ({@link DirectChunks}).
     */
    private ByteBuffer current;
    /** The direct buffers taken for chunks, given back to {@link DirectChunks} once idle. */
    private final List<ByteBuffer> chunksTaken = new ArrayList<>(CHUNKS);
    /**
     * The content's SHA-256. Small content's comes from this thread's {@link SmallWriteScratch}
     * and goes back there once digested: cloning a digest copies its whole state.
     */
    private final MessageDigest written;
    /** Made with the first full chunk: small content (most writes) is hashed on this thread alone. */
    private ChunkHasher hasher;
    private long size;
    /** Each chunk's CRC32C as written, the forcing ahead and the read-back; owned by this sink. */
    private final ReadBack readBack;

    private boolean finished;
    private boolean broken;
    /** {@link #writeOut()} was called: the content is complete, only {@link #finish()} may follow. */
    private boolean writtenOut;

    /**
     * @param channel the temp file, open for reading and writing, positioned at 0
     * @param target the file being written, for error messages
     * @param syncFile whether to force the content to disk before {@link #finish()} returns
     * @param verify whether to read the content back and compare each chunk's CRC32C
     */
    public ContentSink(FileChannel channel, String operation, Path target, boolean syncFile, boolean verify,
            ProgressListener progress) {
        this.channel = channel;
        this.operation = operation;
        this.target = target;
        this.syncFile = syncFile;
        this.progress = progress;
        this.written = SmallWriteScratch.takeDigest();
        this.readBack = new ReadBack(channel, operation, target, syncFile, verify);
    }

    /** What {@link #finish()} proves about the temp file. */
    public record Written(long size, String sha256) {
    }

    @Override
    public void write(int b) throws IOException {
        ensureWritable();
        if (current == null && fill == buffer.length) {
            makeRoom(1);
        }
        if (current == null) {
            buffer[fill++] = (byte) b;
            return;
        }
        if (!current.hasRemaining()) {
            drain();
        }
        current.put((byte) b);
    }

    /**
     * Accepts {@code length} bytes of {@code bytes}. The first write of small content (less than
     * a chunk, nothing accepted before it) goes to the file at once, hashed and checksummed from
     * the caller's array and written from it: no copy of it is made, and the caller may change
     * its array as soon as this returns (the bytes published are those given at the call). What
     * follows it fills the rest of the first chunk in a buffer, as small content does.
     */
    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ensureWritable();
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length > 0 && length < CHUNK_BYTES && size == 0 && fill == 0 && current == null) {
            written.update(bytes, offset, length);
            writeToFile(ByteBuffer.wrap(bytes, offset, length), false);
            return;
        }
        while (length > 0) {
            if (current == null && fill == buffer.length) {
                makeRoom(length);
            }
            int n;
            if (current == null) {
                n = Math.min(length, buffer.length - fill);
                System.arraycopy(bytes, offset, buffer, fill, n);
                fill += n;
            } else {
                if (!current.hasRemaining()) {
                    drain();
                }
                n = Math.min(length, current.remaining());
                current.put(bytes, offset, n);
            }
            offset += n;
            length -= n;
        }
    }

    /** Flushing is a no-op: content reaches the file in whole chunks, and at {@link #finish()}. */
    @Override
    public void flush() {
    }

    /**
     * Closing does not finish the content: that is {@link #finish()}, called by the commit.
     * Code that wraps this stream (a Writer, a JSON generator) may close it freely.
     */
    @Override
    public void close() {
    }

    /** The number of bytes accepted so far. */
    public long size() {
        return size + (current == null ? fill : current.position());
    }

    /**
     * Writes what is still buffered (small content: all of it) to the file, in order after every
     * chunk before it and hashed, neither forcing it nor reading it back: the content is then
     * complete in the file, and nothing more may be written. {@link #finish()} does it too (a
     * second call does nothing). A caller calls it first when something must happen between the
     * last write and the fsync (the temp file's stat, see {@code WriteProtocol#stage}), or when it
     * writes many files first and forces them after (a transaction's staging: each fsync then
     * finds the blocks the files share, their folder's and their inode table's, already written
     * by an earlier one).
     */
    public void writeOut() throws IOException {
        ensureOpen();
        writtenOut = true;
        try {
            // The last chunk is hashed here, after every chunk before it: the digest is in order.
            if (hasher != null) {
                hasher.awaitAll();
            }
            if (current != null) {
                // Large content: every chunk but this one is written and hashed; none is in use.
                if (current.flip().hasRemaining()) {
                    written.update(current);
                    writeChunk(current.rewind());
                }
                releaseChunks();
            } else if (fill > 0) {
                written.update(buffer, 0, fill);
                writeChunk(ByteBuffer.wrap(buffer, 0, fill));
                fill = 0;
            } else {
                // Nothing buffered: a direct first write, if any, was the whole content; its
                // CRC32C is the chunk's.
                readBack.endChunk();
            }
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e;
        }
    }

    /**
     * Writes the last chunk, forces the file (when durable) and reads it back (when verifying).
     *
     * @throws IntegrityException when the bytes read back differ from the bytes written (a chunk's
     *     CRC32C differs, or the file has another size)
     */
    public Written finish() throws IOException {
        writeOut();
        try {
            readBack.awaitSyncing();
            if (syncFile) {
                // Step 4: force the content (and size) to disk before the name can point at it.
                Fsync.file(channel, operation, target, "fsync temp file");
            }
            readBack.awaitReading();
            String sha256 = Hashing.hex(written.digest());
            if (hasher == null) {
                // Reset by digest(), and never seen by another thread: the next small write on
                // this thread may take it (SmallWriteScratch). This sink no longer touches it.
                SmallWriteScratch.giveDigest(written);
            }
            // Step 4 (when verifying): everything is forced now, so the rest may be read back;
            // corrupted bytes (a chunk whose CRC32C differs from the one taken as it was written, or
            // a file of another size) are never published.
            readBack.readRest(size, hasher != null);
            finished = true;
            return new Written(size, sha256);
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e;
        } finally {
            readBack.releaseReadBuffer();
        }
    }

    /** Abandons the content: waits for background work on the channel and chunks so they can be dropped. */
    public void abandon() {
        broken = true;
        try {
            if (hasher != null) {
                hasher.awaitAll();
            }
        } catch (IOException e) {
            // The content is being discarded; its digest no longer matters.
        }
        readBack.abandon();
        // The direct buffers are not given back for reuse but left to the garbage collector: an
        // abandon may come from another thread than the writer's (a writer is for one thread, but
        // a close from a watchdog is a likely misuse), and a writer still running must then harm
        // its own void content at most, never a buffer that another write took.
        chunksTaken.clear();
        current = null;
    }

    /**
     * Gives the chunks back to {@link DirectChunks} once no thread can touch them anymore: every
     * chunk handed to the hasher has come back (after {@link ChunkHasher#awaitAll()}). Else (the wait
     * for the hashing was interrupted) they are left to the garbage collector.
     */
    private void releaseChunks() {
        if (hasher != null && !hasher.idle()) {
            return;
        }
        for (ByteBuffer chunk : chunksTaken) {
            DirectChunks.give(chunk);
        }
        chunksTaken.clear();
        current = null;
    }

    /** A direct chunk for this sink, taken from {@link DirectChunks} and given back at the end. */
    private ByteBuffer takeChunk() {
        ByteBuffer chunk = DirectChunks.take();
        chunksTaken.add(chunk);
        return chunk;
    }

    private void ensureWritable() throws IOException {
        ensureOpen();
        if (writtenOut) {
            throw new IllegalStateException("content of " + target + " is already written out");
        }
    }

    private void ensureOpen() throws IOException {
        // A failure of the background fdatasync or read-back voids the content, as a failed write does.
        if (broken || readBack.failed()) {
            throw new IOException("content of " + target + " was abandoned after an error; the write is void");
        }
        if (finished) {
            throw new IllegalStateException("content of " + target + " is already complete");
        }
    }

    /**
     * The buffer is full and {@code wanted} more bytes come: grow it while the content is still
     * small (to twice its size, or to what the pending write needs when that is more, never beyond
     * the rest of the first chunk), else send it off as a chunk. The first buffer is thus the first
     * buffered write's size: it zeroes no more memory than it needs (fresh memory the CPU must fetch
     * on every write).
     */
    private void makeRoom(int wanted) throws IOException {
        // Small content fills the first chunk: what a direct first write put in the file (size)
        // and this buffer.
        int room = CHUNK_BYTES - (int) size;
        if (buffer.length < room) {
            long grown = Math.max(Math.max(2L * buffer.length, MIN_BUFFER_BYTES), (long) fill + wanted);
            buffer = Arrays.copyOf(buffer, (int) Math.min(room, grown));
            return;
        }
        if (size > 0) {
            // The first chunk, begun by a direct first write, ends with this buffer: written now
            // (its CRC32C the one running since), so that every later chunk starts at a chunk
            // boundary, as the read-back's comparison chunk by chunk needs.
            written.update(buffer, 0, fill);
            writeToFile(ByteBuffer.wrap(buffer, 0, fill), true);
            buffer = NO_BUFFER;
            fill = 0;
            current = takeChunk();
            return;
        }
        // Large content from here on: its first chunk moves into a direct one (one copy of one
        // chunk per write), which the next byte sends off (drain).
        current = takeChunk().put(buffer, 0, fill);
        buffer = NO_BUFFER;
        fill = 0;
    }

    /**
     * Step 3 for one full chunk: hashed on a background thread while this thread writes it; then
     * a chunk whose hashing is done is taken to be filled next.
     */
    private void drain() throws IOException {
        if (hasher == null) {
            hasher = new ChunkHasher(written, CHUNKS, this::takeChunk, this::failed);
        }
        current.flip();
        // The hasher reads the chunk through a view of its own: this thread's write moves the
        // chunk's position while the hashing runs.
        hasher.hash(current.duplicate());
        writeChunk(current);
        current = hasher.nextBuffer().clear();
        // Every so many bytes, the background fdatasync and read-back of what came before.
        readBack.ahead(size);
    }

    /**
     * Writes a chunk (its bytes from position 0 to its limit) to the file and reports progress;
     * when verifying, first takes its CRC32C, from the very bytes handed to the channel.
     */
    private void writeChunk(ByteBuffer chunk) throws IOException {
        writeToFile(chunk, true);
    }

    /**
     * Writes {@code bytes} (from its position to its limit) to the file and reports progress;
     * when verifying, first adds them to the current chunk's CRC32C, from the very bytes handed to
     * the channel, and records it when they end the chunk ({@code endsChunk}).
     */
    private void writeToFile(ByteBuffer bytes, boolean endsChunk) throws IOException {
        int length = bytes.remaining();
        readBack.checksum(bytes);
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            broken = true;
            throw AtomicWriteException.failed(operation, target, "write temp file", e);
        }
        size += length;
        readBack.written(endsChunk);
        progress.progressed(size);
    }

    /** Voids the content: a step failed ({@code cause}), and the write with it. */
    private AtomicWriteException failed(String step, Throwable cause) {
        broken = true;
        return AtomicWriteException.failed(operation, target, step, cause);
    }
}
