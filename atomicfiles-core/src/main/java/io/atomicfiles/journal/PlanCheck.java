package io.atomicfiles.journal;

import io.atomicfiles.internal.Hashing;
import io.atomicfiles.internal.LinkRule;
import io.atomicfiles.internal.TxNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What recovery checks before it acts on a journal it did not write itself in this process
 * (issue 8, item 4): a journal is a list of files to rename and delete, so one planted or
 * edited by someone else would make recovery their tool.
 *
 * <ol>
 *   <li>The journal is a regular file owned by this user and writable by no one else
 *       ({@link #trustedFile}): else someone else wrote, or could have written, the plan.</li>
 *   <li>Every name the plan deletes or renames away is one of this transaction's own hidden
 *       names ({@link #plan}): {@code .NAME.tx-<tag>-<op>.<role>} beside the file it belongs
 *       to, with the tag of the journal's header and a role that fits the step. A user's file is
 *       only ever renamed when the plan records the SHA-256 it must hold (a move's source, a
 *       deleted file: checked again just before the rename), and a folder is only removed when
 *       empty and on the way to a target.</li>
 * </ol>
 *
 * A journal failing either check is refused whole, before any file is touched: recovery
 * reports it and leaves it.
 */
final class PlanCheck {
    private static final Pattern TAG_V2 = Pattern.compile("[0-9a-f]{16}");
    private static final List<String> KEEP_ROLES_V2 = List.of(Planner.KEEP_FOR_BACKUP, Planner.UNDO,
            Planner.BACKUP_UNDO, Planner.DELETED_BACKUP_UNDO);
    /** Version 1 named the keep that became the backup {@code .backup}. */
    private static final List<String> KEEP_ROLES_V1 = List.of("backup", Planner.UNDO, Planner.BACKUP_UNDO,
            Planner.DELETED_BACKUP_UNDO);
    private static final List<String> TRASH_ROLES = List.of(Planner.MOVED, Planner.DELETED);

    private PlanCheck() {
    }

    /** A journal refused: the reason says what is wrong with it. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(Path journal, String reason) {
            super("journal " + journal + " refused, no file touched: " + reason);
        }
    }

    /**
     * Step 1: the journal file itself, looked at without following a link (it was opened so).
     * Where the filesystem has no owners (no "unix" view), there is no other user to fear.
     */
    static void trustedFile(Path journal) throws IOException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(journal, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException noOwners) {
            return;
        }
        int mode = (Integer) attributes.get("mode");
        int uid = (Integer) attributes.get("uid");
        if ((mode & 0170000) != 0100000) {
            throw new Refused(journal, "not a regular file");
        }
        int me = LinkRule.follower();
        if (uid != me) {
            throw new Refused(journal, "owned by user id " + uid + ", not by this user (id " + me
                    + "): a journal is a list of files to rename and delete, and only its own user's are run");
        }
        if ((mode & 0022) != 0) {
            throw new Refused(journal, String.format("writable by group or others (mode %o): anyone could have"
                    + " written its plan", mode & 07777));
        }
    }

    /** Step 2: the plan's names. */
    static void plan(Path journal, JournalFile.Contents contents) throws Refused {
        if (contents.header() == null) {
            if (!contents.steps().isEmpty()) {
                throw new Refused(journal, "steps without a header");
            }
            return;
        }
        int version = contents.header().path("version").asInt(1);
        String tag;
        List<String> keepRoles;
        if (version == 1) {
            String id = contents.header().path("id").asString();
            tag = Hashing.sha256Hex(id.getBytes(StandardCharsets.UTF_8)).substring(0, 10);
            keepRoles = KEEP_ROLES_V1;
        } else if (version == JournalFile.VERSION) {
            tag = contents.header().path("tag").asString();
            if (!TAG_V2.matcher(tag).matches()) {
                throw new Refused(journal, "its header has no valid tag (16 hex digits)");
            }
            keepRoles = KEEP_ROLES_V2;
        } else {
            throw new Refused(journal, "journal version " + version + " is not one this library knows (1, "
                    + JournalFile.VERSION + "); written by a newer atomicfiles? recover with that one");
        }
        new Checker(journal, tag, keepRoles).check(contents.steps());
    }

    private static final class Checker {
        private final Path journal;
        private final String tag;
        private final List<String> keepRoles;
        private final Set<Path> staged = new HashSet<>();
        private final Set<Path> keeps = new HashSet<>();
        private final Set<Path> targetFolders = new HashSet<>();

        Checker(Path journal, String tag, List<String> keepRoles) {
            this.journal = journal;
            this.tag = tag;
            this.keepRoles = keepRoles;
        }

        void check(List<Step> steps) throws Refused {
            for (Step step : steps) {
                if (step instanceof Step.Stage stage) {
                    plain(stage.path(), stage.target());
                    hidden(stage.path(), stage.target(), stage.op(), List.of(Planner.STAGE));
                    staged.add(stage.path());
                    targetFolders.add(stage.target().getParent());
                } else if (step instanceof Step.Keep keep) {
                    plain(keep.path(), keep.of());
                    hidden(keep.path(), keep.of(), keep.op(), keepRoles);
                    keeps.add(keep.path());
                }
            }
            for (Step step : steps) {
                if (step instanceof Step.Rename rename) {
                    rename(rename);
                }
            }
            for (Step step : steps) {
                if (step instanceof Step.MakeFolder mkdir) {
                    plain(mkdir.dir());
                    if (targetFolders.stream().noneMatch(folder -> folder.startsWith(mkdir.dir()))) {
                        throw refused("it would remove folder " + mkdir.dir() + ", which holds none of its targets");
                    }
                }
            }
        }

        private void rename(Step.Rename rename) throws Refused {
            plain(rename.from(), rename.to());
            targetFolders.add(rename.to().getParent());
            if (rename.displaced() != null && !keeps.contains(rename.displaced())) {
                throw refused("rename " + rename.from() + " -> " + rename.to() + " names " + rename.displaced()
                        + " as its keep, which the plan does not make");
            }
            if (rename.trash()) {
                hidden(rename.to(), rename.from(), rename.op(), TRASH_ROLES);
            } else if (TxNames.isTransactionName(rename.to().getFileName().toString())) {
                throw refused("rename " + rename.from() + " -> " + rename.to() + " would hide a file under a"
                        + " transaction's name, to be deleted");
            }
            boolean own = staged.contains(rename.from()) || keeps.contains(rename.from());
            if (!own && rename.fromSha() == null) {
                throw refused("it would rename " + rename.from() + ", neither its own staged or kept file nor a"
                        + " file whose content the plan records");
            }
        }

        /** {@code name} is {@code .NAME.tx-<tag>-<op>.<role>} beside {@code of}. */
        private void hidden(Path name, Path of, int op, List<String> roles) throws Refused {
            for (String role : roles) {
                if (name.equals(TxNames.of(of, tag, op, role))) {
                    return;
                }
            }
            throw refused("it names " + name + ", which is not one of this transaction's own hidden names"
                    + " (." + of.getFileName() + ".tx-" + tag + "-" + op + ".{" + String.join(",", roles)
                    + "} beside " + of + ")");
        }

        /** Absolute, with no "." or ".." in it: a name is what it says. */
        private void plain(Path... paths) throws Refused {
            for (Path path : paths) {
                if (!path.isAbsolute() || !path.normalize().equals(path) || path.getFileName() == null) {
                    throw refused("it names " + path + ", which is not an absolute, plain path");
                }
            }
        }

        private Refused refused(String reason) {
            return new Refused(journal, reason);
        }
    }
}
