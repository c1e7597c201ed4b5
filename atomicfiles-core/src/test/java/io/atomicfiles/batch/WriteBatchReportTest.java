package io.atomicfiles.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.ContentType;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.WriteBatch;
import io.atomicfiles.WriteBatchException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link WriteBatch#commit()} reports, and forces, when something other than a plain I/O
 * failure of one file gets in the way: a file named twice, an interrupt during step 4 or after a
 * rename, an {@link Error} in one file. Every file published is reported published and has its
 * folder forced; every file reported as left as it was is.
 */
class WriteBatchReportTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aFileNamedTwiceThroughALinkIsNotReportedAsLeftAsItWas() throws Exception {
        Path real = dir.resolve("real.txt");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), real.getFileName());
        WriteBatchException failed;
        try (WriteBatch batch = AtomicFiles.batch(WriteOptions.builder().showProgress(false).build())) {
            batch.addWrite(link, "through the link", ContentType.TEXT);
            batch.addWrite(real, "by its name", ContentType.TEXT);
            failed = (WriteBatchException) catchThrowable(batch::commit);
        }
        assertThat(failed.published()).hasSize(1);
        assertThat(failed.failures()).hasSize(1);
        Path loser = failed.failures().keySet().iterator().next();
        assertThat(failed.namedTwice()).containsExactly(loser);
        assertThat(failed.notPublished()).as("files reported as left as they were").isEmpty();
        assertThat(Files.readString(real)).isEqualTo(loser.equals(real) ? "through the link" : "by its name");
    }

    @Test
    void anInterruptDuringTheFolderFsyncsOfAFewFoldersForcesThemAll() throws Exception {
        interruptedDuringStep4(6);
    }

    /** More folders than the batch has threads: the folders not begun at the interrupt are forced all the same. */
    @Test
    void anInterruptDuringTheFolderFsyncsOfManyFoldersForcesThemAll() throws Exception {
        interruptedDuringStep4(300);
    }

    private void interruptedDuringStep4(int folders) throws Exception {
        FaultyFileSystem faulty = FaultyFileSystem.overDefault();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < folders; i++) {
            files.add(Files.createDirectories(dir.resolve("folder-" + i)).resolve("file.txt"));
        }
        Set<Path> forced = forcedFolders(faulty);
        Thread caller = Thread.currentThread();
        // Step 4 opens each folder for its fsync: the caller is interrupted at the first.
        faulty.beforeCall("open folder-", () -> {
            caller.interrupt();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<WriteResult> results;
        try (WriteBatch batch = AtomicFiles.batch(WriteOptions.builder().showProgress(false).build())) {
            for (Path file : files) {
                batch.addWrite(faulty.path(file), "new", ContentType.TEXT);
            }
            results = batch.commit();
        }
        assertThat(Thread.interrupted()).as("the caller's interrupt, kept").isTrue();
        assertThat(results).hasSize(folders);
        for (Path file : files) {
            assertThat(Files.readString(file)).isEqualTo("new");
        }
        assertThat(forced).as("folders forced").hasSize(folders);
    }

    @Test
    void anInterruptAfterARenameInASmallBatchIsNoFsyncFailure() throws Exception {
        FaultyFileSystem faulty = FaultyFileSystem.overDefault();
        Path file = dir.resolve("one.txt");
        Files.writeString(file, "old");
        Set<Path> forced = forcedFolders(faulty);
        Thread caller = Thread.currentThread();
        // A one-file batch runs on the caller's thread; the interrupt lands just after the rename.
        ProgressListener interruptAfterRename = listener(null, () -> caller.interrupt());
        List<WriteResult> results;
        try (WriteBatch batch = AtomicFiles.batch(WriteOptions.builder().progressListener(interruptAfterRename).build())) {
            batch.addWrite(faulty.path(file), "new", ContentType.TEXT);
            results = batch.commit();
        }
        assertThat(Thread.interrupted()).as("the caller's interrupt, kept").isTrue();
        assertThat(results).hasSize(1);
        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(forced).containsExactly(dir);
    }

    @Test
    void anErrorInOneFileStillForcesAndReportsThosePublishedAndIsThrown() throws Exception {
        FaultyFileSystem faulty = FaultyFileSystem.overDefault();
        Path a = Files.createDirectories(dir.resolve("fa")).resolve("a.txt");
        Path b = Files.createDirectories(dir.resolve("fb")).resolve("b.txt");
        Files.writeString(b, "old b");
        Set<Path> forced = forcedFolders(faulty);
        ProgressListener failsOnB = listener(task -> {
            if (task.contains("b.txt")) {
                throw new AssertionError("listener assertion on " + task);
            }
        }, null);
        Throwable thrown;
        try (WriteBatch batch = AtomicFiles.batch(WriteOptions.builder().progressListener(failsOnB).build())) {
            batch.addWrite(faulty.path(a), "new a", ContentType.TEXT);
            batch.addWrite(faulty.path(b), "new b", ContentType.TEXT);
            thrown = catchThrowable(batch::commit);
        }
        assertThat(thrown).isInstanceOf(AssertionError.class).hasMessageContaining("b.txt");
        assertThat(thrown.getSuppressed()).hasSize(1).allSatisfy(s -> assertThat(s).isInstanceOf(WriteBatchException.class));
        WriteBatchException report = (WriteBatchException) thrown.getSuppressed()[0];
        assertThat(report.published()).extracting(r -> r.target().toString()).containsExactly(a.toString());
        assertThat(report.notPublished()).containsExactly(faulty.path(b));
        assertThat(Files.readString(a)).isEqualTo("new a");
        assertThat(Files.readString(b)).isEqualTo("old b");
        assertThat(forced).as("folders forced").containsExactly(a.getParent());
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void anErrorAfterTheRenameLeavesTheFileReportedPublishedAndForced() throws Exception {
        FaultyFileSystem faulty = FaultyFileSystem.overDefault();
        Path file = dir.resolve("one.txt");
        Files.writeString(file, "old");
        Set<Path> forced = forcedFolders(faulty);
        ProgressListener failsAtTheEnd = listener(null, () -> {
            throw new AssertionError("listener assertion in finished");
        });
        Throwable thrown;
        try (WriteBatch batch = AtomicFiles.batch(WriteOptions.builder().progressListener(failsAtTheEnd).build())) {
            batch.addWrite(faulty.path(file), "new", ContentType.TEXT);
            thrown = catchThrowable(batch::commit);
        }
        assertThat(thrown).isInstanceOf(AssertionError.class);
        assertThat(thrown.getSuppressed()).as("no file failed: no report").isEmpty();
        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(forced).containsExactly(dir);
    }

    /**
     * A batch committed from inside an update's function, the updated file among its files: the
     * caller holds that file's lock, and a batch large enough to run on the library's threads
     * wrote it on one of them, which waited for the caller until the lock timeout and failed it.
     * It is written on the caller's thread, which takes the lock again, as a single write does.
     */
    @Test
    void aFileWhoseLockTheCallerHoldsIsWrittenByTheCaller() throws Exception {
        Path updated = dir.resolve("updated.json");
        writtenByTheCallerWhileItHoldsTheLock(updated, updated);
    }

    /** The same, the file named through a link: its lock is its real target's (review helper-38). */
    @Test
    void aFileNamedThroughALinkWhoseLockTheCallerHoldsIsWrittenByTheCaller() throws Exception {
        Path real = Files.writeString(dir.resolve("real.json"), "{}");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), real.getFileName());
        writtenByTheCallerWhileItHoldsTheLock(link, real);
    }

    /**
     * A batch committed from inside an update's function, the updated file ({@code named}, which
     * is {@code real} or a link to it) among its files: the caller holds that file's lock, and a
     * batch large enough to run on the library's threads wrote it on one of them, which waited
     * for the caller until the lock timeout and failed it. It is written on the caller's thread,
     * which takes the lock again, as a single write does.
     */
    private void writtenByTheCallerWhileItHoldsTheLock(Path named, Path real) throws Exception {
        List<Path> others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            others.add(dir.resolve("other-" + i + ".txt"));
        }
        WriteOptions options = WriteOptions.builder().showProgress(false).lockTimeout(Duration.ofSeconds(5)).build();
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        List<List<WriteResult>> committed = new ArrayList<>();
        ops.atomicJsonUpdate(named, data -> {
            try (WriteBatch batch = AtomicFiles.batch(options)) {
                batch.addWrite(named, "{\"from\":\"batch\"}", ContentType.TEXT);
                for (Path other : others) {
                    batch.addWrite(other, "new", ContentType.TEXT);
                }
                committed.add(batch.commit());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            data.put("from", "update");
            return data;
        });
        assertThat(committed).hasSize(1);
        assertThat(committed.get(0)).hasSize(6);
        for (Path other : others) {
            assertThat(Files.readString(other)).isEqualTo("new");
        }
        assertThat(Files.readString(real)).contains("\"update\"");
    }

    /**
     * A file whose backup is another file of the batch (named through a link) is not written,
     * and is as it was: reported so, not as named twice (review helper-38).
     */
    @Test
    void aFileWhoseBackupIsAnotherFileOfTheBatchIsReportedAsItWas() throws Exception {
        Path file = dir.resolve("a.txt");
        Files.writeString(file, "old");
        Files.writeString(dir.resolve("a.txt.backup"), "old backup");
        // Sorts before a.txt, so it claims first: its target is a.txt's backup.
        Path link = Files.createSymbolicLink(dir.resolve("0link"), Path.of("a.txt.backup"));
        WriteBatchException failed;
        try (WriteBatch batch = AtomicFiles.batch(WriteOptions.builder().showProgress(false).build())) {
            batch.addWrite(link, "through the link", ContentType.TEXT);
            batch.addWrite(file, "new", ContentType.TEXT);
            failed = (WriteBatchException) catchThrowable(batch::commit);
        }
        assertThat(Files.readString(file)).isEqualTo("old");
        assertThat(failed.namedTwice()).isEmpty();
        assertThat(failed.notPublished()).containsExactly(file);
        assertThat(failed.failures().get(file)).hasMessageContaining("is not written");
    }

    // ------------------------------------------------------------------ helpers

    /** The real folders forced through {@code faulty} from now on. */
    private static Set<Path> forcedFolders(FaultyFileSystem faulty) {
        Set<Path> forced = ConcurrentHashMap.newKeySet();
        faulty.onChange(change -> {
            if (change.kind().equals("force") && Files.isDirectory(change.path())) {
                forced.add(change.path());
            }
        });
        return forced;
    }

    private interface Started {
        void started(String task);
    }

    /** A listener that calls {@code onStart} at each file's start and {@code onSuccess} at each success. */
    private static ProgressListener listener(Started onStart, Runnable onSuccess) {
        return new ProgressListener() {
            @Override
            public void started(String task, long total) {
                if (onStart != null) {
                    onStart.started(task);
                }
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void finished(boolean succeeded) {
                if (succeeded && onSuccess != null) {
                    onSuccess.run();
                }
            }
        };
    }

    private List<Path> tempFiles() throws Exception {
        List<Path> temps = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            walk.filter(p -> p.getFileName().toString().contains(".tmp-")).forEach(temps::add);
        }
        return temps;
    }
}
