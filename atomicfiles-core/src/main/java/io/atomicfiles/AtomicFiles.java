package io.atomicfiles;

import io.atomicfiles.format.DataFormat;
import io.atomicfiles.internal.Audited;
import io.atomicfiles.internal.Hashing;
import io.atomicfiles.internal.LibraryThreads;
import io.atomicfiles.internal.Retries;
import io.atomicfiles.internal.Rotation;
import io.atomicfiles.internal.TempFiles;
import io.atomicfiles.internal.Transfers;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One-call atomic file operations: write, copy, move, write a config file, sweep leftovers.
 *
 * <pre>{@code
 * AtomicFiles.writeJson(Path.of("state.json"), Map.of("step", 3));
 * AtomicFiles.writeText(Path.of("notes.txt"), "hello", WriteOptions.builder().backup(false).build());
 * AtomicFiles.write(Path.of("big.csv"), WriteOptions.defaults(), writer -> {
 *     try (var out = new PrintStream(writer.outputStream(), false, UTF_8)) { rows.forEach(out::println); }
 * });
 * }</pre>
 *
 * <p>Every write here follows the protocol of {@link AtomicWriter}: the file shows its old
 * content or its complete new content, even after {@code kill -9} or a power loss; failures
 * leave it as it was. Every blocking method has an {@code ...Async} twin that runs on the
 * {@link Executor} you pass, or on the library's own daemon threads (never the common
 * fork-join pool). When a global {@link AuditTrail} is set, every operation is recorded in it.
 */
public final class AtomicFiles {
    /**
     * The name of the lock file in every folder atomicfiles writes into: writers of one file,
     * whatever their user or state folder, exclude each other through one byte of it (an
     * {@code fcntl} lock at an offset derived from the file's name). It holds no data; it may be
     * left in place (deleting it while a writer waits on it breaks that writer's exclusion). A
     * file of this name is never written as a target.
     */
    public static final String LOCK_FILE_NAME = ".atomicfiles.lock";

    private AtomicFiles() {
    }

    // ---------------------------------------------------------------- scoped writes

    /** {@link #write(Path, WriteOptions, IOConsumer)} with the default options. */
    public static WriteResult write(Path path, IOConsumer<AtomicWriter> body) throws IOException {
        return write(path, WriteOptions.defaults(), body);
    }

    /**
     * Opens a writer, hands it to {@code body}, and commits when {@code body} returns; when
     * {@code body} throws, the content is discarded, the target is left untouched and the
     * exception propagates. With a retry policy, a retried attempt runs {@code body} again.
     */
    public static WriteResult write(Path path, WriteOptions options, IOConsumer<AtomicWriter> body)
            throws IOException {
        // The caller's body streams the content: its temp file is created owner-only.
        return run("write", path, options, -1, false, body);
    }

    // ---------------------------------------------------------------- group commit

    /** {@link #batch(WriteOptions)} with the default options. */
    public static WriteBatch batch() {
        return new WriteBatch(WriteOptions.defaults());
    }

    /**
     * A batch of independent files written together: each file atomic and durable when
     * {@link WriteBatch#commit()} returns, for far fewer fsync rounds than one write after the
     * other; no all-or-nothing across files (see {@link WriteBatch}). Every file is written with
     * {@code options}.
     */
    public static WriteBatch batch(WriteOptions options) {
        return new WriteBatch(options);
    }

    // ---------------------------------------------------------------- one-shot writes

    public static WriteResult writeText(Path path, String text) throws IOException {
        return writeText(path, text, StandardCharsets.UTF_8, WriteOptions.defaults());
    }

    public static WriteResult writeText(Path path, String text, WriteOptions options) throws IOException {
        return writeText(path, text, StandardCharsets.UTF_8, options);
    }

    public static WriteResult writeText(Path path, String text, Charset charset, WriteOptions options)
            throws IOException {
        return run("write", path, options, encodedSize(text, charset), true, w -> w.writeText(text, charset));
    }

