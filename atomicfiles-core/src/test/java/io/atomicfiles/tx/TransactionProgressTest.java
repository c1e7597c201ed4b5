package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.TransactionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@link ProgressListener} sees of a transaction: started with the total bytes, a note
 * per operation as it is staged and as it is applied, a running total of bytes that ends at the
 * total, then finished exactly once; and, as its contract promises, one call at a time, in
 * order, even though staging runs in parallel.
 */
class TransactionProgressTest {
    @TempDir
    Path dir;
    @TempDir
    Path journals;

    /** Records every call; counts calls that overlap (each call lingers a little to let them). */
    static final class Recorder implements ProgressListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger inCall = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();

        private void record(String event) {
            if (inCall.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            events.add(event);
            LockSupport.parkNanos(1_000_000);
            inCall.decrementAndGet();
        }

        @Override
        public void started(String task, long total) {
            record("started " + total + " " + task);
        }

        @Override
        public void progressed(long done) {
            record("progressed " + done);
        }

        @Override
        public void note(String message) {
            record("note " + message);
        }

        @Override
        public void finished(boolean succeeded) {
            record("finished " + succeeded);
        }

        List<Long> progressed() {
            return events.stream().filter(e -> e.startsWith("progressed ")).map(e -> Long.parseLong(e.substring(11)))
                    .toList();
        }

        List<String> notes() {
            return events.stream().filter(e -> e.startsWith("note ")).map(e -> e.substring(5)).toList();
        }
    }

    private TransactionOptions options(ProgressListener listener) {
        return TransactionOptions.builder().journalDir(journals).progressListener(listener).build();
    }

    @Test
    void aListenerSeesStartNotesBytesAndFinishOfEveryOperation() throws IOException {
        Files.writeString(dir.resolve("src.txt"), "x".repeat(5000));
        Files.writeString(dir.resolve("moveme.txt"), "moving");
        Files.writeString(dir.resolve("old.txt"), "old");
        Recorder recorder = new Recorder();
        List<String> operations;
        long total = 0;
        String id;
        try (FileTransaction tx = new FileTransaction(options(recorder))) {
            id = tx.id();
            for (int i = 0; i < 20; i++) {
                byte[] content = new byte[1000 + 100 * i];
                tx.addWrite(dir.resolve("w" + i + ".bin"), content, ContentType.BYTES);
                total += content.length;
            }
            tx.addCopy(dir.resolve("src.txt"), dir.resolve("copy.txt"));
            total += 5000;
            tx.addMove(dir.resolve("moveme.txt"), dir.resolve("moved.txt"));
            tx.addDelete(dir.resolve("old.txt"));
            operations = tx.describe();
            tx.commit();
        }
        int n = operations.size();
        assertThat(recorder.events.get(0)).isEqualTo("started " + total + " transaction " + id + " (" + n
                + " operations)");
        assertThat(recorder.events.get(recorder.events.size() - 1)).isEqualTo("finished true");
        assertThat(recorder.events.stream().filter(e -> e.startsWith("finished")).count()).isEqualTo(1);
        List<String> notes = recorder.notes();
        for (int i = 0; i < n; i++) {
            assertThat(notes).contains("apply " + (i + 1) + " of " + n + ": " + operations.get(i));
            if (i < 21) { // the writes and the copy are staged
                assertThat(notes).contains("stage " + (i + 1) + " of " + n + ": " + operations.get(i));
            }
        }
        // Every operation is applied after every staging, in order.
        List<String> applies = notes.stream().filter(m -> m.startsWith("apply ")).distinct().toList();
        assertThat(applies).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(applies.get(i)).startsWith("apply " + (i + 1) + " of ");
        }
        assertThat(notes.indexOf(applies.get(0))).isGreaterThan(notes.lastIndexOf(
                notes.stream().filter(m -> m.startsWith("stage ")).reduce((a, b) -> b).orElseThrow()));
        List<Long> progressed = recorder.progressed();
        assertThat(progressed).isSorted().isNotEmpty();
        assertThat(progressed.get(progressed.size() - 1)).isEqualTo(total);
        assertThat(recorder.overlaps.get()).as("calls made while another was in progress").isZero();
    }

    @Test
    void aMoveAcrossFilesystemsCountsItsBytes() throws IOException {
        Path other = TxFiles.otherFileSystemFolder(dir);
        if (other == null) {
            System.out.println("skipped: /dev/shm is missing or on the temp folder's filesystem");
        }
        assumeTrue(other != null, "/dev/shm is not a separate filesystem here");
        Path source = Files.createTempFile(other, "tx-progress-", ".bin");
        try {
            Files.write(source, new byte[70_000]);
            Recorder recorder = new Recorder();
            try (FileTransaction tx = new FileTransaction(options(recorder))) {
                tx.addMove(source, dir.resolve("moved.bin"));
                tx.addWrite(dir.resolve("w.txt"), "12345", ContentType.TEXT);
                tx.commit();
            }
            assertThat(recorder.events.get(0)).startsWith("started 70005 ");
            List<Long> progressed = recorder.progressed();
            assertThat(progressed).isSorted();
            assertThat(progressed.get(progressed.size() - 1)).isEqualTo(70_005L);
            assertThat(Files.size(dir.resolve("moved.bin"))).isEqualTo(70_000L);
            assertThat(source).doesNotExist();
        } finally {
            Files.deleteIfExists(source);
        }
    }

    @Test
    void aFailedTransactionFinishesUnsuccessfullyOnce() throws IOException {
        Files.createDirectories(dir.resolve("taken"));
        Recorder recorder = new Recorder();
        try (FileTransaction tx = new FileTransaction(options(recorder))) {
            tx.addWrite(dir.resolve("a.txt"), "a", ContentType.TEXT);
            tx.addWrite(dir.resolve("b.txt"), "b", ContentType.TEXT);
            // Becomes impossible after it was added: a folder with a file where the file goes.
            tx.addWrite(dir.resolve("later/c.txt"), "c", ContentType.TEXT);
            Files.createDirectories(dir.resolve("later/c.txt"));
            Files.writeString(dir.resolve("later/c.txt/theirs"), "theirs");
            assertThatThrownBy(tx::commit).isInstanceOf(AtomicWriteException.class);
        }
        assertThat(recorder.events.get(0)).startsWith("started 3 ");
        assertThat(recorder.events.get(recorder.events.size() - 1)).isEqualTo("finished false");
        assertThat(recorder.events.stream().filter(e -> e.startsWith("finished")).count()).isEqualTo(1);
        assertThat(dir.resolve("a.txt")).doesNotExist();
        assertThat(dir.resolve("b.txt")).doesNotExist();
        assertThat(Files.readString(dir.resolve("later/c.txt/theirs"))).isEqualTo("theirs");
    }
}
