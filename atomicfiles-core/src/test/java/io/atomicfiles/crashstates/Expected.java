package io.atomicfiles.crashstates;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the user's files must be after a crash and recovery: the acknowledged tree {@code done},
 * or the tree of the operation in flight {@code next} (null: none was), as {@link Tree#read}
 * shows them; {@code history} is every acknowledged tree up to {@code next} (for backups).
 *
 * <p>{@code strict} (transactions): exactly one of the trees, backups included. Otherwise (single
 * writes): the files exactly, and each backup there a complete earlier version of its file, a
 * backup of {@code done} never missing (one is never lost) but a backup the write in flight was
 * making possibly missing (under the POSIX model its rename may be lost while the publishing
 * rename is kept); and an empty folder that the write in flight made for its file may stay (made
 * on demand, as {@code mkdir -p} would).
 *
 * <p>{@code perFile} (write batches: no all-or-nothing across files): as for single writes, but
 * each file on its own may be as in {@code done} or as in {@code next}, whatever the others are.
 */
record Expected(Map<String, String> done, Map<String, String> next, List<Map<String, String>> history,
        boolean strict, boolean perFile) {

    /** What is expected after a crash in {@code state} of {@code recording}. */
    static Expected of(Recording recording, CrashStates.State state, boolean strict) {
        return of(recording, state, strict, false);
    }

    /** What is expected after a crash in {@code state} of a recording of write batches: each file old or new. */
    static Expected ofBatches(Recording recording, CrashStates.State state) {
        return of(recording, state, false, true);
    }

    private static Expected of(Recording recording, CrashStates.State state, boolean strict, boolean perFile) {
        int last = state.inFlight() ? state.done() + 1 : state.done();
        return new Expected(recording.afterEach.get(state.done()),
                state.inFlight() ? recording.afterEach.get(state.done() + 1) : null,
                List.copyOf(recording.afterEach.subList(0, last + 1)), strict, perFile);
    }

    boolean accepts(Map<String, String> now) {
        if (matches(now, done) || (next != null && matches(now, next))) {
            return true;
        }
        if (perFile && next != null && eachFileOldOrNew(now)) {
            return true;
        }
        if (strict || next == null) {
            return false;
        }
        Map<String, String> withoutNewEmptyFolders = new TreeMap<>(now);
        withoutNewEmptyFolders.keySet().removeIf(n -> n.endsWith("/") && !done.containsKey(n) && next.containsKey(n)
                && now.keySet().stream().noneMatch(m -> !m.equals(n) && m.startsWith(n)));
        return matches(withoutNewEmptyFolders, done);
    }

    /**
     * Whether {@code now} is right apart from leftovers: hidden transaction files, and empty
     * folders the acknowledged state does not have (made by the transaction, to be removed).
     */
    boolean acceptsWithoutLeftovers(Map<String, String> now) {
        Map<String, String> rest = new TreeMap<>(now);
        rest.keySet().removeIf(n -> n.contains(".tx-"));
        rest.keySet().removeIf(n -> n.endsWith("/") && !done.containsKey(n)
                && rest.keySet().stream().noneMatch(m -> !m.equals(n) && m.startsWith(n)));
        return !rest.equals(now) && accepts(rest);
    }

    /**
     * Whether {@code now} is the acknowledged tree but for empty folders that the operation in
     * flight was making for its files (and {@code done} does not have): no hidden file, nothing else.
     */
    boolean acceptsWithNewEmptyFolders(Map<String, String> now) {
        if (next == null) {
            return false;
        }
        Map<String, String> rest = new TreeMap<>(now);
        rest.keySet().removeIf(n -> n.endsWith("/") && !done.containsKey(n) && next.containsKey(n)
                && now.keySet().stream().noneMatch(m -> !m.equals(n) && m.startsWith(n)));
        return !rest.equals(now) && matches(rest, done);
    }

    private boolean matches(Map<String, String> now, Map<String, String> expected) {
        if (strict) {
            return now.equals(expected);
        }
        return withoutBackups(now).equals(withoutBackups(expected)) && backupsRight(now);
    }

    /** No backup of {@code done} missing, and each backup there a complete earlier version of its file. */
    private boolean backupsRight(Map<String, String> now) {
        for (String name : done.keySet()) {
            if (name.endsWith(".backup") && !now.containsKey(name)) {
                return false;
            }
        }
        for (Map.Entry<String, String> e : now.entrySet()) {
            if (e.getKey().endsWith(".backup")) {
                String file = e.getKey().substring(0, e.getKey().length() - ".backup".length());
                boolean earlier = history.stream().anyMatch(tree -> e.getValue().equals(tree.get(file))
                        || e.getValue().equals(tree.get(e.getKey())));
                if (!earlier) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Each file (and folder) as in {@code done} or as in {@code next}, on its own; backups as in {@link #matches}. */
    private boolean eachFileOldOrNew(Map<String, String> now) {
        Map<String, String> files = withoutBackups(now);
        Map<String, String> old = withoutBackups(done);
        Map<String, String> updated = withoutBackups(next);
        Set<String> names = new TreeSet<>(files.keySet());
        names.addAll(old.keySet());
        names.addAll(updated.keySet());
        for (String name : names) {
            if (!Objects.equals(files.get(name), old.get(name)) && !Objects.equals(files.get(name), updated.get(name))) {
                return false;
            }
        }
        return backupsRight(now);
    }

    private static Map<String, String> withoutBackups(Map<String, String> tree) {
        Map<String, String> rest = new TreeMap<>(tree);
        rest.keySet().removeIf(n -> n.endsWith(".backup"));
        return rest;
    }

    @Override
    public String toString() {
        return next == null ? "the acknowledged " + done : "the acknowledged " + done + " or the one in flight " + next;
    }
}
