package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Temp files beside their targets: {@code .NAME.tmp-<random>-<writer>}.
 *
 * <p>A temp file lives in its target's own folder so that publishing it is a rename within
 * one filesystem, which is atomic. It is created with {@code CREATE_NEW} ({@code O_EXCL}),
 * which never follows a symbolic link planted at the name, and owner-only, so nobody reads
 * content before it is published, unless the caller passes the mode the file will be published
 * with and that mode grants nobody more than the published file will
 * ({@link TempFileModes#finalModeAtCreation}). The name has 12 random base-36 characters (62 bits), so it
 * cannot be guessed ahead, and the writer's identity ({@link TempWriters}), so that what a
 * killed writer left behind can be told from a live writer's file. The leading dot keeps it
 * out of ordinary listings. A name never exceeds {@value #MAX_NAME_BYTES} bytes: a long
 * {@code NAME} is cut (at a character boundary); the random part and the writer are never cut.
 *
 * <p>Every temp file of this JVM is in {@link OpenTempFiles} until it is published or deleted,
 * so a shutdown hook can remove them ({@link OpenTempFiles#discardAll()}). Temp files of writers
 * that are gone are removed by {@link #removeAbandonedOnce} (the first write into a folder in
 * each process) and by {@link #sweep}.
 */
public final class TempFiles {
    private static final Log LOG = Log.of(TempFiles.class);
    /** The longest file name of the common filesystems (ext4, XFS, Btrfs, tmpfs, APFS, NTFS): 255 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    private static final int RANDOM_CHARS = 12;
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
    /** Names made by {@link #name}: {@code .NAME.tmp-<random>-<pid>-<start>-<machine>}. */
    private static final Pattern TEMP_NAME = Pattern.compile("^\\.(.*)\\.tmp-[0-9a-z]{" + RANDOM_CHARS
            + "}-([0-9a-z]{1,13})-([0-9a-z]{1,13})-([0-9a-z]{" + TempWriters.MACHINE_CHARS + "})$");
    /** Names made by earlier versions, without the writer: {@code .NAME.tmp-<random>}. */
    private static final Pattern OLD_TEMP_NAME = Pattern.compile("^\\..*\\.tmp-[0-9a-z]{" + RANDOM_CHARS + "}$");
    private static final int ATTEMPTS = 16;
    /** Folders already cleared of abandoned temp files by this process (at most this many remembered). */
    private static final int MAX_CLEARED_FOLDERS = 1024;
    private static final Set<Path> CLEARED_FOLDERS = ConcurrentHashMap.newKeySet();
    /** The temp file's open options, one immutable set for every write instead of a new one each time. */
    private static final Set<StandardOpenOption> CREATE_NEW_READ_WRITE = Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE);

    /**
     * Where the random part of temp names comes from. A test seam, package-private: tests
     * script it to plant a link at the exact name a write will try first.
     */
    static volatile Supplier<String> randomPart = TempFiles::randomCharacters;

    private TempFiles() {
    }

    /** A temp file created and open for writing; the caller owns both. */
    public record TempFile(Path path, FileChannel channel) {
    }

    /**
     * Creates {@code .NAME.tmp-<random>-<writer>} in {@code folder}, new and owner-only, opened
     * for reading and writing, and registers it in {@link OpenTempFiles}. A name that is taken
     * (by a leftover, or by a planted link) is skipped for a fresh random one.
     */
    public static TempFile create(Path folder, String targetName) throws IOException {
        return create(folder, targetName, null);
    }

    /**
     * {@link #create(Path, String)}, created with {@code mode} instead of owner-only when
     * {@code mode} is not null: only a mode {@link TempFileModes#finalModeAtCreation} returned, which
     * grants nobody anything the published file will not.
     */
    public static TempFile create(Path folder, String targetName, Set<PosixFilePermission> mode) throws IOException {
        FileAttribute<?>[] attributes = mode == null ? FileModes.ownerOnlyFileAttribute(folder)
                : TempFileModes.fileAttribute(mode);
        FileAlreadyExistsException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Path path = folder.resolve(name(targetName));
            try {
                FileChannel channel = FileChannel.open(path, CREATE_NEW_READ_WRITE, attributes);
                OpenTempFiles.add(path);
                return new TempFile(path, channel);
            } catch (FileAlreadyExistsException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * A temp file for {@code target} in the target's folder (step 2 of a write). When that folder
     * does not exist (any more: {@link Targets#lock} makes missing folders), it is made again
     * first, with its missing parents (and, when {@code durable}, forced into their own parents).
     */
    public static TempFile createBeside(Path target, boolean durable, String operation) throws IOException {
        return createBeside(target, durable, operation, null);
    }

    /** {@link #createBeside(Path, boolean, String)}, created with {@code mode} when not null (see {@link #create(Path, String, Set)}). */
    public static TempFile createBeside(Path target, boolean durable, String operation, Set<PosixFilePermission> mode)
            throws IOException {
        return createBeside(target, target.getParent(), target.getFileName().toString(), durable, operation, mode);
    }

    /**
     * {@link #createBeside(Path, boolean, String, Set)} for a caller that has the target's
     * {@code folder} ({@code target.getParent()}) and {@code name} ({@code target.getFileName()} as
     * text) at hand already: the single write, which needs them more than once.
     */
    public static TempFile createBeside(Path target, Path folder, String name, boolean durable, String operation,
            Set<PosixFilePermission> mode) throws IOException {
        try {
            return create(folder, name, mode);
        } catch (FileSystemException e) {
            // No such folder, or "not a directory" (a parent is a file): the folder question
            // below decides. Anything else (permission denied in an existing folder) is final.
            if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                throw AtomicWriteException.failed(operation, target, "create temp file", e);
            }
        } catch (IOException e) {
            throw AtomicWriteException.failed(operation, target, "create temp file", e);
        }
        Targets.remakeParents(target, durable, operation);
        try {
            return create(folder, name, mode);
        } catch (IOException e) {
            throw AtomicWriteException.failed(operation, target, "create temp file", e);
        }
    }

    /** A fresh temp name for {@code targetName}: {@code .NAME.tmp-<12 random base-36 characters>-<writer>}. */
    public static String name(String targetName) {
        return name(targetName, randomPart.get());
    }

    /** The temp name for {@code targetName} with {@code random} as its random part (tests script it). */
    static String name(String targetName, String random) {
        return name(targetName, random, TempWriters.THIS);
    }

    /** The temp name for {@code targetName} made by {@code writer} ({@code <pid>-<start>-<machine>}). */
    static String name(String targetName, String random, String writer) {
        // Built in one buffer, lengths counted in place: this runs on every write.
        int room = MAX_NAME_BYTES - 1 - (".tmp-".length() + utf8Length(random) + 1 + utf8Length(writer));
        String name = cut(targetName, room);
        return new StringBuilder(1 + name.length() + 5 + random.length() + 1 + writer.length())
                .append('.').append(name).append(".tmp-").append(random).append('-').append(writer).toString();
    }

    /** The length of {@code text} in UTF-8, in bytes, without encoding it (an unpaired surrogate counts as {@code ?}: 1). */
    static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * 12 base-36 characters from a cryptographically strong generator ({@link UnguessableBytes}): someone who lists the
     * folder and sees many temp names still cannot tell the next one (a generator such as
     * {@code ThreadLocalRandom} can be reconstructed from its output), so names cannot be taken
     * ahead of a write to make it fail.
     */
    private static String randomCharacters() {
        byte[] bytes = new byte[8];
        UnguessableBytes.fill(bytes);
        long value = 0;
        for (byte b : bytes) {
            value = (value << 8) | (b & 0xff);
        }
        StringBuilder chars = new StringBuilder(RANDOM_CHARS);
        for (int i = 0; i < RANDOM_CHARS; i++) {
            chars.append(ALPHABET.charAt((int) Long.remainderUnsigned(value, ALPHABET.length())));
            value = Long.divideUnsigned(value, ALPHABET.length());
        }
        return chars.toString();
    }

    /** Whether {@code fileName} has the shape of a temp name made by {@link #name} (or by earlier versions). */
    public static boolean isTempName(String fileName) {
        return TEMP_NAME.matcher(fileName).matches() || OLD_TEMP_NAME.matcher(fileName).matches();
    }

    /** The state of the writer of a temp name ({@link TempWriters.State#UNKNOWN} for an old-style name). */
    static TempWriters.State writerOf(String fileName) {
        Matcher m = TEMP_NAME.matcher(fileName);
        return m.matches() ? TempWriters.state(m.group(2), m.group(3), m.group(4)) : TempWriters.State.UNKNOWN;
    }

    /**
     * Deletes a temp file of ours if it is there and forgets it ({@link OpenTempFiles}); a
     * failure is logged, never thrown over the real error.
     */
    public static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
            OpenTempFiles.remove(path);
        } catch (IOException e) {
            LOG.get().warn("could not delete temp file {}: {}", path, e.toString());
        }
    }

    /** A temp file of ours that was renamed (published) or linked into place: its name is no longer ours. */
    public static void published(Path path) {
        OpenTempFiles.remove(path);
    }

    /**
     * Removes the temp files in {@code folder} (not below it) that a killed writer left behind,
     * the first time a write of this process comes to {@code folder}; later writes there cost
     * nothing. Only files whose writer is known to be gone ({@link TempWriters.State#GONE}) are
     * removed, never a live writer's, and never anything but a regular file. Best effort: a
     * failure is logged and the write goes on. (Folders of filesystems other than the default
     * one are looked at on every write: in memory that is cheap, and the fault-injecting
     * wrappers of the tests need every write to make the same calls.)
     */
    public static void removeAbandonedOnce(Path folder) {
        if (Targets.isDefaultFileSystem(folder)) {
            if (CLEARED_FOLDERS.size() >= MAX_CLEARED_FOLDERS) {
                CLEARED_FOLDERS.clear();
            }
            if (!CLEARED_FOLDERS.add(folder)) {
                return;
            }
        }
        try {
            remove(folder, null);
        } catch (IOException | RuntimeException e) {
            LOG.get().debug("could not look for abandoned temp files in {}: {}", folder, e.toString());
        }
    }

    /** For tests: forget which folders were cleared, so that the next write clears its folder again. */
    static void forgetClearedFolders() {
        CLEARED_FOLDERS.clear();
    }

    /**
     * Removes the temp files in {@code folder} (not below it) that killed writers left behind:
     * those whose writer is known to be gone (whatever their age), and those whose writer cannot
     * be told (made by an earlier version, or on another machine sharing the folder) once they
     * are older than {@code olderThan}. A live writer's file is never removed, however old.
     * Transaction staging files are not temp files in this sense and are never touched here:
     * recovery owns them.
     *
     * @return the number of files removed
     */
    public static int sweep(Path folder, Duration olderThan) throws IOException {
        return remove(folder, Instant.now().minus(olderThan));
    }

    /** Removes the abandoned temp files of {@code folder}; those of unknown writers only when older than {@code cutoff} (null: never). */
    private static int remove(Path folder, Instant cutoff) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!isTempName(name)) {
                    continue;
                }
                TempWriters.State writer = writerOf(name);
                if (writer == TempWriters.State.ALIVE || (writer == TempWriters.State.UNKNOWN && cutoff == null)) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (!attributes.isRegularFile() || (writer == TempWriters.State.UNKNOWN
                        && !attributes.lastModifiedTime().toInstant().isBefore(cutoff))) {
                    continue;
                }
                try {
                    if (Files.deleteIfExists(entry)) {
                        LOG.get().info("removed stale temp file {} (its writer is {})", entry,
                                writer == TempWriters.State.GONE ? "gone" : "unknown, and it is old");
                        removed++;
                    }
                } catch (FileSystemException e) {
                    // Such as another user's file in a sticky folder: not ours to remove.
                    LOG.get().debug("could not remove stale temp file {}: {}", entry, e.toString());
                }
            }
        }
        return removed;
    }

    /** {@code name} cut to at most {@code maxBytes} bytes of UTF-8, never inside a character. */
    static String cut(String name, int maxBytes) {
        if (utf8Length(name) <= maxBytes) {
            return name;
        }
        int end = 0;
        int used = 0;
        while (end < name.length()) {
            int codePoint = name.codePointAt(end);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (used + size > maxBytes) {
                break;
            }
            used += size;
            end += Character.charCount(codePoint);
        }
        return name.substring(0, end);
    }
}
