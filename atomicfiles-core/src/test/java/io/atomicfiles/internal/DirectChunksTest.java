package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ProgressListener;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large content goes through direct chunks that are reused from one write to the next
 * ({@link DirectChunks}): a write gives every buffer back when done (so writes one after another
 * take no new direct memory), the pool stays bounded, an abandoned write gives nothing back (its
 * writer could still be running), and the next write's bytes are intact.
 */
class DirectChunksTest {
    private static final int CHUNK = ContentSink.CHUNK_BYTES;

    @TempDir
    Path dir;

    /** Buffers a large write may hold at once: the chunks in rotation and the read-back's. */
    private static final int PER_WRITE = ContentSink.CHUNKS + 1;

    @BeforeEach
    void emptyThePool() {
        while (DirectChunks.pooled() > 0) {
            DirectChunks.take();
        }
    }

    /** Pools as many buffers as one write may take, so that how many it takes does not depend on timing. */
    private static void poolOneWritesWorth() {
        List<ByteBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < PER_WRITE; i++) {
            buffers.add(DirectChunks.take());
        }
        buffers.forEach(DirectChunks::give);
    }

    @Test
    void largeWritesOneAfterAnotherReuseTheSameDirectMemory() throws IOException {
        poolOneWritesWorth();
        long directBuffers = directPool().getCount();

        String first = writeAndCheck(dir.resolve("first.bin"), 5L * CHUNK + 3, 1);
        assertThat(DirectChunks.pooled()).as("buffers given back by the first write").isEqualTo(PER_WRITE);
        String second = writeAndCheck(dir.resolve("second.bin"), 7L * CHUNK + 11, 2);

        assertThat(second).isNotEqualTo(first);
        assertThat(DirectChunks.pooled()).as("buffers given back by the second write").isEqualTo(PER_WRITE);
        assertThat(directPool().getCount()).as("direct buffers in the JVM after both writes")
                .isLessThanOrEqualTo(directBuffers);
    }

    @Test
    void smallContentTakesNoDirectBuffer() throws IOException {
        writeAndCheck(dir.resolve("small.bin"), CHUNK, 3);

        assertThat(DirectChunks.pooled()).isZero();
    }

    @Test
    void aWriteAbandonedAfterAFailureGivesNothingBackAndTheNextWriteIsIntact() throws IOException {
        poolOneWritesWorth();
        Path failing = dir.resolve("failing.bin");
        try (FileChannel channel = new ContentSinkTest.CorruptingChannel(open(failing), -1)
                .failWritesFrom(2L * CHUNK)) {
            ContentSink sink = new ContentSink(channel, "write", failing, true, true, ProgressListener.none());
            byte[] piece = new byte[CHUNK];
            java.util.Arrays.fill(piece, (byte) 0x5a);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 8; i++) {
                    sink.write(piece);
                }
            }).isInstanceOf(AtomicWriteException.class);
            sink.abandon();
        }
        assertThat(DirectChunks.pooled()).as("an abandoned write's buffers are left to the collector, not reused")
                .isLessThan(PER_WRITE);

        writeAndCheck(dir.resolve("next.bin"), 6L * CHUNK + 5, 4);
    }

    @Test
    void thePoolKeepsAtMostItsBoundAndEachBufferOnce() {
        List<ByteBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < DirectChunks.POOLED_AT_MOST + 3; i++) {
            buffers.add(DirectChunks.take());
        }
        DirectChunks.give(buffers.get(0));
        DirectChunks.give(buffers.get(0));
        assertThat(DirectChunks.pooled()).as("one buffer given back twice").isEqualTo(1);

        buffers.forEach(DirectChunks::give);

        assertThat(DirectChunks.pooled()).isEqualTo(DirectChunks.POOLED_AT_MOST);
        ByteBuffer taken = DirectChunks.take();
        assertThat(taken.isDirect()).isTrue();
        assertThat(taken.position()).isZero();
        assertThat(taken.limit()).isEqualTo(CHUNK);
    }

    /**
     * Large writes on several threads at once share the pool: each takes and gives back buffers
     * while the others do, with sizes at and around the chunk boundaries; every file holds exactly
     * its own bytes and reports their SHA-256 (a buffer handed to two writes at once, or given back
     * while a hashing or a read-back still used it, would mix their bytes or fail the read-back).
     */
    @Test
    void largeWritesOnSeveralThreadsAtOnceKeepTheirOwnBytes() throws Exception {
        long[] sizes = {CHUNK + 1, 2L * CHUNK, 2L * CHUNK + 1, 3L * CHUNK - 1, 4L * CHUNK + 7, 9L * CHUNK + 3};
        int threads = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        for (int i = 0; i < sizes.length; i++) {
                            long size = sizes[(i + thread) % sizes.length];
                            writeAndCheck(dir.resolve("t" + thread + "-" + round + "-" + i + ".bin"), size,
                                    1000 * thread + 10 * round + i);
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(DirectChunks.pooled()).isLessThanOrEqualTo(DirectChunks.POOLED_AT_MOST);
    }

    /** Writes {@code size} pseudo-random bytes (durable, verified); checks the file and the reported SHA-256. */
    private static String writeAndCheck(Path file, long size, int seed) throws IOException {
        MessageDigest expected = Hashing.sha256();
        String reported;
        try (FileChannel channel = open(file)) {
            ContentSink sink = new ContentSink(channel, "write", file, true, true, ProgressListener.none());
            Random random = new Random(seed);
            byte[] piece = new byte[CHUNK / 3 + 1];
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(left, piece.length);
                random.nextBytes(piece);
                sink.write(piece, 0, n);
                expected.update(piece, 0, n);
                left -= n;
            }
            reported = sink.finish().sha256();
        }
        String hex = Hashing.hex(expected.digest());
        assertThat(reported).isEqualTo(hex);
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(Hashing.sha256Hex(file)).as("the bytes on disk").isEqualTo(hex);
        return hex;
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private static BufferPoolMXBean directPool() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
    }
}
