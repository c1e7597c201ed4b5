package io.atomicfiles.journal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.internal.FileModes;
import io.atomicfiles.internal.Fsync;
import io.atomicfiles.internal.Hashing;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A transaction's journal, {@code <journalDir>/<id>.journal}: the durable record of what the
 * transaction will do, and how far it got.
 *
 * <p>One record per line: {@code <checksum> <json>}, where the checksum is the first 16 hex
 * digits of the SHA-256 of the JSON. A line whose checksum does not match was torn by a crash
 * and ends the journal. The intent (a header, every {@link Step}, a {@code planned} record) is
 * written in one go and forced; after it comes a line of spaces, reserved room into which the
 * markers {@code commit}, {@code rollback} and {@code done} are later written in place. Writing
 * into room that is already allocated cannot fail for lack of disk space, so a full disk can
 * never keep a transaction from recording its commit point or its decision to roll back.
 *
 * <p>While its transaction runs, the journal is held with an OS file lock; a journal whose lock
 * is free belongs to a process that is gone, and recovery may take it over.
 */
public final class JournalFile implements Closeable {
    static final String MAGIC = "atomicfiles-journal";
    /**
     * 2: hidden names carry a random tag, recorded in the header ({@code tag}); keeps record the
     * SHA-256 of what they keep; an {@code undone} marker. 1: tags derived from the id.
     */
    static final int VERSION = 2;
    static final String SUFFIX = ".journal";
    private static final int CHECKSUM_CHARS = 16;
    /** No journal the library writes comes near this; a larger one is not ours to load into memory. */
    private static final long MAX_JOURNAL_BYTES = 256L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final Durability durability;
    private long markOffset;
    private long reservedEnd;
    /**
     * Whether the reserved room was written by {@link #writeIntent} and forced with it (then a
     * marker in it needs only {@code fdatasync}); false for a journal opened by recovery, whose
     * room may be a crashed writer's never forced.
     */
    private boolean roomForced;
    private String intentSha;

