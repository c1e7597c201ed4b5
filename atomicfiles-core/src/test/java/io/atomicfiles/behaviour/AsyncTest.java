package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import io.atomicfiles.internal.Events;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code ...Async} twin does what its blocking twin does, on the caller's executor when
 * given one, else on the library's own threads (never the common fork-join pool).
 */
class AsyncTest {
    private static final WriteOptions OPTIONS = WriteOptions.defaults();
    private static final Map<String, Object> DATA = Map.of("name", "async", "n", 3);
    private static final String SCHEMA = "{\"type\": \"object\", \"required\": [\"name\"]}";

    @TempDir
    Path dir;

    /** The threads on which library operations ran, as reported to the event sink. */
    private final List<Thread> workThreads = new CopyOnWriteArrayList<>();
    private ExecutorService callers;

    @BeforeEach
    void recordWorkThreads() {
        Events.install(event -> workThreads.add(Thread.currentThread()));
        callers = Executors.newFixedThreadPool(2, runnable -> new Thread(runnable, "callers-executor"));
    }

    @AfterEach
    void stopRecording() {
        Events.install(null);
        callers.shutdownNow();
    }

    /** One operation three ways: blocking, async on the caller's executor, async by default. */
    interface Blocking {
        Object run(Path folder) throws IOException;
    }

    interface WithExecutor {
        CompletableFuture<?> run(Path folder, Executor executor);
    }

    interface WithoutExecutor {
        CompletableFuture<?> run(Path folder);
    }

    static Stream<Arguments> twins() {
        return Stream.of(
                twin("write",
                        f -> AtomicFiles.write(f.resolve("w.txt"), OPTIONS, w -> w.writeText("scoped")),
                        (f, e) -> AtomicFiles.writeAsync(f.resolve("w.txt"), OPTIONS, w -> w.writeText("scoped"), e),
                        f -> AtomicFiles.writeAsync(f.resolve("w.txt"), OPTIONS, w -> w.writeText("scoped"))),
                twin("writeText",
                        f -> AtomicFiles.writeText(f.resolve("t.txt"), "text ✓", OPTIONS),
                        (f, e) -> AtomicFiles.writeTextAsync(f.resolve("t.txt"), "text ✓", OPTIONS, e),
                        f -> AtomicFiles.writeTextAsync(f.resolve("t.txt"), "text ✓")),
                twin("writeBytes",
                        f -> AtomicFiles.writeBytes(f.resolve("b.bin"), new byte[] {1, 2, 3}, OPTIONS),
                        (f, e) -> AtomicFiles.writeBytesAsync(f.resolve("b.bin"), new byte[] {1, 2, 3}, OPTIONS, e),
                        f -> AtomicFiles.writeBytesAsync(f.resolve("b.bin"), new byte[] {1, 2, 3})),
                twin("writeJson",
                        f -> AtomicFiles.writeJson(f.resolve("j.json"), DATA, OPTIONS),
                        (f, e) -> AtomicFiles.writeJsonAsync(f.resolve("j.json"), DATA, OPTIONS, e),
                        f -> AtomicFiles.writeJsonAsync(f.resolve("j.json"), DATA)),
                twin("writeYaml",
                        f -> AtomicFiles.writeYaml(f.resolve("y.yaml"), DATA, OPTIONS),
                        (f, e) -> AtomicFiles.writeYamlAsync(f.resolve("y.yaml"), DATA, OPTIONS, e),
                        f -> AtomicFiles.writeYamlAsync(f.resolve("y.yaml"), DATA)),
                twin("writeConfig",
                        f -> AtomicFiles.writeConfig(f.resolve("c.yml"), DATA, SCHEMA),
                        (f, e) -> AtomicFiles.writeConfigAsync(f.resolve("c.yml"), DATA, SCHEMA, e),
                        f -> AtomicFiles.writeConfigAsync(f.resolve("c.yml"), DATA, SCHEMA)),
                twin("copy",
                        f -> AtomicFiles.copy(f.resolve("source.txt"), f.resolve("copy.txt"), OPTIONS),
                        (f, e) -> AtomicFiles.copyAsync(f.resolve("source.txt"), f.resolve("copy.txt"), OPTIONS, e),
                        f -> AtomicFiles.copyAsync(f.resolve("source.txt"), f.resolve("copy.txt"))),
                twin("move",
                        f -> f.relativize(AtomicFiles.move(f.resolve("source.txt"), f.resolve("moved.txt"), OPTIONS)),
                        (f, e) -> AtomicFiles.moveAsync(f.resolve("source.txt"), f.resolve("moved.txt"), OPTIONS, e)
                                .thenApply(f::relativize),
                        f -> AtomicFiles.moveAsync(f.resolve("source.txt"), f.resolve("moved.txt"))
                                .thenApply(f::relativize)));
    }

