package io.atomicfiles.crashstates;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The crash-state explorer's machinery: a folder (on tmpfs where there is one: fsyncs are then
 * cheap, and the states are the same) with the user's files under {@code files} and the journals
 * under {@code journals}; recording operations through a {@link FaultyFileSystem}; putting each
 * crash state on disk, recovering it as a user would after the restart, and checking it against
 * an {@link Expected}.
 */
final class Explorer implements AutoCloseable {
    static final long SEED = 8;
    private static final Path SHM = Path.of("/dev/shm");

    final FaultyFileSystem faulty = FaultyFileSystem.overDefault();
    final Path root;
    final Path files;
    final Path journals;

    /** Public operations, on paths of the faulty filesystem: {@code path} names a file under {@code files}. */
    @FunctionalInterface
    interface Operation {
        void run(Function<String, Path> path, Path journals) throws IOException;
    }

    /** What the exploration of one recording found. */
    record Result(int events, int states, int prefixes, int sampledPrefixes, List<Violation> violations) {
        /** The violations that lose or mix content (not mere leftovers). */
        List<Violation> lostOrMixed() {
            return violations.stream().filter(v -> !v.leftoverOnly()).toList();
        }
    }

    /**
     * A state that did not recover as it must: {@code leftoverOnly} when the user's files are
     * right and only hidden files of a transaction (or empty folders it made) are left over;
     * {@code newEmptyFolderOnly} when, more narrowly, the only leftover is an empty folder the
     * transaction in flight was making for its file (no hidden file, no journal).
     */
    record Violation(CrashStates.State state, boolean leftoverOnly, boolean newEmptyFolderOnly, String message) {
        @Override
        public String toString() {
            return message;
        }
    }

    Explorer(Path tempDir) throws IOException {
        this(tempDir, true);
    }

    /**
     * @param makeJournalFolder whether {@code journals} exists (durably) at the start; if not,
     *     the first transaction makes it, and a power loss may take it (and its journal) away
     */
    Explorer(Path tempDir, boolean makeJournalFolder) throws IOException {
        root = Files.isDirectory(SHM) && Files.isWritable(SHM) ? Files.createTempDirectory(SHM, "crash-states-")
                : Files.createTempDirectory(tempDir, "crash-states-");
        files = Files.createDirectories(root.resolve("files"));
        journals = makeJournalFolder ? Files.createDirectories(root.resolve("journals")) : root.resolve("journals");
    }

    /** Writes {@code before} (durable: the start of a recording), then records the operations. */
    Recording record(Map<String, String> before, List<Operation> operations) throws IOException {
        for (Map.Entry<String, String> e : before.entrySet()) {
            Files.writeString(files.resolve(e.getKey()), e.getValue());
        }
        Recording recording = new Recording(root, files);
        faulty.onChange(recording);
        try {
            for (Operation operation : operations) {
                operation.run(n -> faulty.path(files.resolve(n)), faulty.path(journals));
                recording.acknowledge();
            }
        } finally {
            faulty.onChange(null);
        }
        recording.checkFollowed();
        return recording;
    }

    /** Records a recovery of what is on disk now (the start of this recording): one operation. */
    Recording recordRecovery() throws IOException {
        Recording recording = new Recording(root, files);
        faulty.onChange(recording);
        try {
            recover(faulty.path(files), faulty.path(journals));
            recording.acknowledge();
        } finally {
            faulty.onChange(null);
        }
        recording.checkFollowed();
        return recording;
    }

    /** Explores every crash state of {@code recording}, expecting what {@code expected} says of each; prints the counts. */
    Result explore(String name, Recording recording, Function<CrashStates.State, Expected> expected,
            boolean quiet) throws IOException {
        CrashStates.Enumeration all = CrashStates.enumerate(recording, SEED);
        List<Violation> violations = new ArrayList<>();
        for (CrashStates.State state : all.states()) {
            CrashStates.materialise(state, root);
            Violation problem = recoverAndCheck(state, recording, expected.apply(state));
            if (problem != null) {
                violations.add(problem);
            }
        }
        Result result = new Result(recording.events.size(), all.states().size(), all.prefixes(), all.sampledPrefixes(),
                violations);
        if (!quiet || !violations.isEmpty()) {
            System.out.printf("CrashStateExplorerTest: %s: %d operations, %d filesystem events, %d crash points, "
                    + "%d distinct crash states explored (%d crash points sampled, %d combinations each), "
                    + "%d violations%n", name, recording.acknowledged.size() - 1, result.events(), result.prefixes(),
                    result.states(), result.sampledPrefixes(), CrashStates.CAP_PER_PREFIX, violations.size());
        }
        if (!violations.isEmpty()) {
            System.out.println("  first: " + violations.get(0));
        }
        if (!result.lostOrMixed().isEmpty()) {
            System.out.print("  the events:\n" + recording.describe(recording.events.size()));
        }
        return result;
    }

    /** Recovers the state on disk as a user would after the restart; null when it is right, else what is wrong. */
    Violation recoverAndCheck(CrashStates.State state, Recording recording, Expected expected) {
        try {
            recover(files, journals);
            List<String> left = journals(journals);
            if (!left.isEmpty()) {
                return violation(state, recording, false, false, "journals left after recovery: " + left);
            }
            Map<String, String> now = Tree.read(files);
            if (expected.accepts(now)) {
                return null;
            }
            return violation(state, recording, expected.acceptsWithoutLeftovers(now),
                    expected.acceptsWithNewEmptyFolders(now), "recovered to " + now + "; expected " + expected);
        } catch (IOException | RuntimeException e) {
            return violation(state, recording, false, false, "recovery failed: " + e);
        }
    }

    /** What an application does at start: recover its journals, sweep the temp files of writers that are gone. */
    static void recover(Path files, Path journals) throws IOException {
        if (Files.isDirectory(journals)) {
            FileTransaction.recover(journals);
        }
        List<Path> folders;
        try (Stream<Path> walk = Files.walk(files)) {
            folders = walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
        for (Path folder : folders) {
            AtomicFiles.sweepStaleTempFiles(folder, Duration.ofHours(1));
        }
    }

    static List<String> journals(Path journals) throws IOException {
        if (!Files.isDirectory(journals)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(journals)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".journal")).sorted().toList();
        }
    }

    private static Violation violation(CrashStates.State state, Recording recording, boolean leftoverOnly,
            boolean newEmptyFolderOnly, String problem) {
        return new Violation(state, leftoverOnly, newEmptyFolderOnly, "crash after event " + state.prefix() + " of "
                + recording.events.size() + " (" + state.done() + " operation(s) acknowledged"
                + (state.inFlight() ? ", the next in flight" : "") + "; unsynced: "
                + (state.choices().isEmpty() ? "all kept" : state.choices()) + "): " + problem);
    }

    @Override
    public void close() throws IOException {
        faulty.onChange(null);
        faulty.dropForce(p -> false);
        Tree.empty(root);
        Files.delete(root);
    }
}
