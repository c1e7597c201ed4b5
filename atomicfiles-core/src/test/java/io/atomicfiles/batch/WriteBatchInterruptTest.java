package io.atomicfiles.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.ContentType;
import io.atomicfiles.WriteBatch;
import io.atomicfiles.WriteBatchException;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupted {@link WriteBatch#commit()}: whatever it does with the interrupt, once it has
 * returned or thrown, the batch changes no file anymore (a caller that was told the commit
 * ended must be able to rely on what is on disk, write the files again, or retry) and leaves
 * no temp file.
 */
class WriteBatchInterruptTest {
    @TempDir
    Path dir;

    @Test
    void anInterruptedCommitChangesNoFileAfterItHasEnded() throws Exception {
        // One file of the batch is held by another writer (an update whose function waits), so
        // its write waits for that file's lock while the rest of the batch is published.
        Path held = dir.resolve("held.json");
        Files.writeString(held, "{\"old\":true}");
        List<Path> free = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Path file = dir.resolve("free-" + i + ".txt");
            Files.writeString(file, "old " + i);
            free.add(file);
        }
        WriteOptions options = WriteOptions.builder().showProgress(false).lockTimeout(Duration.ofMinutes(2)).build();
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = holdWhileUpdating(held, options, release);

        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread committer = new Thread(() -> {
            try (WriteBatch batch = AtomicFiles.batch(options)) {
                batch.addWrite(held, "batch", ContentType.TEXT);
                for (int i = 0; i < free.size(); i++) {
                    batch.addWrite(free.get(i), "new " + i, ContentType.TEXT);
                }
                batch.commit();
                ended.set(new Throwable("returned"));
            } catch (Throwable e) {
                ended.set(e);
            }
        }, "committer");
        committer.start();
        // The batch is under way (no clock): every file that needs no held lock is published.
        while (!free.stream().allMatch(WriteBatchInterruptTest::isNew)) {
            Thread.onSpinWait();
        }
        committer.interrupt();
        committer.join(2_000);
        if (committer.isAlive()) {
            // The commit waits for the held file's write: let it go and wait for the end.
            release.countDown();
            committer.join();
        }
        Map<Path, String> atEnd = contents();
        List<Path> tempFilesAtEnd = tempFiles();
        release.countDown();
        holder.join();
        // Whatever the batch's threads still had to do is over once none of them runs its code.
        while (batchCodeRunning()) {
            Thread.onSpinWait();
        }

        assertThat(tempFilesAtEnd).as("temp files when commit() ended (%s)", ended.get()).isEmpty();
        assertThat(tempFiles()).isEmpty();
        Map<Path, String> later = contents();
        for (Path file : free) {
            assertThat(later.get(file)).as("%s after commit() ended", file).isEqualTo(atEnd.get(file));
        }
        if (!"batch".equals(atEnd.get(held))) {
            // Not written by the batch when commit() ended: it never is afterwards. (The holder's
            // own update may be, as it was let go after the end.)
            assertThat(later.get(held)).as("commit() ended (%s) with %s holding %s; the batch's write of it went on"
                    + " after commit() had ended, overwriting the holder's update made meanwhile (and no folder"
                    + " fsync followed it)", ended.get(), held, atEnd.get(held)).isNotEqualTo("batch");
        }
    }

    /**
     * An interrupt that comes while files of the batch are still to begin: those are not begun
     * and stay as they were, and commit() says so in a {@link WriteBatchException} (each with an
     * {@link java.io.InterruptedIOException}) instead of ending with a bare interrupt that named
     * no file; the interrupt is kept for the caller. Every one of the batch's threads is made to
     * wait (no clock) for the lock of one file, named through many links, so that the files
     * after them in the batch's order are certain not to have begun when the interrupt comes.
     */
    @Test
    void anInterruptedCommitNamesTheFilesItDidNotWrite() throws Exception {
        Path held = dir.resolve("held.json");
        Files.writeString(held, "{\"old\":true}");
        List<Path> links = new ArrayList<>();
        for (int i = 0; i < 140; i++) {
            links.add(Files.createSymbolicLink(dir.resolve(String.format("a-%03d.json", i)), held.getFileName()));
        }
        Path last = dir.resolve("z-last.txt");
        Files.writeString(last, "old");
        WriteOptions options = WriteOptions.builder().showProgress(false).backup(false)
                .lockTimeout(Duration.ofMinutes(2)).build();
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = holdWhileUpdating(held, options, release);

        AtomicReference<Throwable> ended = new AtomicReference<>();
        AtomicReference<Boolean> interruptKept = new AtomicReference<>();
        Thread committer = new Thread(() -> {
            try (WriteBatch batch = AtomicFiles.batch(options)) {
                for (Path link : links) {
                    batch.addWrite(link, "through " + link.getFileName(), ContentType.TEXT);
                }
                batch.addWrite(last, "new", ContentType.TEXT);
                batch.commit();
                ended.set(new Throwable("returned"));
            } catch (Throwable e) {
                ended.set(e);
            }
            interruptKept.set(Thread.currentThread().isInterrupted());
        }, "committer");
        committer.start();
        // Every thread of the batch waits for held.json's lock: as many waiters as the batch has threads.
        while (lockWaiters() < 128) {
            Thread.onSpinWait();
        }
        committer.interrupt();
        release.countDown();
        committer.join();
        holder.join();

        assertThat(ended.get()).isInstanceOf(WriteBatchException.class);
        WriteBatchException failed = (WriteBatchException) ended.get();
        assertThat(failed.failures()).containsKey(last);
        assertThat(failed.failures().get(last)).isInstanceOf(java.io.InterruptedIOException.class)
                .hasMessageContaining("interrupted");
        assertThat(failed.notPublished()).contains(last);
        assertThat(Files.readString(last)).as("a file the interrupted batch did not begin").isEqualTo("old");
        assertThat(interruptKept.get()).as("the caller's interrupt is kept").isTrue();
        assertThat(tempFiles()).isEmpty();
    }

    /** Threads of this JVM waiting for a path's lock (parked in PathLocks). */
    private static long lockWaiters() {
        return Thread.getAllStackTraces().values().stream()
                .filter(frames -> Arrays.stream(frames).anyMatch(f -> f.getClassName().endsWith("PathLocks")))
                .filter(frames -> frames.length > 0 && Arrays.stream(frames).limit(12)
                        .anyMatch(f -> f.getMethodName().startsWith("park") || f.getMethodName().equals("tryLock")))
                .count();
    }

    /**
     * Starts a thread that holds {@code held}'s lock through an {@code atomicJsonUpdate} whose
     * function waits for {@code release} (and marks the document {@code "holder": true}); returns
     * once the lock is held.
     */
    private static Thread holdWhileUpdating(Path held, WriteOptions options, CountDownLatch release)
            throws InterruptedException {
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        CountDownLatch holding = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try {
                ops.atomicJsonUpdate(held, data -> {
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    data.put("holder", true);
                    return data;
                });
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "holder");
        holder.start();
        holding.await();
        return holder;
    }

    private static boolean isNew(Path file) {
        try {
            return Files.readString(file).startsWith("new");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean batchCodeRunning() {
        return Thread.getAllStackTraces().values().stream().flatMap(Arrays::stream)
                .anyMatch(frame -> frame.getClassName().startsWith("io.atomicfiles.WriteBatch"));
    }

    private Map<Path, String> contents() throws IOException {
        Map<Path, String> contents = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().collect(Collectors.toList())) {
                if (Files.isRegularFile(file)) {
                    contents.put(file, Files.readString(file));
                }
            }
        }
        return contents;
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().contains(".tmp-")).collect(Collectors.toList());
        }
    }
}
