package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.IntegrityException;
import io.atomicfiles.ProgressListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A small content's first write goes to the file straight from the caller's array (no copy), and
 * small writes on one thread reuse a digest and a read-back array ({@link SmallWriteScratch}):
 * the bytes on disk and the checksum reported are those given at each call, the read-back still
 * catches a corrupted or short file, and nothing of one write shows in another.
 */
class ContentSinkDirectWriteTest {
    private static final int CHUNK = ContentSink.CHUNK_BYTES;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"1, true", "1024, true", "1024, false", ContentSink.CHUNK_BYTES - 1 + ", true",
        ContentSink.CHUNK_BYTES + ", true", ContentSink.CHUNK_BYTES + 1 + ", true", ContentSink.CHUNK_BYTES + 1 + ", false"})
    void aCallerThatChangesItsArrayAfterWriteReturnsPublishesTheBytesGivenAtTheCall(int size, boolean verify)
            throws IOException {
        byte[] given = bytes(size, size);
        byte[] callersArray = given.clone();
        Path file = dir.resolve("reused.bin");
        ContentSink.Written written;
        try (FileChannel channel = open(file)) {
            ContentSink sink = sink(channel, verify);
            sink.write(callersArray);
            // The caller reuses its array for something else at once.
            Arrays.fill(callersArray, (byte) 0x5a);

            written = sink.finish();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(given);
        assertThat(written.sha256()).isEqualTo(Hashing.sha256Hex(given));
    }

    /**
     * A direct first write followed by more content: the first chunk then ends where those later
     * bytes reach it, exactly (the first buffer's whole room) or past it, and later chunks start
     * at chunk boundaries; every size arrives whole, with its checksum, and passes the read-back.
     */
    @ParameterizedTest
    @ValueSource(ints = {1001, 4096, CHUNK - 1, CHUNK, CHUNK + 1, CHUNK + 1000, 2 * CHUNK - 1, 2 * CHUNK,
        2 * CHUNK + 1, 5 * CHUNK + 17})
    void contentBegunByADirectWriteArrivesWhole(int size) throws IOException {
        byte[] content = bytes(size, 11);
        Path file = dir.resolve("continued.bin");
        ContentSink.Written written;
        try (FileChannel channel = open(file)) {
            ContentSink sink = sink(channel, true);
            sink.write(content, 0, 1000);
            // The rest in uneven pieces, some byte by byte.
            Random random = new Random(size);
            for (int at = 1000; at < size; ) {
                int n = Math.min(size - at, 1 + random.nextInt(64 * 1024));
                if (n < 3) {
                    sink.write(content[at]);
                    n = 1;
                } else {
                    sink.write(content, at, n);
                }
                at += n;
            }
            assertThat(sink.size()).isEqualTo(size);

            written = sink.finish();
        }
        assertThat(written.size()).isEqualTo(size);
        assertThat(written.sha256()).isEqualTo(Hashing.sha256Hex(content));
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
    }

    /** Corruption in the direct bytes, in the rest of the first chunk, and in a later chunk is caught. */
    @ParameterizedTest
    @CsvSource({"1024, 5", "1024, 1023", "20000, 999", "20000, 1000", "20000, 19999", "1200000, 600000",
        "1200000, 1100000"})
    void aByteReadBackWrongAfterADirectWriteIsAnIntegrityException(int size, long corruptAt) throws IOException {
        byte[] content = bytes(size, 3);
        Path file = dir.resolve("corrupt.bin");
        try (FileChannel channel = new ContentSinkTest.CorruptingChannel(open(file), corruptAt)) {
            ContentSink sink = sink(channel, true);
            sink.write(content, 0, Math.min(size, 1000));
            if (size > 1000) {
                sink.write(content, 1000, size - 1000);
            }

            assertThatThrownBy(sink::finish).isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("CRC32C");
        }
    }

    /**
     * The read-back array is this thread's, and still holds the previous write's bytes: a file
     * that came out shorter must fail its read-back all the same, not pass on what the previous
     * read-back left in the array.
     */
    @Test
    void aShortFileFailsItsReadBackAfterAnEqualWriteOnTheSameThread() throws IOException {
        byte[] content = bytes(4096, 9);
        try (FileChannel channel = open(dir.resolve("first.bin"))) {
            ContentSink first = sink(channel, true);
            first.write(content);
            first.finish();
        }
        try (FileChannel channel = open(dir.resolve("second.bin"))) {
            ContentSink second = sink(channel, true);
            second.write(content);
            second.writeOut();
            // The file loses its tail before it is read back (a filesystem that did not keep it).
            channel.truncate(2048);

            assertThatThrownBy(second::finish).isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("shorter than written");
        }
    }

    /**
     * Small writes on one thread share a digest one after the other, never at once: sinks open
     * together (a transaction's staging), one abandoned half-way, and ones made after it all
     * report their own content's checksum.
     */
    @Test
    void smallWritesOnOneThreadEachReportTheirOwnChecksum() throws IOException {
        byte[] a = bytes(700, 1);
        byte[] b = bytes(900, 2);
        try (FileChannel abandonedChannel = open(dir.resolve("abandoned.bin"))) {
            ContentSink abandoned = sink(abandonedChannel, true);
            abandoned.write(bytes(500, 3));
            abandoned.abandon();
        }
        for (int round = 0; round < 3; round++) {
            try (FileChannel first = open(dir.resolve("a" + round)); FileChannel second = open(dir.resolve("b" + round))) {
                ContentSink sinkA = sink(first, round != 1);
                ContentSink sinkB = sink(second, true);
                sinkA.write(a, 0, 300);
                sinkB.write(b);
                sinkA.write(a, 300, 400);

                assertThat(sinkB.finish().sha256()).isEqualTo(Hashing.sha256Hex(b));
                assertThat(sinkA.finish().sha256()).isEqualTo(Hashing.sha256Hex(a));
            }
            assertThat(Files.readAllBytes(dir.resolve("a" + round))).isEqualTo(a);
            assertThat(Files.readAllBytes(dir.resolve("b" + round))).isEqualTo(b);
        }
        try (FileChannel channel = open(dir.resolve("empty.bin"))) {
            assertThat(sink(channel, true).finish().sha256()).isEqualTo(Hashing.sha256Hex(new byte[0]));
        }
    }

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static ContentSink sink(FileChannel channel, boolean verify) {
        return new ContentSink(channel, "write", Path.of("target.bin"), true, verify, ProgressListener.none());
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }
}
