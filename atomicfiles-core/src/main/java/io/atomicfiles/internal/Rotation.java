package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.AtomicWriteException;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Log-style rotation: {@code app.log} → {@code app.log.1} → {@code app.log.2} → ..., keeping at
 * most {@code maxFiles - 1} rotated files, optionally gzip-compressed ({@code app.log.1.gz}).
 *
 * <p>Each step is one atomic rename or the removal of a file meant to go, and the folder is
 * forced after each, so a crash (or a failed call) at any point leaves every rotated file under
 * some name, and the next rotation finishes the work instead of repeating it:
 * <ol>
 *   <li>Temp files of a compression a crash interrupted are removed (under the lock nobody else
 *       is compressing). In a folder every user may write, each listing of the rotated files
 *       refuses one another user may have put there ({@link RotatedOwners}).</li>
 *   <li>A number with both {@code app.log.k} and {@code app.log.k.gz} is a compression that
 *       finished all but removing the plain file: the plain file goes (after checking that the
 *       {@code .gz} holds the same bytes). With {@code compress}, a plain rotated file is
 *       compressed.</li>
 *   <li>Rotated files numbered above {@code maxFiles - 1} are removed. The files move up one
 *       number from the oldest down, into the first free number: when every number is taken
 *       the oldest is removed first, otherwise no file is overwritten. An interrupted shift left
 *       a free number below the moved files, so the next run moves only those below it.</li>
 *   <li>{@code app.log} becomes {@code app.log.1} by rename.</li>
 *   <li>With {@code compress}: {@code app.log.1} is compressed into a temp file, forced, renamed
 *       to {@code app.log.1.gz} (never a half-written {@code .gz} under a final name), the folder
 *       forced, and only then is {@code app.log.1} removed.</li>
 * </ol>
 *
 * <p>A symbolic link is followed: the file it points to is rotated, in its own folder (every link
 * on the way checked by {@link LinkRule}). Rotated files are read without following links.
 *
 * <p>A rename between two names of one file does nothing (POSIX). Rotation renames only onto
 * names it found free, so that needs another program to make the destination a hard link of
 * the source in between; each rename checks its result, and then removes the source name (the
 * file already has the destination name), as {@code mv} does.
 *
 * <p>The whole rotation holds {@code app.log}'s path lock, so it never overlaps a write of
 * {@code app.log} through this library, another rotation, or an audit trail's append to it.
 */
