package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where an audit trail's lines live: a JSON Lines file (with its rotated predecessors), or a
 * list in memory.
 *
 * <p>An append to a file happens under the file's path lock ({@link PathLocks}: a lock in this
 * JVM and an OS lock in the state folder, the same lock {@code AtomicFiles.rotate} takes), so
 * appends from many threads and processes, and a rotation, never overlap. Under the lock the
 * appender reads the last line's hash, seals its record after it and writes the line with one
 * positional write at the end of the file: lines are never interleaved or torn by another
 * appender, and the chain stays linear whoever appends. Each line reaches the OS before
 * {@link #append} returns; with {@code durable} it is also forced to disk.
 *
 * <p>A file that does not end in a newline (a crash cut its last line) is first given one, so
 * the next record starts a line of its own; the cut line stays for {@code verify} to report.
 *
 * <p>The end of the chain is anchored in {@code NAME.head} ({@link AuditChain.Head}), so that
 * cutting off the newest records is detected like any other change. An append, under the lock:
 * <ol>
 *   <li>writes its line(s) with one positional write, and with {@code durable} forces them to
 *       disk (and the folder, for a new file): the record exists before anything points at it;</li>
 *   <li>then replaces the head with the new last hash and line, by the write protocol's steps
 *       (temp file, rename; with {@code durable} forced before and after the rename), never in
 *       place: a crash leaves the old head or the new, never a torn one.</li>
 * </ol>
 * A crash between the two leaves the head one append behind the trail, which {@code verify}
 * accepts (and the next append repairs); the head is never ahead of durable records. Without
 * {@code durable} neither is forced: after a power loss the head may name records the disk lost,
 * and {@code verify} then reports them missing, which they are.
 */
public final class AuditLog {
    private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);
    private static final int BLOCK = 8192;

    private final Path file;
    private final boolean durable;
    private final List<String> memory;

    private AuditLog(Path file, boolean durable, List<String> memory) {
        this.file = file;
        this.durable = durable;
        this.memory = memory;
    }

    /**
     * A trail in {@code file} (its folder is created if missing). A symbolic link is followed
     * once, here, so that appends lock the same path that {@code AtomicFiles.rotate} locks.
     */
    public static AuditLog onFile(Path file, boolean durable) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return new AuditLog(Targets.resolve(file, true, "audit"), durable, null);
    }

    /** A trail kept in memory, for a process that wants the records but no file. */
    public static AuditLog inMemory() {
        return new AuditLog(null, false, new ArrayList<>());
    }

    /** The audit file, or null for a trail in memory. */
    public Path file() {
        return file;
    }

    /**
     * Appends {@code record}, chained after the last line. When the file is new (or was just
     * rotated away), {@code fileStart} supplies the record that begins it, linked to the last
     * hash of the rotated file before it ({@code NAME.1} or {@code NAME.1.gz}) if there is one.
     *
     * @return the line written
     */
    public String append(ObjectNode record, Supplier<ObjectNode> fileStart) throws IOException {
        if (file == null) {
            synchronized (memory) {
                if (memory.isEmpty()) {
                    memory.add(AuditChain.seal(fileStart.get(), AuditChain.GENESIS));
                }
                String line = AuditChain.seal(record, AuditChain.linkAfter(memory.get(memory.size() - 1)));
                memory.add(line);
                return line;
            }
        }
        PathLocks.Held lock = PathLocks.acquire(file, LOCK_TIMEOUT);
        try {
            boolean created = !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                long size = channel.size();
                Tail tail = tail(channel, size);
                StringBuilder out = new StringBuilder();
                if (tail.torn()) {
                    out.append('\n');
                }
                String prev;
                if (tail.line() == null) {
                    ObjectNode startRecord = fileStart.get();
                    // Says that this trail keeps a head file, so that a removed one is missed.
                    JsonNode metadata = startRecord.get("metadata");
                    (metadata instanceof ObjectNode object ? object : startRecord.putObject("metadata"))
                            .put("head", true);
                    String start = AuditChain.seal(startRecord, predecessorHash());
                    out.append(start).append('\n');
                    prev = AuditChain.declaredHash(start);
                } else {
                    prev = AuditChain.linkAfter(tail.line());
                }
                String line = AuditChain.seal(record, prev);
                out.append(line).append('\n');
                byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
                // Step 1: the record, durable before the head names it.
                writeFully(channel, ByteBuffer.wrap(bytes), size);
                if (durable) {
                    Fsync.file(channel, "audit", file, "fsync audit record");
                }
                if (durable && created) {
                    Fsync.folder(file.getParent(), "audit", file);
                }
                // Step 2: the head, replaced whole.
                long lines = linesAfter(channel, size + bytes.length, tail, prev);
                AuditHeadFile.write(file, new AuditChain.Head(AuditChain.declaredHash(line), lines), durable);
                return line;
            }
        } finally {
            lock.close();
        }
    }

    /**
     * The number of lines of the file after an append ({@code end} bytes): the head's count plus
     * the one line added when the head was exact, else counted (a new file, a repaired cut
     * line, a head behind after a crash, a trail from before heads were kept).
     */
    private long linesAfter(FileChannel channel, long end, Tail tail, String prev) throws IOException {
        AuditChain.Head head = AuditHeadFile.read(AuditHeadFile.of(file));
        if (tail.line() != null && !tail.torn() && head != null && head.hash().equals(prev)) {
            return head.line() + 1;
        }
        long count = 0;
        for (long at = 0; at < end; at += BLOCK) {
            ByteBuffer block = ByteBuffer.allocate((int) Math.min(BLOCK, end - at));
            readFully(channel, block, at);
            for (byte b : block.array()) {
                if (b == '\n') {
                    count++;
                }
            }
        }
        return count;
    }

    /** Checks this trail's chain and its head, under the lock (so no append is half done). */
    public AuditChain.Outcome verify() throws IOException {
        if (file == null) {
            return AuditChain.verify(read());
        }
        PathLocks.Held lock = PathLocks.acquire(file, LOCK_TIMEOUT);
        try {
            return verifyUnlocked(file);
        } finally {
            lock.close();
        }
    }

    /**
     * Checks the trail in {@code file} (its rotated files, the file and its head) under the
     * file's lock, as {@link #verify()} does.
     */
    public static AuditChain.Outcome verify(Path file) throws IOException {
        // The path appends use: a symbolic link followed once, as onFile does.
        Path absolute = Targets.resolve(file, true, "audit");
        PathLocks.Held lock = PathLocks.acquire(absolute, LOCK_TIMEOUT);
        try {
            return verifyUnlocked(absolute);
        } finally {
            lock.close();
        }
    }

    private static AuditChain.Outcome verifyUnlocked(Path file) throws IOException {
        Path headFile = AuditHeadFile.of(file);
        byte[] content = AuditHeadFile.readBytes(headFile);
        AuditChain.Head head = content == null ? null : AuditChain.Head.parse(content);
        return AuditChain.verify(read(chainFiles(file)), headFile, head, content != null && head == null);
    }

    /** All lines of the trail: the rotated files oldest first, then the current file. */
    public List<AuditChain.FileLines> read() throws IOException {
        if (file == null) {
            synchronized (memory) {
                return List.of(new AuditChain.FileLines(null, List.copyOf(memory)));
            }
        }
        PathLocks.Held lock = PathLocks.acquire(file, LOCK_TIMEOUT);
        try {
            return read(chainFiles(file));
        } finally {
            lock.close();
        }
    }

    /** The lines of each file in {@code files} (plain or {@code .gz}), in the order given. */
    public static List<AuditChain.FileLines> read(List<Path> files) throws IOException {
        List<AuditChain.FileLines> result = new ArrayList<>();
        for (Path f : files) {
            result.add(new AuditChain.FileLines(f, lines(f)));
        }
        return result;
    }

    /**
     * {@code file} and its rotated predecessors that exist, oldest first: {@code NAME.k} or
     * {@code NAME.k.gz} for k = 1, 2, ... up to the first number with neither, then {@code NAME}.
     */
    public static List<Path> chainFiles(Path file) {
        List<Path> files = new ArrayList<>();
        for (int k = 1; ; k++) {
            Path rotated = rotated(file, k);
            if (rotated == null) {
                break;
            }
            files.add(0, rotated);
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            files.add(file);
        }
        return files;
    }

    /** The k-th rotated file of {@code file}: plain if there, else gzip, else null. */
    private static Path rotated(Path file, int k) {
        Path plain = file.resolveSibling(file.getFileName() + "." + k);
        if (Files.exists(plain, LinkOption.NOFOLLOW_LINKS)) {
            return plain;
        }
        Path gz = file.resolveSibling(file.getFileName() + "." + k + ".gz");
        return Files.exists(gz, LinkOption.NOFOLLOW_LINKS) ? gz : null;
    }

    /** The last hash of the file rotated away before this one, or the genesis hash. */
    private String predecessorHash() throws IOException {
        Path previous = rotated(file, 1);
        if (previous == null) {
            return AuditChain.GENESIS;
        }
        List<String> lines = lines(previous);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isEmpty()) {
                return AuditChain.linkAfter(lines.get(i));
            }
        }
        return AuditChain.GENESIS;
    }

    private static List<String> lines(Path f) throws IOException {
        byte[] bytes;
        if (f.getFileName().toString().endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
                bytes = in.readAllBytes();
            } catch (EOFException | ZipException e) {
                throw AtomicWriteException.failed("audit", f, "read rotated audit file (damaged gzip)", e);
            }
        } else {
            bytes = Files.readAllBytes(f);
        }
        if (bytes.length == 0) {
            return List.of();
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        return Arrays.asList(text.split("\n", -1));
    }

    /** The last complete line of a file, and whether something incomplete follows it. */
    private record Tail(String line, boolean torn) {
    }

    private static Tail tail(FileChannel channel, long size) throws IOException {
        if (size == 0) {
            return new Tail(null, false);
        }
        boolean torn = byteAt(channel, size - 1) != '\n';
        long end = torn ? lastNewline(channel, size) + 1 : size;
        if (end == 0) {
            return new Tail(null, torn);
        }
        long start = lastNewline(channel, end - 1) + 1;
        ByteBuffer line = ByteBuffer.allocate(Math.toIntExact(end - 1 - start));
        readFully(channel, line, start);
        return new Tail(new String(line.array(), StandardCharsets.UTF_8), torn);
    }

    /** The position of the last {@code '\n'} before {@code limit}, or -1. */
    private static long lastNewline(FileChannel channel, long limit) throws IOException {
        long blockEnd = limit;
        while (blockEnd > 0) {
            long blockStart = Math.max(0, blockEnd - BLOCK);
            ByteBuffer block = ByteBuffer.allocate((int) (blockEnd - blockStart));
            readFully(channel, block, blockStart);
            byte[] bytes = block.array();
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    return blockStart + i;
                }
            }
            blockEnd = blockStart;
        }
        return -1;
    }

    private static byte byteAt(FileChannel channel, long position) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        readFully(channel, one, position);
        return one.get(0);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new EOFException("audit file shrank while being read at " + at);
            }
            at += n;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }
}
