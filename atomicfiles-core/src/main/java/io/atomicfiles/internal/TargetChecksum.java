package io.atomicfiles.internal;

import io.atomicfiles.IntegrityException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The SHA-256 of a write's target as it is now, for {@code expectedChecksum}: a write (or a copy
 * or move onto the target) that says which content it replaces goes ahead only if the target
 * still holds it (a compare-and-swap on the file's content).
 */
final class TargetChecksum {
    private TargetChecksum() {
    }

    /**
     * Throws unless {@code target} holds content whose SHA-256 is {@code expected}; a missing
     * target (or anything but a regular file) counts as {@code "absent"}.
     *
     * @throws IntegrityException naming what was expected and what was found
     */
    static void require(Path target, String expected, String operation) throws IOException {
        String actual = Stat.isRegularFile(target) ? sha256NoFollow(target) : "absent";
        if (!actual.equals(expected)) {
            throw new IntegrityException(operation, target, "target's current content (expectedChecksum)", expected,
                    actual);
        }
    }

    /**
     * SHA-256 of the target's content, opened without following a link: someone who owns the
     * target in a shared folder may swap it for a link between the stat and the open, and the
     * hash of a file of their choosing is none of their business.
     */
    static String sha256NoFollow(Path target) throws IOException {
        MessageDigest digest = Hashing.sha256();
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = Files.newInputStream(target, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return Hashing.hex(digest.digest());
    }
}
