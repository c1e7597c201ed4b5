package io.atomicfiles.crashstates;

import io.atomicfiles.crashstates.Recording.Data;
import io.atomicfiles.crashstates.Recording.Entry;
import io.atomicfiles.crashstates.Recording.Event;
import io.atomicfiles.crashstates.Recording.FileSync;
import io.atomicfiles.crashstates.Recording.FolderSync;
import io.atomicfiles.internal.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The states a power loss may leave after each prefix of a {@link Recording}, under the POSIX
 * model:
 * <ul>
 *   <li>a change of names (create, mkdir, link, unlink, rename) is durable once a later fsync of
 *       its folder (of both folders, for a rename across two) has returned; before that, each such
 *       change may be lost or kept independently of the others (a kept change keeps its effect
 *       even if an earlier one in the same folder is lost: POSIX promises no order); a name whose
 *       folder is not there is not there;</li>
 *   <li>a file's content is durable as of its last fsync; any version written after it (each
 *       write leaves a version) may be what is there instead, one version per file, chosen
 *       independently per file. A file never fsynced may be empty. (Torn versions, half of one
 *       write, are not modelled: the journal's checksummed records and the read-back of staged
 *       files are tested elsewhere.)</li>
 * </ul>
 * Every prefix of the events is a crash point. Per prefix, every combination of lost and kept
 * unsynced changes is a state; when there are more than {@link #CAP_PER_PREFIX} combinations, a
 * seeded random sample of that many is taken, always with the two extremes (all lost, all
 * kept). States that come out the same (names, inodes and bytes) are explored once.
 */
final class CrashStates {
    static final int CAP_PER_PREFIX = 256;
    /** Temp names of single writes: {@code .NAME.tmp-<random>-<pid>-<start>-<machine>}. */
    private static final Pattern TEMP_NAME = Pattern.compile("^(\\..*\\.tmp-[0-9a-z]{12}-[0-9a-z]{1,13}-)([0-9a-z]{1,13})(-[0-9a-z]{6})$");

    /**
     * One state a power loss may leave: after {@code prefix} events, when {@code done}
     * operations had returned (their effects must be there after recovery) and, if
     * {@code inFlight}, the next one had begun (its effect may be there, whole, or not at all).
     */
    record State(int prefix, int done, boolean inFlight, Map<Path, Integer> names, Map<Integer, byte[]> contents,
            String choices) {
    }

    /** What was enumerated: the distinct states, and how many prefixes were sampled rather than enumerated. */
    record Enumeration(List<State> states, int prefixes, int sampledPrefixes) {
    }

    private CrashStates() {
    }

    static Enumeration enumerate(Recording r, long seed) {
        List<Event> events = r.events;
        int n = events.size();
        // For each entry event: the index of the event that makes it durable (n: none does).
        int[] durableAt = new int[n];
        for (int i = 0; i < n; i++) {
            durableAt[i] = n;
            if (events.get(i) instanceof Entry entry) {
                int latest = i;
                for (Path folder : entry.folders()) {
                    int sync = nextFolderSync(events, folder, i);
                    latest = Math.max(latest, sync);
                }
                durableAt[i] = latest;
            }
        }
        Random random = new Random(seed);
        Set<String> seen = new HashSet<>();
        List<State> states = new ArrayList<>();
        int sampled = 0;
        for (int p = 0; p <= n; p++) {
            List<Integer> unsynced = new ArrayList<>();
            for (int i = 0; i < p; i++) {
                if (events.get(i) instanceof Entry && durableAt[i] >= p) {
                    unsynced.add(i);
                }
            }
            // Per inode: the versions it may hold (from its last synced one to its latest).
            int inodes = r.versions.size();
            int[] synced = new int[inodes];
            int[] latest = new int[inodes];
            for (int i = 0; i < p; i++) {
                if (events.get(i) instanceof Data data) {
                    latest[data.inode()] = data.version();
                } else if (events.get(i) instanceof FileSync sync) {
                    synced[sync.inode()] = sync.version();
                }
            }
            List<Integer> open = new ArrayList<>();
            for (int inode = 0; inode < inodes; inode++) {
                if (latest[inode] > synced[inode]) {
                    open.add(inode);
                }
            }
            double combinations = Math.pow(2, unsynced.size());
            for (int inode : open) {
                combinations *= latest[inode] - synced[inode] + 1;
            }
            int done = 0;
            while (done + 1 < r.acknowledged.size() && r.acknowledged.get(done + 1) <= p) {
                done++;
            }
            boolean inFlight = done + 1 < r.acknowledged.size() && p > r.acknowledged.get(done);
            List<long[]> picks = new ArrayList<>();
            if (combinations <= CAP_PER_PREFIX) {
                for (long c = 0; c < (long) combinations; c++) {
                    picks.add(new long[] {c, -1});
                }
            } else {
                sampled++;
                picks.add(new long[] {0, 0});    // everything unsynced lost
                picks.add(new long[] {-1, -1});  // everything kept
                for (int s = 2; s < CAP_PER_PREFIX; s++) {
                    picks.add(new long[] {random.nextLong(), 1});
                }
            }
            for (long[] pick : picks) {
                State state = build(r, p, done, inFlight, unsynced, durableAt, open, synced, latest, pick, random);
                if (seen.add(key(state))) {
                    states.add(state);
                }
            }
        }
        return new Enumeration(states, n + 1, sampled);
    }

    private static int nextFolderSync(List<Event> events, Path folder, int after) {
        for (int j = after + 1; j < events.size(); j++) {
            if (events.get(j) instanceof FolderSync sync && sync.folder().equals(folder)) {
                return j;
            }
        }
        return events.size();
    }

    /**
     * The state for one pick: {@code {c, -1}} takes combination number c (its low bits choose the
     * unsynced entries kept, the rest the version of each open inode); {@code {0, 0}} loses all,
     * {@code {-1, -1}} keeps all, {@code {x, 1}} draws each choice at random.
     */
    private static State build(Recording r, int p, int done, boolean inFlight, List<Integer> unsynced, int[] durableAt,
            List<Integer> open, int[] synced, int[] latest, long[] pick, Random random) {
        Set<Integer> kept = new HashSet<>();
        int[] version = latest.clone();
        StringBuilder choices = new StringBuilder();
        long c = pick[0];
        boolean drawn = pick[1] == 1;
        boolean all = pick[0] == -1;
        boolean none = pick[0] == 0 && pick[1] == 0;
        for (int i : unsynced) {
            boolean keep = drawn ? random.nextBoolean() : all || (!none && (c & 1) == 1);
            if (!drawn && !all && !none) {
                c >>>= 1;
            }
            if (keep) {
                kept.add(i);
            } else {
                choices.append("lost #").append(i + 1).append(' ');
            }
        }
        for (int inode : open) {
            int range = latest[inode] - synced[inode] + 1;
            int offset;
            if (drawn) {
                offset = random.nextInt(range);
            } else if (all) {
                offset = range - 1;
            } else if (none) {
                offset = 0;
            } else {
                offset = (int) (c % range);
                c /= range;
            }
            version[inode] = synced[inode] + offset;
            if (version[inode] != latest[inode]) {
                choices.append("inode ").append(inode).append(" at version ").append(version[inode]).append(' ');
            }
        }
        Map<Path, Integer> names = new TreeMap<>(r.initialNames);
        for (int i = 0; i < p; i++) {
            if (r.events.get(i) instanceof Entry entry && (durableAt[i] < p || kept.contains(i))) {
                entry.names().forEach((name, node) -> {
                    if (node == null) {
                        names.remove(name);
                    } else {
                        names.put(name, node);
                    }
                });
            }
        }
        // A name in a folder that is not there is not there.
        boolean removed = true;
        while (removed) {
            removed = names.keySet().removeIf(name -> !name.getParent().equals(r.root)
                    && !Integer.valueOf(Recording.DIR).equals(names.get(name.getParent())));
            removed = removed && !names.isEmpty();
        }
        Map<Integer, byte[]> contents = new TreeMap<>();
        for (int node : names.values()) {
            if (node != Recording.DIR) {
                contents.put(node, r.versions.get(node).get(version[node]));
            }
        }
        return new State(p, done, inFlight, names, contents, choices.toString().trim());
    }

    /** Names, links and bytes: two states with equal keys look the same to any recovery. */
    private static String key(State s) {
        StringBuilder key = new StringBuilder();
        Map<Integer, Integer> renumbered = new LinkedHashMap<>();
        s.names().forEach((name, node) -> {
            key.append(name).append('=');
            if (node == Recording.DIR) {
                key.append("dir");
            } else {
                key.append(renumbered.computeIfAbsent(node, x -> renumbered.size())).append(':')
                        .append(Hashing.sha256Hex(s.contents().get(node)));
            }
            key.append('\n');
        });
        return key.toString();
    }

    /**
     * Makes {@code root} hold exactly the state: folders, files with their bytes, hard links
     * where names share an inode. A temp file of a single write is put under the name a writer
     * that is gone would have given it (the writer of the recording is this JVM, still alive; after
     * a power loss it is not).
     */
    static void materialise(State s, Path root) throws IOException {
        Tree.empty(root);
        Map<Integer, Path> written = new TreeMap<>();
        List<Path> ordered = new ArrayList<>(s.names().keySet());
        ordered.sort(Comparator.comparingInt(Path::getNameCount).thenComparing(Comparator.naturalOrder()));
        for (Path name : ordered) {
            int node = s.names().get(name);
            Path path = afterReboot(name);
            if (node == Recording.DIR) {
                Files.createDirectory(path);
            } else if (written.containsKey(node)) {
                Files.createLink(path, written.get(node));
            } else {
                Files.write(path, s.contents().get(node));
                written.put(node, path);
            }
        }
    }

    private static Path afterReboot(Path name) {
        Matcher m = TEMP_NAME.matcher(name.getFileName().toString());
        if (!m.matches()) {
            return name;
        }
        long start = Long.parseLong(m.group(2), 36);
        return name.resolveSibling(m.group(1) + Long.toString(start + 1, 36) + m.group(3));
    }
}
