package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.ProgressListener;
import java.io.IOException;
import java.io.SyncFailedException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The content path of a write: every byte given reaches the temp file in order, the SHA-256
 * reported is that of the file, and a read-back that differs from what was written is an
 * {@link IntegrityException}. Sizes straddle the boundaries where the sink changes what it
 * does: its growing first buffer, a chunk, the chunk rotation, the background read-back.
 */
class ContentSinkTest {
    private static final int CHUNK = ContentSink.CHUNK_BYTES;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, ContentSink.MIN_BUFFER_BYTES - 1, ContentSink.MIN_BUFFER_BYTES,
            ContentSink.MIN_BUFFER_BYTES + 1, 1024, 8 * 1024 + 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK,
            ContentSink.CHUNKS * CHUNK + 7, 11 * CHUNK + 12345})
    void everySizeArrivesWholeWithItsChecksum(int size) throws IOException {
        Path file = dir.resolve("content.bin");
        String expectedHex;
        try (FileChannel channel = open(file)) {
            ContentSink sink = sink(channel, true, true);
            MessageDigest expected = Hashing.sha256();
            feed(sink, expected, size, new Random(size));

            ContentSink.Written written = sink.finish();

            expectedHex = Hashing.hex(expected.digest());
            assertThat(written.size()).isEqualTo(size);
            assertThat(written.sha256()).isEqualTo(expectedHex);
        }
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(Hashing.sha256Hex(file)).as("the bytes on disk are the bytes fed, in order").isEqualTo(expectedHex);
    }

    @ParameterizedTest
    @CsvSource({"true, true", "false, true", "true, false"})
    void contentPastTheBackgroundWorkArrivesWhole(boolean sync, boolean verify) throws IOException {
        long size = 2 * ContentSink.OVERLAP_EVERY_BYTES + 3 * CHUNK + 99;
        Path file = dir.resolve("large.bin");
        String reported;
        try (FileChannel channel = open(file)) {
            ContentSink sink = sink(channel, sync, verify);
            MessageDigest expected = Hashing.sha256();
            feed(sink, expected, size, new Random(7));
            reported = sink.finish().sha256();
            assertThat(reported).isEqualTo(Hashing.hex(expected.digest()));
        }
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(Hashing.sha256Hex(file)).isEqualTo(reported);
    }

    @Test
    void aFailedBackgroundFsyncFailsTheWriteForGood() throws IOException {
        Path file = dir.resolve("unsynced.bin");
        try (FileChannel channel = new CorruptingChannel(open(file), -1).failForce()) {
            ContentSink sink = sink(channel, true, true);

            // The background fdatasync fails while content still arrives, or by the end at the latest.
            assertThatThrownBy(() -> {
                feed(sink, Hashing.sha256(), 2 * ContentSink.OVERLAP_EVERY_BYTES, new Random(3));
                sink.finish();
            }).isInstanceOf(AtomicWriteException.class).hasCauseInstanceOf(SyncFailedException.class);
            assertThatThrownBy(() -> sink.write(1)).isInstanceOf(IOException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {100, CHUNK + 5, 3 * CHUNK + 5})
    void aByteReadBackWrongIsAnIntegrityException(long corruptAt) throws IOException {
        Path file = dir.resolve("corrupt.bin");
        try (FileChannel channel = new CorruptingChannel(open(file), corruptAt)) {
            ContentSink sink = sink(channel, true, true);
            feed(sink, Hashing.sha256(), 4L * CHUNK, new Random(1));

            assertThatThrownBy(sink::finish).isInstanceOf(IntegrityException.class);
            assertThatThrownBy(() -> sink.write(1)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aByteReadBackWrongInTheBackgroundReadBackIsAnIntegrityException() throws IOException {
        Path file = dir.resolve("corrupt-large.bin");
        try (FileChannel channel = new CorruptingChannel(open(file), 1000)) {
            ContentSink sink = sink(channel, true, true);
            feed(sink, Hashing.sha256(), ContentSink.OVERLAP_EVERY_BYTES + 2L * CHUNK, new Random(2));

            assertThatThrownBy(sink::finish).isInstanceOf(IntegrityException.class);
        }
    }

    @Test
    void aFailedWriteVoidsTheContent() throws IOException {
        Path file = dir.resolve("failing.bin");
        try (FileChannel channel = new CorruptingChannel(open(file), -1).failWritesFrom(2 * CHUNK)) {
            ContentSink sink = sink(channel, true, true);
            byte[] piece = new byte[CHUNK];

            assertThatThrownBy(() -> {
                for (int i = 0; i < 8; i++) {
                    sink.write(piece);
                }
            }).isInstanceOf(AtomicWriteException.class);
            sink.abandon();
            assertThatThrownBy(() -> sink.write(piece)).isInstanceOf(IOException.class);
            assertThatThrownBy(sink::finish).isInstanceOf(IOException.class);
        }
    }

    private static ContentSink sink(FileChannel channel, boolean sync, boolean verify) {
        return new ContentSink(channel, "write", Path.of("target.bin"), sync, verify, ProgressListener.none());
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    /** Feeds {@code size} pseudo-random bytes in pieces of varying length, the short ones byte by byte. */
    private static void feed(ContentSink sink, MessageDigest expected, long size, Random random) throws IOException {
        byte[] piece = new byte[3 * CHUNK];
        for (long left = size; left > 0; ) {
            int n = (int) Math.min(left, 1 + random.nextInt(piece.length));
            random.nextBytes(piece);
            if (n < 4) {
                for (int i = 0; i < n; i++) {
                    sink.write(piece[i]);
                }
            } else {
                sink.write(piece, 0, n - 1);
                sink.write(piece[n - 1]);
            }
            expected.update(piece, 0, n);
            left -= n;
        }
    }

    /** A channel whose positional reads see one byte flipped, and whose writes may fail past a point. */
    static final class CorruptingChannel extends FileChannel {
        private final FileChannel real;
        private final long corruptAt;
        private long failWritesFrom = Long.MAX_VALUE;
        private boolean failForce;

        CorruptingChannel(FileChannel real, long corruptAt) {
            this.real = real;
            this.corruptAt = corruptAt;
        }

        CorruptingChannel failForce() {
            this.failForce = true;
            return this;
        }

        CorruptingChannel failWritesFrom(long position) {
            this.failWritesFrom = position;
            return this;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            int start = dst.position();
            int n = real.read(dst, position);
            if (n > 0 && corruptAt >= position && corruptAt < position + n) {
                int index = start + (int) (corruptAt - position);
                dst.put(index, (byte) (dst.get(index) ^ 0x10));
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (real.position() + src.remaining() > failWritesFrom) {
                throw new IOException("injected: no space left on device");
            }
            return real.write(src);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (failForce) {
                throw new IOException("injected: I/O error on fsync");
            }
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return real.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
