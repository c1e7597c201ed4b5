package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rule by which a symbolic link may be followed: Linux's {@code fs.protected_symlinks},
 * applied by the library itself to every link it follows, whatever the sysctl says.
 *
 * <p>The kernel applies its rule only to links it follows itself. The library follows links
 * itself ({@code readlink}, component by component, see {@link PathWalk}), so without this
 * class a link planted by another user in a shared folder would redirect a write: in {@code
 * /tmp} (sticky, world-writable), user B makes {@code /tmp/x/app.json} a link to a file only
 * root may write, and root's write of {@code /tmp/x/app.json} would replace that file.
 *
 * <p>The rule, as {@code may_follow_link()} in the kernel's {@code fs/namei.c}: a link in a
 * folder that is sticky and writable by others may be followed only when the link is owned by
 * the follower (this process's effective user) or by the folder's owner. Everyone else's links
 * there are refused: they could have been planted by anyone. Links elsewhere are followed.
 *
 * <p>The rule needs numeric owners (the {@code unix} attribute view: Linux, macOS); where a
 * filesystem has none (Windows, in-memory filesystems without it) every link is followed.
 */
public final class LinkRule {
    private static final Log LOG = Log.of(LinkRule.class);
    private static final int STICKY = 01000;
    private static final int OTHERS_WRITE = 0002;

    private LinkRule() {
    }

    /** This process's effective user id (-1 where it cannot be told: then no link of a shared folder is ours). */
    public static int follower() {
        return Follower.UID;
    }

    /**
     * Whether the owner and mode of a folder make it a shared folder of the rule: sticky and
     * writable by others, like {@code /tmp}.
     */
    public static boolean isStickyShared(int folderMode) {
        return (folderMode & (STICKY | OTHERS_WRITE)) == (STICKY | OTHERS_WRITE);
    }

    /** Whether a link owned by {@code linkUid} in a folder of {@code folderUid} and {@code folderMode} may be followed. */
    public static boolean allows(int linkUid, int folderUid, int folderMode) {
        return !isStickyShared(folderMode) || linkUid == follower() || linkUid == folderUid;
    }

    /**
     * Throws when the rule forbids following {@code link}. Owners and modes of -1 (unknown: a
     * filesystem without numeric owners) allow everything.
     *
     * @param requested the path the caller named, for the message
     */
    public static void check(Path link, int linkUid, Path folder, int folderUid, int folderMode, String operation,
            Path requested) throws AtomicWriteException {
        if (linkUid < 0 || folderMode < 0 || allows(linkUid, folderUid, folderMode)) {
            return;
        }
        String message = operation + " " + requested + " failed: refused to follow the symbolic link " + link
                + ", owned by " + user(linkUid, link) + ", in " + folder + ", a sticky folder that everyone may"
                + " write to (like /tmp), owned by " + user(folderUid, folder) + ". This process runs as "
                + user(follower(), null) + ". A link there that belongs neither to the follower nor to the"
                + " folder's owner may have been planted by another user to redirect the write, so it is not"
                + " followed (the kernel's protected_symlinks rule, which atomicfiles applies whatever the"
                + " system's setting).";
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("operation", operation);
        context.put("path", requested.toString());
        context.put("step", "follow symbolic link");
        context.put("link", link.toString());
        context.put("linkOwner", linkUid);
        context.put("folderOwner", folderUid);
        context.put("follower", follower());
        throw new AtomicWriteException(message, null, context);
    }

    /** "user 1001 (bob)": the number always, the name where it can be looked up (only on the error path). */
    private static String user(int uid, Path ownedPath) {
        String name = null;
        try {
            if (ownedPath != null) {
                name = Files.getOwner(ownedPath, LinkOption.NOFOLLOW_LINKS).getName();
            } else if (uid == currentRealUid()) {
                name = System.getProperty("user.name");
            }
        } catch (IOException | RuntimeException e) {
            // The number says it all; a name is a courtesy.
        }
        return "user " + uid + (name == null || name.equals(Integer.toString(uid)) ? "" : " (" + name + ")");
    }

    private static int currentRealUid() {
        return Follower.REAL_UID;
    }

    /** The ids of this process, read once from {@code /proc/self/status} (Linux), else by a probe. */
    private static final class Follower {
        static final int UID;
        static final int REAL_UID;

        static {
            int[] ids = read();
            REAL_UID = ids[0];
            UID = ids[1];
        }

        /** {real, effective}; -1 for what cannot be told. */
        private static int[] read() {
            try {
                List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
                for (String line : status) {
                    if (line.startsWith("Uid:")) {
                        String[] ids = line.substring("Uid:".length()).trim().split("\\s+");
                        return new int[] {Integer.parseInt(ids[0]), Integer.parseInt(ids[1])};
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.get().debug("user id not readable from /proc/self/status; probing", e);
            }
            int probed = probe();
            return new int[] {probed, probed};
        }

        /** The owner of a file this process creates: its effective user. */
        private static int probe() {
            Path scratch = null;
            try {
                scratch = Files.createTempFile(".atomicfiles-uid-", ".probe");
                return (Integer) Files.getAttribute(scratch, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | RuntimeException e) {
                LOG.get().debug("user id probe failed; no link in a sticky shared folder counts as ours", e);
                return -1;
            } finally {
                if (scratch != null) {
                    try {
                        Files.deleteIfExists(scratch);
                    } catch (IOException e) {
                        LOG.get().debug("could not delete {}", scratch, e);
                    }
                }
            }
        }
    }
}
