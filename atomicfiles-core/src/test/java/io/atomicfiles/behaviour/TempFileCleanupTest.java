package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.internal.OpenTempFiles;
import io.atomicfiles.internal.ScriptedTempNames;
import io.atomicfiles.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way out of a write removes its temp file: a progress listener that throws, a writer
 * closed without commit, a JVM shutting down ({@link OpenTempFiles#discardAll()}, the command
 * line's shutdown hook). What nothing can remove (a {@code kill -9}) is removed by the next
 * write into the folder, which can tell the writer is gone from the temp name (its pid and
 * start time) and never touches a live writer's file.
 */
class TempFileCleanupTest {
    private static final Duration CHILD = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void aListenerThatThrowsInStartedLeavesNoTempFileAndNoHeldLock() throws Exception {
        Path file = Files.writeString(dir.resolve("config.txt"), "old");
        WriteOptions options = WriteOptions.builder().progressListener(new Listener() {
            @Override
            public void started(String task, long total) {
                throw new IllegalStateException("the listener broke");
            }
        }).build();

        assertThatThrownBy(() -> AtomicFiles.writeText(file, "new", options)).hasMessageContaining("listener broke");

        assertThat(file).hasContent("old");
        assertThat(Folders.names(dir)).containsExactly("config.txt");
        assertLockIsFree(file);
    }

    @Test
    void aListenerThatThrowsInFinishedDoesNotUndoAPublishedWrite() throws IOException {
        Path file = Files.writeString(dir.resolve("config.txt"), "old");
        AtomicInteger finished = new AtomicInteger();
        WriteOptions options = WriteOptions.builder().progressListener(new Listener() {
            @Override
            public void finished(boolean succeeded) {
                finished.incrementAndGet();
                throw new IllegalStateException("the listener broke");
            }
        }).build();

        AtomicFiles.writeText(file, "new", options);

        assertThat(file).hasContent("new");
        assertThat(finished).as("finished is called exactly once").hasValue(1);
        assertThat(Folders.names(dir)).containsExactly("config.txt", "config.txt.backup");
    }

    @Test
    void closingAWriterWhoseListenerThrowsStillReleasesTheLock() throws Exception {
        Path file = Files.writeString(dir.resolve("config.txt"), "old");
        WriteOptions options = WriteOptions.builder().progressListener(new Listener() {
            @Override
            public void finished(boolean succeeded) {
                throw new IllegalStateException("the listener broke");
            }
        }).build();

        AtomicWriter writer = AtomicWriter.open(file, options);
        writer.writeText("never published");
        writer.close();

        assertThat(file).hasContent("old");
        assertThat(Folders.tempFilesIn(dir)).isEmpty();
        assertLockIsFree(file);
    }

    @Test
    void discardingOpenTempFilesAtShutdownLeavesTheTargetAsItWas() throws IOException {
        Path file = Files.writeString(dir.resolve("big.bin"), "old");
        try (AtomicWriter writer = AtomicWriter.open(file)) {
            writer.writeBytes(new byte[3_000_000]);
            assertThat(Folders.tempFilesIn(dir)).hasSize(1);

            assertThat(OpenTempFiles.discardAll()).isPositive();

            assertThat(Folders.tempFilesIn(dir)).isEmpty();
            assertThatThrownBy(writer::commit).isInstanceOf(AtomicWriteException.class);
        }
        assertThat(file).hasContent("old");
        assertThat(Folders.names(dir)).containsExactly("big.bin");
    }

    @Test
    void aKilledWritersTempFileIsRemovedByTheNextWriteOfItsTarget() throws Exception {
        Path file = dir.resolve("data.bin");
        try (ChildJvm child = ChildJvm.builder(WriterChild.class).quickStart()
                .args("hold", file.toString(), "1000000").start()) {
            assertThat(child.readLine(CHILD)).as(child.stderr()).isEqualTo("ready");
            child.kill();
        }
        assertThat(Folders.tempFilesIn(dir)).as("what kill -9 leaves").hasSize(1);
        ScriptedTempNames.forgetProcessCaches(); // as in a process that never wrote here

        AtomicFiles.writeText(file, "next");

        assertThat(file).hasContent("next");
        assertThat(Folders.names(dir)).containsExactly("data.bin");
    }

    @Test
    void aLiveWritersTempFileIsNeverRemovedEvenByASweepOfEveryAge() throws Exception {
        Path file = dir.resolve("data.bin");
        try (ChildJvm child = ChildJvm.builder(WriterChild.class).quickStart()
                .args("hold", file.toString(), "1000000").start()) {
            assertThat(child.readLine(CHILD)).as(child.stderr()).isEqualTo("ready");
            ScriptedTempNames.forgetProcessCaches();
            Files.setLastModifiedTime(Folders.tempFilesIn(dir).get(0), FileTime.fromMillis(0));

            AtomicFiles.writeText(dir.resolve("other.txt"), "another file of the folder");
            assertThat(AtomicFiles.sweepStaleTempFiles(dir, Duration.ZERO)).isZero();

            assertThat(Folders.tempFilesIn(dir)).hasSize(1);
            child.go();
            assertThat(child.readLine(CHILD)).as(child.stderr()).isEqualTo("committed");
        }
        assertThat(Files.size(file)).isEqualTo(1_000_000);
        assertThat(Folders.names(dir)).containsExactly("data.bin", "other.txt");
    }

    @Test
    void onlyTheFirstWriteIntoAFolderLooksForLeftoversAndTheSweepFindsTheRest() throws IOException {
        Path file = dir.resolve("a.txt");
        ScriptedTempNames.forgetProcessCaches();
        AtomicFiles.writeText(file, "first");
        Path leftover = Files.writeString(dir.resolve(ScriptedTempNames.tempNameOfAGoneWriter("a.txt",
                "cccccccccccc")), "a killed writer's");
        Path older = Files.writeString(dir.resolve(ScriptedTempNames.oldStyleTempName("a.txt", "dddddddddddd")),
                "an earlier version's");

        AtomicFiles.writeText(file, "second");
        assertThat(leftover).as("the folder is listed once per process, not on every write").exists();

        assertThat(AtomicFiles.sweepStaleTempFiles(dir, Duration.ofHours(1))).as("the gone writer's, at any age")
                .isEqualTo(1);
        assertThat(older).as("a writer that cannot be told is gone: by age only").exists();
        Files.setLastModifiedTime(older, FileTime.fromMillis(0));
        assertThat(AtomicFiles.sweepStaleTempFiles(dir, Duration.ofHours(1))).isEqualTo(1);
        assertThat(Folders.names(dir)).containsExactly("a.txt", "a.txt.backup");
    }

    /** Another thread can take the lock of {@code file} at once (the lock is reentrant for this one). */
    private static void assertLockIsFree(Path file) throws Exception {
        WriteOptions quick = WriteOptions.builder().lockTimeout(Duration.ofSeconds(10)).build();
        CompletableFuture.runAsync(() -> {
            try {
                AtomicFiles.writeText(file, "from another thread", quick);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(60, TimeUnit.SECONDS);
        assertThat(file).hasContent("from another thread");
    }

    /** A listener that does nothing unless a test overrides a method. */
    private static class Listener implements ProgressListener {
        @Override
        public void started(String task, long total) {
        }

        @Override
        public void progressed(long done) {
        }

        @Override
        public void finished(boolean succeeded) {
        }
    }
}
