package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress reaches the caller's listener in order; without one, nothing is printed. */
class ProgressTest {
    private static final int THREE_MIB = 3 << 20;

    @TempDir
    Path dir;

    /** Every call, in order, with the thread it came from. */
    static final class Recording implements ProgressListener {
        final List<String> calls = new ArrayList<>();
        final List<Long> progress = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        long total = Long.MIN_VALUE;

        @Override
        public void started(String task, long total) {
            this.total = total;
            record("started " + task);
        }

        @Override
        public void progressed(long done) {
            progress.add(done);
            record("progressed");
        }

        @Override
        public void finished(boolean succeeded) {
            record("finished " + succeeded);
        }

        private void record(String call) {
            calls.add(call);
            threads.add(Thread.currentThread());
        }

        List<String> withoutProgressed() {
            return calls.stream().filter(c -> !c.equals("progressed")).toList();
        }
    }

    /**
     * A listener that throws an {@link Error} (an assertion in a test's listener) when the write
     * starts, progresses or finishes fails that write alone: its temp file is gone and its lock
     * released, so the next write of the file, on another thread, goes through at once.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"started", "progressed", "finished"})
    void aListenerThrowingAnErrorLeavesNoTempFileAndNoLockHeld(String when) throws Exception {
        Path file = Files.writeString(dir.resolve("listened-" + when + ".txt"), "old");
        ProgressListener failing = new ProgressListener() {
            @Override
            public void started(String task, long total) {
                fail("started");
            }

            @Override
            public void progressed(long done) {
                fail("progressed");
            }

            @Override
            public void finished(boolean succeeded) {
                fail("finished");
            }

            private void fail(String call) {
                if (call.equals(when)) {
                    throw new AssertionError("listener failed in " + call);
                }
            }
        };
        Throwable[] thrown = new Throwable[1];
        Thread writer = new Thread(() -> {
            try {
                AtomicFiles.writeText(file, "new", WriteOptions.builder().progressListener(failing).build());
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, "listened-writer");
        writer.start();
        writer.join();
        List<Path> tempFilesLeft = Folders.tempFilesIn(dir);
        // Not a clock assertion: a lock left held makes this write fail after its timeout.
        AtomicFiles.writeText(file, "after", WriteOptions.builder().showProgress(false)
                .lockTimeout(java.time.Duration.ofSeconds(5)).build());
        assertThat(Files.readString(file)).isEqualTo("after");
        assertThat(tempFilesLeft).as("temp files left by the write whose listener failed (%s)", thrown[0]).isEmpty();
    }

    private static WriteOptions reportingTo(ProgressListener listener) {
        return WriteOptions.builder().progressListener(listener).build();
    }

    @Test
    void listenerSeesStartedMonotonicProgressAndFinishedTrue() throws IOException {
        Recording listener = new Recording();
        byte[] content = new byte[THREE_MIB];

        AtomicFiles.writeBytes(dir.resolve("big.bin"), content, reportingTo(listener));

        assertThat(listener.withoutProgressed()).containsExactly("started write big.bin", "finished true");
        assertThat(listener.calls.get(0)).startsWith("started");
        assertThat(listener.calls.get(listener.calls.size() - 1)).isEqualTo("finished true");
        assertThat(listener.total).isEqualTo(THREE_MIB);
        assertThat(listener.progress).hasSizeGreaterThan(1).isSorted().doesNotHaveDuplicates();
        assertThat(listener.progress.get(listener.progress.size() - 1)).isEqualTo(THREE_MIB);
        assertThat(listener.threads).containsOnly(Thread.currentThread());
    }

    @Test
    void totalOfTextIsItsSizeInBytesOrUnknown() throws IOException {
        // Progress counts bytes: a text's length in chars is not its size once encoded.
        Recording listener = new Recording();
        String text = "é€😀".repeat(THREE_MIB / 9);
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;

        AtomicFiles.writeText(dir.resolve("big.txt"), text, reportingTo(listener));

        assertThat(listener.progress.get(listener.progress.size() - 1)).isEqualTo(bytes);
        assertThat(listener.total).isIn(bytes, -1L);
        assertThat(Files.size(dir.resolve("big.txt"))).isEqualTo(bytes);

        Recording latin1 = new Recording();
        String singleByte = "Grüße ".repeat(THREE_MIB / 6);
        AtomicFiles.writeText(dir.resolve("latin1.txt"), singleByte, StandardCharsets.ISO_8859_1, reportingTo(latin1));
        assertThat(latin1.total).isEqualTo(singleByte.length());
        assertThat(latin1.progress.get(latin1.progress.size() - 1)).isEqualTo(singleByte.length());
    }

    @Test
    void streamedWriteOfUnknownSizeReportsMinusOneThenTheBytes() throws IOException {
        Recording listener = new Recording();

        AtomicFiles.write(dir.resolve("stream.bin"), reportingTo(listener), w -> {
            for (int i = 0; i < 3; i++) {
                w.outputStream().write(new byte[1 << 20]);
            }
        });

        assertThat(listener.total).isEqualTo(-1);
        assertThat(listener.progress.get(listener.progress.size() - 1)).isEqualTo(THREE_MIB);
        assertThat(listener.withoutProgressed()).endsWith("finished true");
    }

    @Test
    void discardedWritesFinishWithFalse() throws IOException {
        Recording thrown = new Recording();
        Recording closed = new Recording();
        Recording invalid = new Recording();

        assertThatThrownBy(() -> AtomicFiles.write(dir.resolve("a.bin"), reportingTo(thrown), w -> {
            w.writeBytes(new byte[THREE_MIB]);
            throw new IOException("abandon");
        })).hasMessage("abandon");
        try (AtomicWriter writer = AtomicWriter.open(dir.resolve("b.bin"), reportingTo(closed))) {
            writer.writeBytes(new byte[THREE_MIB]);
        }
        WriteOptions withSchema = reportingTo(invalid).toBuilder()
                .schema(Map.of("type", "object", "required", List.of("x"))).build();
        try (AtomicWriter writer = AtomicWriter.open(dir.resolve("c.json"), withSchema)) {
            writer.writeText("{}");
            assertThatThrownBy(writer::commit).isInstanceOf(ValidationException.class);
        }

        for (Recording listener : List.of(thrown, closed, invalid)) {
            assertThat(listener.withoutProgressed()).hasSize(2).endsWith("finished false");
        }
        assertThat(Folders.names(dir)).isEmpty();
    }

    @Test
    void showProgressOffSilencesTheListener() throws IOException {
        Recording listener = new Recording();
        WriteOptions off = reportingTo(listener).toBuilder().showProgress(false).build();

        AtomicFiles.writeBytes(dir.resolve("quiet.bin"), new byte[THREE_MIB], off);
        assertThatThrownBy(() -> AtomicFiles.write(dir.resolve("x.bin"), off, w -> {
            throw new IOException("abandon");
        })).isInstanceOf(IOException.class);

        assertThat(listener.calls).isEmpty();
        assertThat(Files.size(dir.resolve("quiet.bin"))).isEqualTo(THREE_MIB);
    }

    /**
     * The library never draws: with the default options (progress on, no listener) a large
     * write prints nothing, terminal or not, and the terminal libraries a bar would need are not
     * on the library's class path at all (they are not forced on its users).
     */
    @Test
    void theLibraryDrawsNothingAndBringsNoTerminalLibrary() throws IOException {
        assertThat(WriteOptions.defaults().showProgress()).isTrue();
        assertThatThrownBy(() -> Class.forName("me.tongfei.progressbar.ProgressBar"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.jline.terminal.TerminalBuilder"))
                .isInstanceOf(ClassNotFoundException.class);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            System.setErr(capture);
            AtomicFiles.writeBytes(dir.resolve("big.bin"), new byte[THREE_MIB]);
            AtomicFiles.writeBytes(dir.resolve("big.bin"), new byte[THREE_MIB]);
            AtomicFiles.write(dir.resolve("stream.bin"), w -> w.outputStream().write(new byte[THREE_MIB]));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }

        assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(Files.size(dir.resolve("big.bin"))).isEqualTo(THREE_MIB);
    }
}
