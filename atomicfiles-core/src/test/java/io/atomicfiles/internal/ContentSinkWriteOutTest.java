package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.ProgressListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ContentSink#writeOut()} (a transaction's staging writes many files first, forces them
 * after): every byte is in the file when it returns, {@link ContentSink#finish()} then reports
 * the same size and SHA-256 as without it, and nothing more may be written.
 */
class ContentSinkWriteOutTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1024, ContentSink.MIN_BUFFER_BYTES + 1, 8 * 1024 + 1, ContentSink.CHUNK_BYTES + 1,
            3 * ContentSink.CHUNK_BYTES + 5})
    void writtenOutThenForcedAndReadBack(int size) throws IOException {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        Path file = dir.resolve("staged");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ContentSink sink = new ContentSink(channel, "test", file, true, true, ProgressListener.none());
            sink.write(content);

            sink.writeOut();

            assertThat(Files.readAllBytes(file)).as("every byte written out, before any force").isEqualTo(content);
            assertThatThrownBy(() -> sink.write(new byte[] {1})).isInstanceOf(IllegalStateException.class);
            ContentSink.Written written = sink.finish();
            assertThat(written.size()).isEqualTo(size);
            assertThat(written.sha256()).isEqualTo(Hashing.sha256Hex(content));
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
    }
}
