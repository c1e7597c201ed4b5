package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a path's lock is ({@link PathLocks}): its key, the identity of the file whatever the
 * spelling of its path, and its slot, the byte of the folder's lock file that stands for it.
 *
 * <ul>
 *   <li>The key is the real path of the file's folder plus its name, so that two spellings of one
 *       file (through a linked folder, with {@code ..}) share a lock; a folder that does not exist
 *       yet (a transaction's new folder) keeps the rest of the path as written.</li>
 *   <li>The slot is, on the default filesystem, the folder and an offset in its lock file derived
 *       from the name (62 bits of its SHA-256); two names that share an offset only serialise
 *       each other. Elsewhere (Jimfs, in tests) the key alone, a lock inside this JVM.</li>
 * </ul>
 */
final class LockSlots {
    private static final long OFFSET_MASK = (1L << 62) - 1;
    /** See {@link #resolvedSlot}. */
    private static final int MAX_REMEMBERED_SLOTS = 1024;
    private static final ConcurrentHashMap<Path, Slot> RESOLVED_SLOTS = new ConcurrentHashMap<>();

    private LockSlots() {
    }

    /** Where a path's lock is: the JVM key of its slot, and the folder and offset of its byte (folder null: JVM only). */
    record Slot(String jvmKey, Path folder, long offset, boolean unverifiedKey) {
    }

    /**
     * The identity of a path's lock: the real path of its folder plus its name, so that two
     * spellings of one file (through a linked folder, with "..") share a lock. The real paths of
     * folders already resolved in {@code realFolders} are reused (and those it resolves added):
     * for many files of one folder at one moment; a null map resolves every time.
     */
    static String key(Path target, Map<Path, Path> realFolders) throws IOException {
        Path absolute = target.toAbsolutePath();
        // The real path of the nearest folder that exists, plus the rest as written: folders
        // a transaction is about to create do not exist yet, and their files still need a key.
        Path existing = absolute.getParent();
        Path real = existing == null || realFolders == null ? null : realFolders.get(existing);
        if (existing != null && real == null) {
            // realpath(3) of the folder; where it fails (not there yet, or below a file), of the
            // nearest ancestor it succeeds for. No stat first: this runs before every write.
            while (existing != null && (real = realPathOrNull(existing)) == null) {
                existing = existing.getParent();
            }
            if (realFolders != null && existing != null && existing.equals(absolute.getParent())) {
                realFolders.put(existing, real);
            }
        }
        Path resolved = existing == null ? absolute : real.resolve(existing.relativize(absolute));
        String prefix = isDefaultFileSystem(target) ? "" : target.getFileSystem().provider().getScheme() + ":"
                + System.identityHashCode(target.getFileSystem()) + ":";
        return prefix + resolved;
    }

    private static Path realPathOrNull(Path folder) {
        try {
            return folder.toRealPath();
        } catch (IOException notThereOrNotReachable) {
            return null;
        }
    }

    /**
     * The slot of a path's lock: on the default filesystem the byte of its folder's lock file
     * at an offset from its name; elsewhere the JVM lock of its key alone.
     */
    static Slot slotOf(String key, Path target, boolean unverifiedKey) {
        if (!isDefaultFileSystem(target)) {
            return new Slot(key, null, 0, unverifiedKey);
        }
        Path resolved = java.nio.file.Paths.get(key).normalize();
        Path folder = resolved.getParent();
        if (folder == null || resolved.getFileName() == null) {
            return new Slot(key, null, 0, unverifiedKey);
        }
        long offset = offsetOf(resolved.getFileName().toString());
        return new Slot(folder + "\u0000" + hex16(offset), folder, offset, unverifiedKey);
    }

    /** {@code offset} as 16 hexadecimal digits (keys sort by it), without {@code String.format}'s parsing. */
    private static String hex16(long offset) {
        String hex = Long.toHexString(offset);
        return "0000000000000000".substring(hex.length()) + hex;
    }

    /** The byte of a name in its folder's lock file: 62 bits of the SHA-256 of its UTF-8 bytes. */
    static long offsetOf(String name) {
        byte[] hash = Hashing.sha256().digest(name.getBytes(StandardCharsets.UTF_8));
        return java.nio.ByteBuffer.wrap(hash).getLong() & OFFSET_MASK;
    }

    /**
     * The slot of a resolved path (as {@link PathLocks#acquireResolved} keys it), remembered for the
     * default filesystem: a write locks the same few paths again and again, and the slot is a
     * function of the path's text alone (its folder, and the offset from the SHA-256 of its
     * name), so remembering it changes no lock, only saves rebuilding the key, parsing it back and
     * hashing the name on every write (issue 11, W1). At most {@value #MAX_REMEMBERED_SLOTS}.
     */
    static Slot resolvedSlot(Path absolute) {
        if (!isDefaultFileSystem(absolute)) {
            String prefix = absolute.getFileSystem().provider().getScheme() + ":"
                    + System.identityHashCode(absolute.getFileSystem()) + ":";
            return slotOf(prefix + absolute, absolute, true);
        }
        Slot slot = RESOLVED_SLOTS.get(absolute);
        if (slot == null) {
            slot = slotOf(absolute.toString(), absolute, true);
            if (RESOLVED_SLOTS.size() >= MAX_REMEMBERED_SLOTS) {
                RESOLVED_SLOTS.clear();
            }
            RESOLVED_SLOTS.put(absolute, slot);
        }
        return slot;
    }

    static boolean isDefaultFileSystem(Path path) {
        return path.getFileSystem() == java.nio.file.FileSystems.getDefault();
    }
}
