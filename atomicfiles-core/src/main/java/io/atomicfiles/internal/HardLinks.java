package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Renames that stay true when both names are hard links of one file.
 *
 * <p>POSIX: "if old and new are links to the same file, rename does nothing" and reports
 * success. Both names stay, so a rename meant to move a file, to take a file away, or to make a
 * keep become {@code NAME.backup}, would silently leave its old name behind: a move that leaves
 * its source, a delete that leaves its file, a hidden name leaked for ever. After such a rename
 * the new name already is the file the old one named, so the rename's purpose is reached by
 * removing the old name; that removal is what these methods add.
 */
public final class HardLinks {
    private HardLinks() {
    }

    /**
     * {@code rename(from, to)}, atomic and replacing {@code to}; when the two were links of one
     * file (the rename did nothing), {@code from} is unlinked, so that in every case only
     * {@code to} names the file afterwards. The caller forces the folder as for any rename.
     *
     * @return whether {@code from} had to be unlinked (the two were one file)
     */
    public static boolean renameOver(Path from, Path to) throws IOException {
        // REPLACE_EXISTING as well as ATOMIC_MOVE: with ATOMIC_MOVE alone, replacing an existing
        // name is left to the filesystem (Linux replaces, Jimfs refuses).
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return removeIfStillThere(from, to);
    }

    /**
     * After renaming {@code from} over {@code to}: when {@code from} is still there and is the
     * very file {@code to} names, the rename did nothing; {@code from} is removed. A different
     * file at {@code from} (someone made a new one meanwhile) is not ours, and is left.
     *
     * @return whether {@code from} was removed
     */
    public static boolean removeIfStillThere(Path from, Path to) throws IOException {
        java.io.File fromFile = Stat.ioFile(from);
        if (fromFile != null && !fromFile.exists()) {
            // The usual case, asked the cheap way: java.io.File#exists is one stat(2) that says
            // "absent" without an exception, where Files' lstat throws one (two per file of a
            // transaction were ~3% of its CPU, BENCHMARKS.md). It says false as well for a link
            // that leads nowhere and when stat fails; either way the name is left, as any file
            // that is not the renamed one: every name the library renames is a regular file it
            // made or checked, so such a link is someone else's, and a stat that fails cannot
            // be the ground for a removal. (Before, a failed lstat threw after the rename.)
            return false;
        }
        BasicFileAttributes left = Stat.attributes(from);
        if (left == null) {
            return false; // the usual case: the rename took the name away
        }
        if (!sameFile(left, from, to)) {
            return false;
        }
        Files.delete(from);
        return true;
    }

    /** Whether {@code a} and {@code b} (neither followed if a link) are one file, by fileKey (device, inode). */
    public static boolean sameFile(Path a, Path b) throws IOException {
        BasicFileAttributes left = Stat.attributes(a);
        return left != null && sameFile(left, a, b);
    }

    private static boolean sameFile(BasicFileAttributes left, Path a, Path b) throws IOException {
        BasicFileAttributes right = Stat.attributes(b);
        if (right == null || left.isSymbolicLink() != right.isSymbolicLink()) {
            return false;
        }
        if (left.fileKey() != null && right.fileKey() != null) {
            return left.fileKey().equals(right.fileKey());
        }
        // No fileKey on this filesystem: ask it (a link is compared as itself, never followed).
        return !left.isSymbolicLink() && Files.isSameFile(a, b);
    }
}