    /**
     * The size of {@code text} once encoded, for progress (which counts bytes): its length in a
     * charset of one byte per character, else unknown (-1) rather than a wrong number.
     */
    private static long encodedSize(String text, Charset charset) {
        return charset.newEncoder().maxBytesPerChar() == 1.0f ? text.length() : -1;
    }

    public static WriteResult writeBytes(Path path, byte[] bytes) throws IOException {
        return writeBytes(path, bytes, WriteOptions.defaults());
    }

    public static WriteResult writeBytes(Path path, byte[] bytes, WriteOptions options) throws IOException {
        return run("write", path, options, bytes.length, true, w -> w.writeBytes(bytes));
    }

    /** Writes {@code data} as JSON indented by 2; a schema in the options is checked first. */
    public static WriteResult writeJson(Path path, Object data) throws IOException {
        return writeJson(path, data, WriteOptions.defaults());
    }

    public static WriteResult writeJson(Path path, Object data, WriteOptions options) throws IOException {
        return run("write", path, options, -1, true, w -> w.writeJson(data));
    }

    /** Writes {@code data} as block-style YAML; a schema in the options is checked first. */
    public static WriteResult writeYaml(Path path, Object data) throws IOException {
        return writeYaml(path, data, WriteOptions.defaults());
    }

    public static WriteResult writeYaml(Path path, Object data, WriteOptions options) throws IOException {
        return run("write", path, options, -1, true, w -> w.writeYaml(data));
    }

    /** {@link #writeConfig(Path, Object, Object)} without a schema. */
    public static WriteResult writeConfig(Path path, Object data) throws IOException {
        return writeConfig(path, data, null);
    }

    /**
     * Writes a configuration file in the format its extension names: {@code .json} as JSON,
     * {@code .yaml}/{@code .yml} as YAML, checked against {@code schema} (or not, when null).
     *
     * @throws IllegalArgumentException for any other extension
     */
    public static WriteResult writeConfig(Path path, Object data, Object schema) throws IOException {
        DataFormat format = DataFormat.require(path, "writeConfig");
        WriteOptions options = WriteOptions.defaults().toBuilder().schema(schema).build();
        return format == DataFormat.JSON ? writeJson(path, data, options) : writeYaml(path, data, options);
    }

    // ---------------------------------------------------------------- copy and move

    /** Copies {@code source} over {@code target} atomically (see {@link #copy(Path, Path, WriteOptions)}). */
    public static WriteResult copy(Path source, Path target) throws IOException {
        return copy(source, target, WriteOptions.defaults());
    }

    /**
     * Copies {@code source} to {@code target} through the write protocol: {@code target} holds
     * its old content or the complete copy. A new target takes the source's permissions. A
     * source that is a symbolic link stands for its target, followed by the same rule as a
     * target's links (see {@link AtomicWriter#target()}); the source must be a regular file.
     *
     * @throws java.nio.file.NoSuchFileException when {@code source} does not exist
     */
    public static WriteResult copy(Path source, Path target, WriteOptions options) throws IOException {
        return audited("copy", target, Map.of("source", source.toString()),
                () -> Retries.call(options.retryPolicy(), "copy", target, () -> Transfers.copy(source, target, options)));
    }

    /** Moves {@code source} to {@code target} (see {@link #move(Path, Path, WriteOptions)}). */
    public static Path move(Path source, Path target) throws IOException {
        return move(source, target, WriteOptions.defaults());
    }

    /**
     * Moves {@code source} to {@code target}: one atomic rename within a filesystem (the old
     * target kept as its backup); across filesystems a durable, verified copy followed by the
     * deletion of the source, so a crash leaves the file in both places, never in neither. When
     * the two are names of one file (hard links), the target stays and the source name is
     * removed, as {@code mv} does.
     *
     * <p>A symbolic link as {@code source}: within a filesystem the link itself is moved, as
     * {@code mv} moves it (a relative link then resolves from its new folder); across
     * filesystems the file it points to is copied, and the link is removed. A failure to delete
     * the source after such a copy is never retried by the options' {@link RetryPolicy}.
     *
     * @return the path the file now has
     */
    public static Path move(Path source, Path target, WriteOptions options) throws IOException {
        return audited("move", target, Map.of("source", source.toString()),
                () -> Retries.call(options.retryPolicy(), "move", target, () -> Transfers.move(source, target, options)));
    }

