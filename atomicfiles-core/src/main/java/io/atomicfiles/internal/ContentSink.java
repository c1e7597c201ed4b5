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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Streams content into a temp file in fixed chunks, computing its SHA-256 in the same pass,
 * then makes it durable and, when asked, reads it back to prove the bytes on disk are the
 * bytes written. Memory use is two chunks, whatever the size of the content.
 *
 * <p>Large content (over {@value #OVERLAP_EVERY_BYTES} bytes) overlaps the slow parts with the
 * writing: every {@value #OVERLAP_EVERY_BYTES} bytes a background thread forces what has been
 * written so far ({@code fdatasync}) and reads it back into a second digest. The final fsync
 * then has only the tail left to flush and the read-back only the tail left to read. The
 * guarantees are those of the plain order (write all, fsync, read all back): every byte is
 * read back after it was forced, and nothing is published before both digests agree.
 */
public final class ContentSink extends OutputStream {
    static final int CHUNK_BYTES = 512 * 1024;
    static final long OVERLAP_EVERY_BYTES = 64L << 20;

    private final FileChannel channel;
    private final String operation;
    private final Path target;
    private final boolean syncFile;
    private final boolean verify;
    private final ProgressListener progress;

    private final byte[] buffer = new byte[CHUNK_BYTES];
    private int fill;
    private final MessageDigest written = Hashing.sha256();
    private long size;

    private final MessageDigest readBack;
    private byte[] readBuffer;
    private long readBackUpTo;
    private long syncedUpTo;
    private Future<Void> overlap;

    private boolean finished;
    private boolean broken;

    /**
     * @param channel the temp file, open for reading and writing, positioned at 0
     * @param target the file being written, for error messages
     * @param syncFile whether to force the content to disk before {@link #finish()} returns
     * @param verify whether to read the content back and compare digests
     */
    public ContentSink(FileChannel channel, String operation, Path target, boolean syncFile, boolean verify,
            ProgressListener progress) {
        this.channel = channel;
        this.operation = operation;
        this.target = target;
        this.syncFile = syncFile;
        this.verify = verify;
        this.progress = progress;
        this.readBack = verify ? Hashing.sha256() : null;
    }

    /** What {@link #finish()} proves about the temp file. */
    public record Written(long size, String sha256) {
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (fill == buffer.length) {
            drain();
        }
        buffer[fill++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        while (length > 0) {
            if (fill == buffer.length) {
                drain();
            }
            int n = Math.min(length, buffer.length - fill);
            System.arraycopy(bytes, offset, buffer, fill, n);
            fill += n;
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
        return size + fill;
    }

    /**
     * Writes the last chunk, forces the file (when durable) and reads it back (when verifying).
     *
     * @throws IntegrityException when the bytes read back differ from the bytes written
     */
    public Written finish() throws IOException {
        ensureOpen();
        try {
            drain();
            awaitOverlap();
            if (syncFile) {
                // Step 4: force the content (and size) to disk before the name can point at it.
                Fsync.file(channel, operation, target, "fsync temp file");
            }
            String sha256 = Hashing.hex(written.digest());
            if (verify) {
                readBack(readBackUpTo, size);
                String actual = Hashing.hex(readBack.digest());
                long onDisk = channel.size();
                if (!actual.equals(sha256) || onDisk != size) {
                    throw new IntegrityException(operation, target, "temp file read back (" + onDisk + " of " + size
                            + " bytes)", sha256, actual);
                }
            }
            finished = true;
            return new Written(size, sha256);
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e;
        }
    }

    /** Abandons the content: waits for background work on the channel so it can be closed. */
    public void abandon() {
        broken = true;
        if (overlap != null) {
            try {
                overlap.get();
            } catch (ExecutionException | RuntimeException e) {
                // The content is being discarded; its background failure no longer matters.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void ensureOpen() throws IOException {
        if (broken) {
            throw new IOException("content of " + target + " was abandoned after an error; the write is void");
        }
        if (finished) {
            throw new IllegalStateException("content of " + target + " is already complete");
        }
    }

    /** Step 3: hash and write one chunk, then report progress and start overlapped work. */
    private void drain() throws IOException {
        if (fill == 0) {
            return;
        }
        written.update(buffer, 0, fill);
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, fill);
        try {
            while (chunk.hasRemaining()) {
                channel.write(chunk);
            }
        } catch (IOException e) {
            broken = true;
            throw AtomicWriteException.failed(operation, target, "write temp file", e);
        }
        size += fill;
        fill = 0;
        progress.progressed(size);
        if (size - syncedUpTo >= OVERLAP_EVERY_BYTES && (syncFile || verify)) {
            startOverlap();
        }
    }

    private void startOverlap() throws IOException {
        if (overlap != null) {
            if (!overlap.isDone()) {
                return;
            }
            awaitOverlap();
        }
        long upTo = size;
        overlap = LibraryThreads.background().submit(() -> {
            if (syncFile) {
                try {
                    channel.force(false);
                } catch (IOException e) {
                    throw Fsync.failure(operation, target, "fdatasync temp file", e);
                }
            }
            if (verify) {
                readBack(readBackUpTo, upTo);
            }
            syncedUpTo = upTo;
            return null;
        });
    }

    private void awaitOverlap() throws IOException {
        if (overlap == null) {
            return;
        }
        Future<Void> pending = overlap;
        overlap = null;
        try {
            pending.get();
        } catch (ExecutionException e) {
            broken = true;
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            throw AtomicWriteException.failed(operation, target, "background fsync/read-back", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broken = true;
            throw AtomicWriteException.failed(operation, target, "wait for background fsync", e);
        }
    }

    /** Reads {@code [from, to)} of the temp file into the read-back digest. */
    private void readBack(long from, long to) throws IOException {
        if (readBuffer == null) {
            readBuffer = new byte[CHUNK_BYTES];
        }
        ByteBuffer view = ByteBuffer.wrap(readBuffer);
        long position = from;
        try {
            while (position < to) {
                view.clear().limit((int) Math.min(readBuffer.length, to - position));
                int n = channel.read(view, position);
                if (n < 0) {
                    break;
                }
                readBack.update(readBuffer, 0, n);
                position += n;
            }
        } catch (IOException e) {
            throw AtomicWriteException.failed(operation, target, "read back temp file", e);
        }
        readBackUpTo = position;
    }
}