    private static Arguments twin(String name, Blocking blocking, WithExecutor withExecutor,
            WithoutExecutor withoutExecutor) {
        return Arguments.of(name, blocking, withExecutor, withoutExecutor);
    }

    @ParameterizedTest(name = "{0}Async")
    @MethodSource("twins")
    void asyncTwinDoesWhatTheBlockingOneDoes(String name, Blocking blocking, WithExecutor withExecutor,
            WithoutExecutor withoutExecutor) throws Exception {
        Path blockingFolder = prepared("blocking");
        Path executorFolder = prepared("executor");
        Path defaultFolder = prepared("default");

        Object expected = comparable(blocking.run(blockingFolder), blockingFolder);
        workThreads.clear();

        Object onExecutor = comparable(withExecutor.run(executorFolder, callers).get(30, TimeUnit.SECONDS),
                executorFolder);
        assertThat(workThreads).isNotEmpty()
                .allSatisfy(t -> assertThat(t.getName()).isEqualTo("callers-executor"));
        workThreads.clear();

        Object onDefault = comparable(withoutExecutor.run(defaultFolder).get(30, TimeUnit.SECONDS), defaultFolder);
        assertThat(workThreads).isNotEmpty().allSatisfy(t -> {
            assertThat(t.getName()).startsWith("atomicfiles-async-");
            assertThat(t).isNotInstanceOf(ForkJoinWorkerThread.class);
        });

        assertThat(onExecutor).isEqualTo(expected);
        assertThat(onDefault).isEqualTo(expected);
        assertThat(contents(executorFolder)).isEqualTo(contents(blockingFolder));
        assertThat(contents(defaultFolder)).isEqualTo(contents(blockingFolder));
    }

    @Test
    void failureCompletesTheFutureExceptionallyWithTheIOExceptionAsCause() throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("plain-file"), "x");
        Path impossible = notAFolder.resolve("child.txt");

        CompletableFuture<WriteResult> onDefault = AtomicFiles.writeTextAsync(impossible, "x");
        CompletableFuture<WriteResult> onExecutor = AtomicFiles.writeTextAsync(impossible, "x", OPTIONS, callers);

        for (CompletableFuture<WriteResult> future : List.of(onDefault, onExecutor)) {
            assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(AtomicWriteException.class).hasMessageContaining("child.txt");
            assertThatThrownBy(future::join).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(AtomicWriteException.class);
            assertThat(future.isCompletedExceptionally()).isTrue();
        }
        assertThat(Files.readString(notAFolder)).isEqualTo("x");
    }

    @Test
    void theCauseIsTheSameExceptionTheBlockingTwinThrows() throws IOException {
        Path taken = Files.writeString(dir.resolve("taken.txt"), "theirs");
        WriteOptions createNew = WriteOptions.builder().createNew(true).build();

        assertThatThrownBy(() -> AtomicFiles.writeBytesAsync(taken, new byte[] {1}, createNew, callers).join())
                .cause().isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> AtomicFiles.moveAsync(dir.resolve("missing"), dir.resolve("to")).join())
                .cause().isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> AtomicFiles.writeConfigAsync(dir.resolve("c.toml"), DATA, null).join())
                .cause().isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AtomicFiles.writeAsync(dir.resolve("body.txt"), OPTIONS, w -> {
            throw new IOException("from the body");
        }).join()).cause().isInstanceOf(IOException.class).hasMessage("from the body");

        assertThat(Files.readString(taken)).isEqualTo("theirs");
        assertThat(Folders.names(dir)).containsExactly("taken.txt");
    }

    // ---------------------------------------------------------------- helpers

    private Path prepared(String name) throws IOException {
        Path folder = Files.createDirectory(dir.resolve(name));
        Files.writeString(folder.resolve("source.txt"), "source content");
        return folder;
    }

    /** A result with the folder-specific parts (absolute paths, timings) taken out. */
    private static Object comparable(Object result, Path folder) {
        if (result instanceof WriteResult r) {
            return List.of(folder.relativize(r.target()).toString(), r.size(), r.sha256(),
                    r.backup().map(b -> folder.relativize(b).toString()).orElse("no backup"));
        }
        return String.valueOf(result);
    }

    /** Every file in the folder, by name, with its content. */
    private static Map<String, String> contents(Path folder) {
        Map<String, String> contents = new TreeMap<>();
        for (String name : Folders.names(folder)) {
            try {
                contents.put(name, Files.readString(folder.resolve(name)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return contents;
    }
}