    // ---------------------------------------------------------------- rotation

    /** {@link #rotate(Path, int, boolean)} without compression. */
    public static List<Path> rotate(Path file, int maxFiles) throws IOException {
        return rotate(file, maxFiles, false);
    }

    /**
     * Rotates a log-style file: {@code app.log} becomes {@code app.log.1}, {@code app.log.1}
     * becomes {@code app.log.2}, and so on; at most {@code maxFiles - 1} rotated files remain
     * (the oldest beyond that is removed). With {@code compress} the rotated files are gzip
     * files, {@code app.log.1.gz}, ..., each compressed to a temp name, forced to disk and only
     * then renamed, so no half-written {@code .gz} ever has a final name. A crash or failure at
     * any point loses no rotated file, and the next rotation finishes an interrupted one.
     *
     * <p>{@code maxFiles == 1} keeps no rotated file: {@code app.log} is removed (with any
     * rotated files left from before), and the application starts a new one. A missing
     * {@code app.log} is a no-op. The rotation holds the file's lock, so it never overlaps a
     * write of it through this library or an append of an {@link AuditTrail} kept in it.
     *
     * <p>A program that keeps {@code app.log} open goes on writing into {@code app.log.1} until it
     * reopens the file; with {@code compress}, {@code app.log.1} is compressed and removed at
     * once, so what such a program writes in between is lost. Compress only where the program
     * reopens its log before the rotation (or is stopped during it).
     *
     * <p>In a folder every user may write (a shared {@code /tmp}), a rotated file that belongs
     * to neither the log's owner, the folder's owner, this process's user nor root may have been
     * put there by another user: the rotation stops before touching it, and it is never taken
     * into the log's history.
     *
     * @return the rotated files that exist afterwards, newest ({@code .1}) first
     * @throws AtomicWriteException when a rotated file in a folder every user may write belongs to another user
     * @throws IllegalArgumentException when {@code maxFiles < 1}
     */
    public static List<Path> rotate(Path file, int maxFiles, boolean compress) throws IOException {
        if (maxFiles < 1) {
            throw new IllegalArgumentException("rotate " + file + ": maxFiles must be at least 1, got " + maxFiles);
        }
        return audited("rotate", file, Map.of("maxFiles", maxFiles, "compress", compress),
                () -> Rotation.rotate(file, maxFiles, compress));
    }

    // ---------------------------------------------------------------- maintenance

    /**
     * Removes the temp files ({@code .NAME.tmp-*}) in {@code folder} that killed writers left
     * behind. A temp file names its writer (process id and start time, and the machine): one
     * whose writer is gone is removed whatever its age, and a live writer's is never removed,
     * however old. One whose writer cannot be told (made on another machine sharing the folder,
     * or by an earlier version of the library) is removed once it is older than
     * {@code olderThan}. The first write of a process into a folder removes the files of gone
     * writers there by itself.
     *
     * @return the number removed
     */
    public static int sweepStaleTempFiles(Path folder, Duration olderThan) throws IOException {
        return TempFiles.sweep(folder, olderThan);
    }

    /** The hex SHA-256 of a file's content. */
    public static String checksum(Path file) throws IOException {
        return Hashing.sha256Hex(file);
    }

    // ---------------------------------------------------------------- asynchronous twins

    public static CompletableFuture<WriteResult> writeAsync(Path path, WriteOptions options,
            IOConsumer<AtomicWriter> body) {
        return writeAsync(path, options, body, LibraryThreads.async());
    }

    public static CompletableFuture<WriteResult> writeAsync(Path path, WriteOptions options,
            IOConsumer<AtomicWriter> body, Executor executor) {
        return async(() -> write(path, options, body), executor);
    }

    public static CompletableFuture<WriteResult> writeTextAsync(Path path, String text) {
        return writeTextAsync(path, text, WriteOptions.defaults(), LibraryThreads.async());
    }

