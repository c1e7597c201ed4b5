package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;

/** Who owns a log's rotated files ({@link Rotation}, step 1). */
final class RotatedOwners {
    private RotatedOwners() {
    }

    /**
     * Before a rotation renames, compresses or removes anything: every rotated name belongs to
     * the log's owner (or, with the log missing, all of them to one owner), to this process's
     * user, or to root; nobody else can have made those. In a folder other users may write (a
     * shared {@code /tmp}, a group's log folder), a file another user put at {@code NAME.1} would
     * otherwise be shifted into the log's history as one of its generations (forged lines in
     * {@code NAME.2}), and a {@code NAME.1.gz} copied from the log's own {@code NAME.1} would be
     * kept in its place while the original is removed (a generation then in that user's hands,
     * to delete). Refused, naming the file and its owner; nothing is changed. Where the
     * filesystem has no owners, there is nothing to check.
     */
    static void requireOne(Path target, List<Path> rotatedFiles) throws IOException {
        try {
            UserPrincipal expected = Stat.exists(target) ? Files.getOwner(target, LinkOption.NOFOLLOW_LINKS) : null;
            String whose = "the log's owner";
            for (Path rotated : rotatedFiles) {
                UserPrincipal owner = Files.getOwner(rotated, LinkOption.NOFOLLOW_LINKS);
                if (expected == null && !madeByUsOrRoot(rotated)) {
                    expected = owner;
                    whose = "the owner of " + rotated.getFileName();
                } else if (expected != null && !owner.equals(expected) && !madeByUsOrRoot(rotated)) {
                    throw new AtomicWriteException("rotate " + target + " failed: " + rotated.getFileName()
                            + " is owned by " + owner.getName() + ", not by " + whose + " (" + expected.getName()
                            + "); a file another user put among the rotated names is not taken into the log's"
                            + " history. Nothing was rotated: remove that file, or keep the log in a folder"
                            + " only its owner can write", null,
                            Map.of("operation", "rotate", "path", target.toString(), "step", "check owners"));
                }
            }
        } catch (UnsupportedOperationException | IllegalArgumentException noOwners) {
            // A filesystem without owners or uids (some in-memory ones): nobody else's file to find.
        }
    }

    /**
     * Whether {@code file} belongs to this process's user (a compressed generation it wrote, where
     * it could not give the file the log's owner) or to root: files no other user can have made.
     */
    private static boolean madeByUsOrRoot(Path file) throws IOException {
        int uid = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return uid == 0 || uid == LinkRule.follower();
    }
}
