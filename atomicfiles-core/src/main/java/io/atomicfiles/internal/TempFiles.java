package io.atomicfiles.internal;

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
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temp files beside their targets: {@code .NAME.tmp-<random>}.
 *
 * <p>A temp file lives in its target's own folder so that publishing it is a rename within
 * one filesystem, which is atomic. It is created with {@code CREATE_NEW} ({@code O_EXCL}),
 * which never follows a symbolic link planted at the name, and owner-only, so nobody reads
 * content before it is published. The leading dot keeps it out of ordinary listings; the
 * fixed suffix lets {@link #sweep} find the ones a crash left behind.
 */
public final class TempFiles {
    private static final Logger LOG = LoggerFactory.getLogger(TempFiles.class);
    /** Longest target-name part kept in a temp name, so it stays under the usual 255-byte limit. */
    private static final int MAX_NAME_BYTES = 200;
    private static final int RANDOM_CHARS = 12;
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final Pattern TEMP_NAME = Pattern.compile("^\\..*\\.tmp-[0-9a-z]{" + RANDOM_CHARS + "}$");
    private static final int ATTEMPTS = 16;

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
     * Creates {@code .NAME.tmp-<random>} in {@code folder}, new and owner-only, opened for
     * reading and writing. A name that is taken (by a leftover, or by a planted link) is
     * skipped for a fresh random one.
     */
    public static TempFile create(Path folder, String targetName) throws IOException {
        FileAlreadyExistsException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Path path = folder.resolve(name(targetName));
            try {
                FileChannel channel = FileChannel.open(path,
                        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
                        FileModes.ownerOnlyFileAttribute(folder));
                return new TempFile(path, channel);
            } catch (FileAlreadyExistsException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * A temp file for {@code target} in the target's folder (step 2 of a write). When that folder
     * does not exist yet, it is created first, with its missing parents (and, when
     * {@code durable}, forced into their own parents). Creating it on
     * demand, rather than looking before every write, saves a stat per write.
     */
    public static TempFile createBeside(Path target, boolean durable, String operation) throws IOException {
        Path folder = target.getParent();
        String name = target.getFileName().toString();
        try {
            return create(folder, name);
        } catch (FileSystemException e) {
            // No such folder, or "not a directory" (a parent is a file): the folder question
            // below decides. Anything else (permission denied in an existing folder) is final.
            if (Files.isDirectory(folder)) {
                throw AtomicWriteException.failed(operation, target, "create temp file", e);
            }
        } catch (IOException e) {
            throw AtomicWriteException.failed(operation, target, "create temp file", e);
        }
        Targets.createParents(target, durable, operation);
        try {
            return create(folder, name);
        } catch (IOException e) {
            throw AtomicWriteException.failed(operation, target, "create temp file", e);
        }
    }

    /** A fresh temp name for {@code targetName}: {@code .NAME.tmp-<12 random base-36 characters>}. */
    public static String name(String targetName) {
        return "." + shorten(targetName) + ".tmp-" + randomPart.get();
    }

    private static String randomCharacters() {
        StringBuilder chars = new StringBuilder(RANDOM_CHARS);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < RANDOM_CHARS; i++) {
            chars.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return chars.toString();
    }

    /** Whether {@code fileName} has the shape of a temp name made by {@link #name}. */
    public static boolean isTempName(String fileName) {
        return TEMP_NAME.matcher(fileName).matches();
    }

    /** Deletes a temp file if it is there; a failure is logged, never thrown over the real error. */
    public static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("could not delete temp file {}: {}", path, e.toString());
        }
    }

    /**
     * Removes the temp files in {@code folder} (not below it) that are older than
     * {@code olderThan}: what a killed writer left behind. A younger temp file may belong to a
     * writer still at work and is kept. Transaction staging files are not temp files in this
     * sense and are never touched here: recovery owns them.
     *
     * @return the number of files removed
     */
    public static int sweep(Path folder, Duration olderThan) throws IOException {
        Instant cutoff = Instant.now().minus(olderThan);
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (!isTempName(entry.getFileName().toString())) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (!attributes.isRegularFile() || !attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
                    continue;
                }
                if (Files.deleteIfExists(entry)) {
                    LOG.info("removed stale temp file {}", entry);
                    removed++;
                }
            }
        }
        return removed;
    }

    private static String shorten(String targetName) {
        byte[] bytes = targetName.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_NAME_BYTES) {
            return targetName;
        }
        int end = targetName.length();
        while (targetName.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            end--;
        }
        if (end > 0 && Character.isHighSurrogate(targetName.charAt(end - 1))) {
            end--;
        }
        return targetName.substring(0, end);
    }
}