    public static CompletableFuture<WriteResult> writeTextAsync(Path path, String text, WriteOptions options,
            Executor executor) {
        return async(() -> writeText(path, text, options), executor);
    }

    public static CompletableFuture<WriteResult> writeBytesAsync(Path path, byte[] bytes) {
        return writeBytesAsync(path, bytes, WriteOptions.defaults(), LibraryThreads.async());
    }

    public static CompletableFuture<WriteResult> writeBytesAsync(Path path, byte[] bytes, WriteOptions options,
            Executor executor) {
        return async(() -> writeBytes(path, bytes, options), executor);
    }

    public static CompletableFuture<WriteResult> writeJsonAsync(Path path, Object data) {
        return writeJsonAsync(path, data, WriteOptions.defaults(), LibraryThreads.async());
    }

    public static CompletableFuture<WriteResult> writeJsonAsync(Path path, Object data, WriteOptions options,
            Executor executor) {
        return async(() -> writeJson(path, data, options), executor);
    }

    public static CompletableFuture<WriteResult> writeYamlAsync(Path path, Object data) {
        return writeYamlAsync(path, data, WriteOptions.defaults(), LibraryThreads.async());
    }

    public static CompletableFuture<WriteResult> writeYamlAsync(Path path, Object data, WriteOptions options,
            Executor executor) {
        return async(() -> writeYaml(path, data, options), executor);
    }

    public static CompletableFuture<WriteResult> writeConfigAsync(Path path, Object data, Object schema) {
        return writeConfigAsync(path, data, schema, LibraryThreads.async());
    }

    public static CompletableFuture<WriteResult> writeConfigAsync(Path path, Object data, Object schema,
            Executor executor) {
        return async(() -> writeConfig(path, data, schema), executor);
    }

    public static CompletableFuture<WriteResult> copyAsync(Path source, Path target) {
        return copyAsync(source, target, WriteOptions.defaults(), LibraryThreads.async());
    }

    public static CompletableFuture<WriteResult> copyAsync(Path source, Path target, WriteOptions options,
            Executor executor) {
        return async(() -> copy(source, target, options), executor);
    }

    public static CompletableFuture<Path> moveAsync(Path source, Path target) {
        return moveAsync(source, target, WriteOptions.defaults(), LibraryThreads.async());
    }

    public static CompletableFuture<Path> moveAsync(Path source, Path target, WriteOptions options,
            Executor executor) {
        return async(() -> move(source, target, options), executor);
    }

    public static CompletableFuture<List<Path>> rotateAsync(Path file, int maxFiles) {
        return rotateAsync(file, maxFiles, false, LibraryThreads.async());
    }

    public static CompletableFuture<List<Path>> rotateAsync(Path file, int maxFiles, boolean compress) {
        return rotateAsync(file, maxFiles, compress, LibraryThreads.async());
    }

    public static CompletableFuture<List<Path>> rotateAsync(Path file, int maxFiles, boolean compress,
            Executor executor) {
        return async(() -> rotate(file, maxFiles, compress), executor);
    }

    // ---------------------------------------------------------------- plumbing

    /** One write through {@link AtomicWriter}: retried per policy, audited, discarded on failure. */
    private static WriteResult run(String operation, Path path, WriteOptions options, long expectedSize,
            boolean contentInHand, IOConsumer<AtomicWriter> body) throws IOException {
        return audited(operation, path, Map.of(), () -> Retries.call(options.retryPolicy(), operation, path, () -> {
            try (AtomicWriter writer = AtomicWriter.open(path, options, operation, expectedSize, contentInHand)) {
                body.accept(writer);
                return writer.commit();
            }
        }));
    }

    /** Runs one operation so that it leaves exactly one completed or failed audit record. */
    private static <T> T audited(String operation, Path path, Map<String, Object> metadata, IOCallable<T> call)
            throws IOException {
        return Audited.call(operation, path, metadata, call);
    }

    private static <T> CompletableFuture<T> async(IOCallable<T> call, Executor executor) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, executor);
    }
}
