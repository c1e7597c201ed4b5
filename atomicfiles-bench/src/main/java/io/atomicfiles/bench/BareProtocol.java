package io.atomicfiles.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline: the durable atomic-replace protocol written by hand, with nothing else (no
 * locks, no hashing, no verification, no backup, no attribute copy, no error handling beyond
 * what the JDK does). What any careful program must do at least, so the library's cost is
 * measured against the floor, not against a careless write.
 *
 * <ol>
 *   <li>create a temp file in the target's folder ({@code CREATE_NEW});</li>
 *   <li>write the content;</li>
 *   <li>{@code force(true)} the temp file;</li>
 *   <li>{@code Files.move(temp, target, ATOMIC_MOVE)};</li>
 *   <li>open the folder for reading and {@code force(true)} it.</li>
 * </ol>
 */
public final class BareProtocol {
    private static final AtomicLong COUNTER = new AtomicLong();

    private BareProtocol() {
    }

    /** Replaces {@code target} durably with {@code content}. */
    public static void write(Path target, byte[] content) throws IOException {
        Path temp = tempFor(target);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        publish(temp, target);
    }

    /**
     * Replaces {@code target} durably with {@code size} bytes: {@code chunk} repeated (the last
     * time cut short), written from the one reused heap buffer, as a program streaming its data
     * from a {@code byte[]} would.
     */
    public static void write(Path target, byte[] chunk, long size) throws IOException {
        Path temp = tempFor(target);
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long left = size; left > 0; ) {
                buffer.clear().limit((int) Math.min(chunk.length, left));
                while (buffer.hasRemaining()) {
                    left -= channel.write(buffer);
                }
            }
            channel.force(true);
        }
        publish(temp, target);
    }

    private static Path tempFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".bare-" + COUNTER.incrementAndGet());
    }

    private static void publish(Path temp, Path target) throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel folder = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            folder.force(true);
        }
    }
}
