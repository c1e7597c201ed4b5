package io.atomicfiles.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
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

    /**
     * Replaces every one of {@code targets} with {@code content} in the order an all-or-nothing
     * commit must follow, and nothing more: the floor under {@code FileTransaction} (issue 11, W3).
     * Every new file is created, written and forced (the forces side by side on {@code forcers},
     * so that they share the journal's commits) before the first rename, because a commit that
     * can still be undone must not drop any old file before every new one is durable; then each
     * temp file is renamed over its target, and each folder is forced once. No journal, no
     * backup, no lock: so not crash-safe as a whole, only the least any such commit does. In
     * particular, all the new files' inodes are allocated before any old file's inode is freed,
     * where sequential writes free one and allocate the next alternately.
     */
    public static void writeStaged(Path[] targets, byte[] content, ExecutorService forcers) throws IOException {
        Path[] temps = new Path[targets.length];
        List<Future<Void>> forced = new ArrayList<>(targets.length);
        for (int i = 0; i < targets.length; i++) {
            temps[i] = tempFor(targets[i]);
            FileChannel channel = FileChannel.open(temps[i], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            forced.add(forcers.submit(() -> {
                try (channel) {
                    ByteBuffer buffer = ByteBuffer.wrap(content);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
                return null;
            }));
        }
        for (Future<Void> force : forced) {
            try {
                force.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while forcing the staged files");
            } catch (ExecutionException e) {
                throw new IOException("forcing a staged file failed", e.getCause());
            }
        }
        Set<Path> folders = new LinkedHashSet<>();
        for (int i = 0; i < targets.length; i++) {
            Files.move(temps[i], targets[i], StandardCopyOption.ATOMIC_MOVE);
            folders.add(targets[i].getParent());
        }
        for (Path folder : folders) {
            try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
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