    private JournalFile(Path path, FileChannel channel, FileLock lock, Durability durability) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.durability = durability;
    }

    /** Creates {@code <dir>/<id>.journal}, new, owner-only, and locks it for this process. */
    static JournalFile create(Path dir, String id, Durability durability) throws IOException {
        Path path = dir.resolve(id + SUFFIX);
        FileChannel channel = FileChannel.open(path, EnumSet.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE), FileModes.ownerOnlyFileAttribute(dir));
        try {
            FileLock lock = channel.lock();
            return new JournalFile(path, channel, lock, durability);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /**
     * Writes the intent (header, steps, {@code planned}) and the reserved room, then forces the
     * journal and its folder: from here on a crash leaves a journal that names every hidden
     * file the transaction may create.
     */
    void writeIntent(ObjectNode header, List<Step> steps, int reserveBytes) throws IOException {
        MessageDigest digest = Hashing.sha256();
        StringBuilder text = new StringBuilder();
        text.append(line(header));
        for (Step step : steps) {
            text.append(line(step.toJson()));
        }
        text.append(line(JsonNodeFactory.instance.objectNode().put("type", "planned").put("steps", steps.size())));
        byte[] intent = text.toString().getBytes(StandardCharsets.UTF_8);
        digest.update(intent);
        intentSha = Hashing.hex(digest.digest());
        byte[] room = new byte[reserveBytes];
        Arrays.fill(room, (byte) ' ');
        room[room.length - 1] = '\n';
        writeFully(ByteBuffer.wrap(intent), 0);
        writeFully(ByteBuffer.wrap(room), intent.length);
        markOffset = intent.length;
        reservedEnd = intent.length + room.length - 1;
        if (durability.syncsFile()) {
            Fsync.file(channel, "transaction", path, "fsync journal intent");
            roomForced = true;
        }
        if (durability.syncsFolder()) {
            Fsync.folder(path.getParent(), "transaction", path);
        }
    }

    /** The SHA-256 of the intent's bytes, which the commit record seals. */
    String intentSha() {
        return intentSha;
    }

    /**
     * Writes a marker record into the reserved room (or after it, should the room be used up).
     * Durable, it is forced before this returns:
     * <ol>
     *   <li>Into the reserved room, with {@code fdatasync} ({@link Fsync#data}). The room's
     *       blocks were written and forced with the intent ({@link #writeIntent}: {@code fsync}
     *       of the file and its folder), so the file's size and block map on disk already cover
     *       the marker; only its bytes are new. Prevents: a marker lost to a power cut after
     *       the caller relied on it; and it spares a filesystem-journal commit (the journaled
     *       ext4 commits one for an {@code fsync} that only has a new mtime to write), one per
     *       transaction commit.</li>
     *   <li>Appended after the room (a journal whose room is used up, or one recovery reads
     *       after a torn line): the file grows, so a full {@code fsync}, as for the intent.</li>
     * </ol>
     */
    void mark(ObjectNode record, boolean durable) throws IOException {
        byte[] bytes = line(record).getBytes(StandardCharsets.UTF_8);
        boolean inRoom = markOffset + bytes.length <= reservedEnd;
        long at = inRoom ? markOffset : Math.max(channel.size(), reservedEnd + 1);
        writeFully(ByteBuffer.wrap(bytes), at);
        markOffset = at + bytes.length;
        if (durable && durability.syncsFile()) {
            String step = "fsync journal " + record.path("type").asString();
            if (inRoom && roomForced) {
                Fsync.data(channel, "transaction", path, step); // step 1
            } else {
                Fsync.file(channel, "transaction", path, step); // step 2
            }
        }
    }

    /** Releases the lock and deletes the journal: the transaction is over and leaves nothing behind. */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(path);
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }

    private void writeFully(ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    private static String line(ObjectNode record) {
        String json = Codecs.json().writeValueAsString(record);
        return checksum(json) + " " + json + "\n";
    }

    private static String checksum(String json) {
        return Hashing.sha256Hex(json.getBytes(StandardCharsets.UTF_8)).substring(0, CHECKSUM_CHARS);
    }

    /**
     * What a journal on disk says, read up to its first torn line.
     *
     * @param header the header record, or null when even that is torn
     * @param steps the steps of the intent
     * @param planned whether the intent is complete (staging may have begun only then)
     * @param commit the commit record, or null when the commit point was not reached
     * @param commitValid whether the commit record seals exactly this intent
     * @param rolledBack whether a rollback was decided after the commit point
     * @param undone whether that rollback's undo was completed and forced (only clean-up remains)
     * @param done whether the transaction finished
     * @param freeAt where the unused reserved room begins (or the end of the journal)
     * @param roomEnd the newline that ends the reserved room (or the end of the journal)
     */
    record Contents(ObjectNode header, List<Step> steps, boolean planned, ObjectNode commit, boolean commitValid,
            boolean rolledBack, boolean undone, boolean done, long freeAt, long roomEnd) {

        String id() {
            return header == null ? null : header.path("id").asString();
        }
    }

    /**
     * Opens an existing journal for recovery and takes its lock, or returns null when another
     * process holds it (its owner is alive). The journal is opened once, not following a
     * symbolic link, and read through this same channel ({@link #readLocked}): closing any other
     * descriptor of the file would release this process's POSIX lock on it (fcntl locks belong
     * to the process and the file, not the descriptor), and a second recovery could then take
     * the transaction over while this one works on it.
     *
     * @throws java.nio.file.NoSuchFileException when the journal is gone (its owner finished)
     */
    static JournalFile openLocked(Path path, Durability durability) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it: a transaction of ours is running
            }
            if (lock == null) {
                channel.close();
                return null;
            }
            return new JournalFile(path, channel, lock, durability);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Reads this (locked) journal through its own channel, and makes later {@link #mark}s go
     * into its remaining reserved room. Paths are read on {@code fs}, the journal folder's.
     */
    Contents readLocked(FileSystem fs) throws IOException {
        long size = channel.size();
        if (size > MAX_JOURNAL_BYTES) {
            throw new IOException(path + ": journal of " + size + " bytes is larger than any journal written"
                    + " (at most " + MAX_JOURNAL_BYTES + "); not read");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        long at = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
        byte[] bytes = Arrays.copyOf(buffer.array(), buffer.position());
        Contents contents = parse(bytes, fs);
        markOffset = contents.freeAt();
        reservedEnd = contents.roomEnd();
        return contents;
    }

    /** Parses a journal's bytes up to its first torn line. */
    static Contents parse(byte[] bytes, FileSystem fs) {
        ObjectNode header = null;
        List<Step> steps = new ArrayList<>();
        boolean planned = false;
        ObjectNode commit = null;
        boolean rolledBack = false;
        boolean undone = false;
        boolean done = false;
        int intentEnd = -1;
        int start = 0;
        long freeAt = -1;
        long roomEnd = -1;
        long tornAt = -1;
        while (start < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', start);
            if (end < 0) {
                tornAt = start; // a last line without its newline was torn
                break;
            }
            String text = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            int lineStart = start;
            start = end + 1;
            if (text.isBlank()) {
                if (freeAt < 0) {
                    freeAt = lineStart; // reserved room not yet used: later markers go here
                    roomEnd = end;
                }
                continue;
            }
            ObjectNode record = parse(text);
            if (record == null) {
                tornAt = lineStart; // torn or corrupt: the journal ends here
                break;
            }
            freeAt = -1;
            String type = record.path("type").asString();
            if (header == null) {
                if (!"header".equals(type) || !MAGIC.equals(record.path("magic").asString())) {
                    break;
                }
                header = record;
                continue;
            }
            switch (type) {
                case "planned":
                    planned = record.path("steps").asInt() == steps.size();
                    intentEnd = start;
                    break;
                case "commit":
                    commit = record;
                    break;
                case "rollback":
                    rolledBack = true;
                    break;
                case "undone":
                    undone = true;
                    break;
                case "done":
                    done = true;
                    break;
                default:
                    Step step = Step.fromJson(record, fs);
                    if (step != null && !planned) {
                        steps.add(step);
                    }
            }
        }
        boolean commitValid = false;
        if (commit != null && planned && intentEnd > 0) {
            String sealed = Hashing.hex(Hashing.sha256().digest(Arrays.copyOf(bytes, intentEnd)));
            commitValid = sealed.equals(commit.path("intentSha").asString());
        }
        if (freeAt < 0 && tornAt >= 0) {
            // Markers overwrite the torn line, so that they follow the last record that counts.
            freeAt = tornAt;
            roomEnd = Long.MAX_VALUE;
        } else if (freeAt < 0) {
            freeAt = bytes.length; // no room left: markers are appended
            roomEnd = bytes.length - 1L;
        }
        return new Contents(header, steps, planned, commit, commitValid, rolledBack, undone, done, freeAt, roomEnd);
    }

    private static ObjectNode parse(String line) {
        int space = line.indexOf(' ');
        if (space != CHECKSUM_CHARS) {
            return null;
        }
        String json = line.substring(space + 1);
        if (!checksum(json).equals(line.substring(0, space))) {
            return null;
        }
        try {
            JsonNode node = Codecs.json().readTree(json);
            return node instanceof ObjectNode ? (ObjectNode) node : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The exception for a journal that cannot be written. */
    static AtomicWriteException failure(Path journal, String step, Exception cause) {
        return AtomicWriteException.failed("transaction", journal, step, cause);
    }
}
