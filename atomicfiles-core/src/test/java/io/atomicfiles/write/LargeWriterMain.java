package io.atomicfiles.write;

import io.atomicfiles.AtomicWriter;
import io.atomicfiles.WriteResult;
import io.atomicfiles.testing.GeneratedBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The writer of {@link LargeWriteTest}, run in a JVM with a small heap: streams
 * {@link GeneratedBytes} of the given size and seed through {@link AtomicWriter#outputStream()}
 * with the default options, commits, and prints {@code <size> <sha256>} of the result.
 * Arguments: target, size, seed.
 */
final class LargeWriterMain {
    private LargeWriterMain() {
    }

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        long seed = Long.parseLong(args[2]);
        WriteResult result;
        try (AtomicWriter writer = AtomicWriter.open(target); InputStream content = GeneratedBytes.of(seed, size)) {
            content.transferTo(writer.outputStream());
            result = writer.commit();
        }
        System.out.println(result.size() + " " + result.sha256());
    }
}