public final class Rotation {
    private static final Log LOG = Log.of(Rotation.class);
    private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);
    private static final String OPERATION = "rotate";

    private final Path target;
    private final Path folder;
    private final String name;
    /** Checked at every listing of the rotated files ({@link #slots}), not once: one may be planted meanwhile. */
    private final RotatedOwners owners;

    private Rotation(Path target, RotatedOwners owners) {
        this.target = target;
        this.owners = owners;
        this.folder = target.getParent();
        this.name = target.getFileName().toString();
    }

    /** One rotated number: its plain file, its gzip file, or both (either may be null). */
    private record Slot(Path plain, Path gz) {
        Path any() {
            return gz != null ? gz : plain;
        }
    }

    /**
     * Rotates {@code file} (see the class comment). {@code maxFiles == 1} keeps no rotated file:
     * the file itself is removed, along with any rotated files. A missing file is left alone.
     *
     * @return the rotated files that exist afterwards, newest ({@code .1}) first
     * @throws IllegalArgumentException when {@code maxFiles < 1}
     */
    public static List<Path> rotate(Path file, int maxFiles, boolean compress) throws IOException {
        if (maxFiles < 1) {
            throw new IllegalArgumentException("rotate " + file + ": maxFiles must be at least 1, got " + maxFiles);
        }
        Path target = Targets.resolveFile(file, true, OPERATION);
        if (!Files.isDirectory(target.getParent())) {
            return List.of();
        }
        requireRotatedNames(target, maxFiles, compress);
        PathLocks.Held lock = PathLocks.acquire(target, LOCK_TIMEOUT);
        try {
            Rotation rotation = new Rotation(target, RotatedOwners.of(target));
            rotation.removeAbandonedTemps();
            rotation.settle(compress, maxFiles - 1);
            if (!absent(target)) {
                if (maxFiles == 1) {
                    rotation.removeAll();
                } else {
                    rotation.shift(maxFiles - 1);
                    if (compress) {
                        rotation.compress(1, rotation.plain(1));
                    }
                }
            }
            List<Path> rotated = new ArrayList<>();
            rotation.slots().values().forEach(slot -> rotated.add(slot.any()));
            return rotated;
        } finally {
            lock.close();
        }
    }

    /**
     * The names rotation gives ({@code NAME.k}, {@code NAME.k.gz}) must be possible file names:
     * refused before anything changes when the longest would exceed the limit.
     */
    private static void requireRotatedNames(Path target, int maxFiles, boolean compress)
            throws AtomicWriteException {
        if (maxFiles < 2) {
            return;
        }
        String longest = target.getFileName() + "." + (maxFiles - 1) + (compress ? ".gz" : "");
        int bytes = longest.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > TempFiles.MAX_NAME_BYTES) {
            throw new AtomicWriteException(OPERATION + " " + target + " failed: the rotated name " + longest + " would be "
                    + bytes + " bytes, over the limit of " + TempFiles.MAX_NAME_BYTES + " bytes for a file name;"
                    + " nothing was rotated (use a shorter name, or fewer files)", null,
                    Map.of("operation", OPERATION, "path", target.toString(), "step", "check names"));
        }
    }

    /** Step 1: temp files of an interrupted compression ({@code .NAME.k.gz.tmp-*}). */
    private void removeAbandonedTemps() throws IOException {
        Pattern temp = Pattern.compile("^\\." + Pattern.quote(name) + "\\.\\d+\\.gz\\.tmp-[0-9a-z-]+$");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (temp.matcher(entry.getFileName().toString()).matches()) {
                    LOG.get().info("rotate {}: removing abandoned temp file {}", target, entry.getFileName());
                    Files.deleteIfExists(entry);
                }
            }
        }
    }

    /**
     * Step 2: one file per number; with {@code compress}, every rotated file that is kept
     * (numbered up to {@code keep}) compressed. One numbered above is removed by step 3, and is
     * not compressed first: its {@code .gz} name may be too long for the filesystem (a name
     * at the limit, rotated with a larger {@code maxFiles} before), which stopped every rotation.
     */
    private void settle(boolean compress, int keep) throws IOException {
        for (Map.Entry<Integer, Slot> e : slots().entrySet()) {
            Slot slot = e.getValue();
            if (slot.plain() != null && slot.gz() != null && finishedCompression(slot)) {
                remove(slot.plain());
            } else if (compress && slot.plain() != null && e.getKey() <= keep) {
                compress(e.getKey(), slot.plain());
            }
        }
    }

    /**
     * Whether {@code slot.gz} is a complete compression of {@code slot.plain}. A damaged
     * {@code .gz} is removed (the plain file is the original); two different complete files are
     * a conflict this library did not create, and are left for a person to resolve.
     */
    private boolean finishedCompression(Slot slot) throws IOException {
        String plain;
        try (InputStream in = Files.newInputStream(slot.plain(), LinkOption.NOFOLLOW_LINKS)) {
            plain = sha256(in);
        }
        String unpacked;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(slot.gz(), LinkOption.NOFOLLOW_LINKS))) {
            unpacked = sha256(in);
        } catch (EOFException | ZipException damaged) {
            LOG.get().warn("rotate {}: {} is damaged ({}); keeping {}", target, slot.gz().getFileName(), damaged.toString(),
                    slot.plain().getFileName());
            remove(slot.gz());
            return false;
        }
        if (!plain.equals(unpacked)) {
            throw new AtomicWriteException("rotate " + target + " failed: " + slot.plain().getFileName() + " and "
                    + slot.gz().getFileName() + " both exist with different content; remove the one that is wrong",
                    null, Map.of("operation", OPERATION, "path", target.toString(), "step", "settle rotated files"));
        }
        return true;
    }

    /** Step 3: frees number 1, moving each rotated file up one number, oldest first. */
    private void shift(int keep) throws IOException {
        TreeMap<Integer, Slot> slots = slots();
        for (Map.Entry<Integer, Slot> e : slots.tailMap(keep, false).entrySet()) {
            removeSlot(e.getValue());
        }
        int free = 1;
        while (free <= keep && slots.containsKey(free)) {
            free++;
        }
        if (free > keep) {
            // Every number is taken: the oldest kept file is the one that goes.
            free = keep;
            removeSlot(slots.get(keep));
        }
        for (int k = free - 1; k >= 1; k--) {
            Slot slot = slots.get(k);
            if (slot.plain() != null) {
                rename(slot.plain(), plain(k + 1));
            }
            if (slot.gz() != null) {
                rename(slot.gz(), gz(k + 1));
            }
        }
        // Step 4.
        rename(target, plain(1));
    }

    /** Step 5: {@code plain} → temp → forced → renamed to {@code NAME.k.gz}; then {@code plain} goes. */
    private void compress(int k, Path plain) throws IOException {
        Path gz = gz(k);
        TempFiles.TempFile temp = TempFiles.create(folder, gz.getFileName().toString());
        try {
            FileModes.copy(FileModes.read(plain), temp.path());
            try (OutputStream out = new GZIPOutputStream(keepOpen(Channels.newOutputStream(temp.channel())), 65536);
                    InputStream in = Files.newInputStream(plain, LinkOption.NOFOLLOW_LINKS)) {
                in.transferTo(out);
            }
            Fsync.file(temp.channel(), OPERATION, target, "fsync " + gz.getFileName());
            temp.channel().close();
            Files.move(temp.path(), gz, StandardCopyOption.ATOMIC_MOVE);
            TempFiles.published(temp.path());
        } catch (IOException | RuntimeException e) {
            closeQuietly(temp);
            TempFiles.deleteQuietly(temp.path());
            throw failure("compress " + plain.getFileName(), e);
        }
        syncFolder();
        remove(plain);
    }

    /** maxFiles == 1: nothing is kept, neither the file nor any rotated file. */
    private void removeAll() throws IOException {
        for (Slot slot : slots().values()) {
            removeSlot(slot);
        }
        remove(target);
    }

    private void removeSlot(Slot slot) throws IOException {
        if (slot.gz() != null) {
            remove(slot.gz());
        }
        if (slot.plain() != null) {
            remove(slot.plain());
        }
    }

    /** An atomic rename onto a free name: a rotation never replaces a file by renaming. */
    private void rename(Path from, Path to) throws IOException {
        if (!absent(to)) {
            throw new AtomicWriteException("rotate " + target + " failed: " + to.getFileName()
                    + " appeared while rotating; it is left as it is", null,
                    Map.of("operation", OPERATION, "path", target.toString(), "step", "rename to " + to.getFileName()));
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            removeIfSameFile(from, to);
        } catch (IOException e) {
            throw failure("rename " + from.getFileName() + " to " + to.getFileName(), e);
        }
        // Each rename durable before the next, so a power loss cannot keep a later one without it.
        syncFolder();
    }

    /**
     * After {@code rename(from, to)}: when {@code to} had become another name of {@code from}
     * (a hard link made by another program after the check that {@code to} was free), the rename
     * did nothing and {@code from} is still there. The file has its new name; the old name goes.
     * A different file at {@code from} (the application made a new log at once) is left alone.
     */
    private static void removeIfSameFile(Path from, Path to) throws IOException {
        BasicFileAttributes left = Stat.attributes(from);
        if (left == null) {
            return;
        }
        BasicFileAttributes moved = Stat.attributes(to);
        if (moved != null && left.fileKey() != null && left.fileKey().equals(moved.fileKey())) {
            LOG.get().info("rotate: {} had become another name of {}; removing the old name", to.getFileName(),
                    from.getFileName());
            Files.delete(from);
        }
    }

    private void remove(Path file) throws IOException {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw failure("remove " + file.getFileName(), e);
        }
        syncFolder();
    }

    /** Whether nothing has the name {@code file}; any error other than "no such file" is thrown. */
    private static boolean absent(Path file) throws IOException {
        try {
            Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return false;
        } catch (NoSuchFileException e) {
            return true;
        }
    }

    private void syncFolder() throws IOException {
        Fsync.folder(folder, OPERATION, target);
    }

    /** The rotated files by number, newest (1) first. */
    private TreeMap<Integer, Slot> slots() throws IOException {
        Pattern rotated = Pattern.compile("^" + Pattern.quote(name) + "\\.([1-9]\\d{0,8})(\\.gz)?$");
        TreeMap<Integer, Slot> slots = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                Matcher m = rotated.matcher(entry.getFileName().toString());
                // readAttributes, not isRegularFile: an I/O error must stop the rotation, not hide a file.
                if (!m.matches() || !Files.readAttributes(entry, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                    continue;
                }
                owners.require(entry);
                int k = Integer.parseInt(m.group(1));
                Slot before = slots.getOrDefault(k, new Slot(null, null));
                slots.put(k, m.group(2) == null ? new Slot(entry, before.gz()) : new Slot(before.plain(), entry));
            }
        }
        return slots;
    }

    private Path plain(int k) {
        return folder.resolve(name + "." + k);
    }

    private Path gz(int k) {
        return folder.resolve(name + "." + k + ".gz");
    }

    private AtomicWriteException failure(String step, Exception e) {
        return e instanceof AtomicWriteException ? (AtomicWriteException) e
                : AtomicWriteException.failed(OPERATION, target, step, e);
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest digest = Hashing.sha256();
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return Hashing.hex(digest.digest());
    }

    /** The gzip stream is closed (ending its deflater) while the channel stays open for the fsync. */
    private static OutputStream keepOpen(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static void closeQuietly(TempFiles.TempFile temp) {
        try {
            temp.channel().close();
        } catch (IOException e) {
            LOG.get().debug("closing {}: {}", temp.path(), e.toString());
        }
    }
}
