package io.atomicfiles.powerloss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.atomicfiles.Durability;
import io.atomicfiles.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power cuts, not only kills: a kill -9 keeps the page cache, so it cannot show a missing
 * fsync; LazyFS ({@link LazyFs}) drops every byte not synced. A child JVM ({@link PowerLossChild})
 * writes files (single writes, or transactions of three files) on a LazyFS mount and says
 * "ack" the moment each call returns. Then the power is cut: the child is killed with SIGKILL
 * at a random moment and LazyFS's cache cleared, or a {@code lazyfs::crash} armed at a chosen
 * operation kills LazyFS itself; LazyFS is unmounted and mounted again (the reboot); the next
 * child recovers as an application does at start; and the test checks:
 * <ul>
 *   <li>every acknowledged write and commit is there;</li>
 *   <li>every file is exactly one complete version (not empty, not torn), the acknowledged one
 *       or the one in flight; a transaction's files all old or all new;</li>
 *   <li>no leftovers: no temp file, no hidden transaction file, no journal.</li>
 * </ul>
 * The last test shows the check can fail: with {@code Durability.NONE} it finds the
 * acknowledged writes lost (empty files). Skipped, with the reason printed, where {@code LAZYFS}
 * is not set or there is no FUSE. {@code -Datomicfiles.powerloss.cuts=N} runs more power cuts
 * per test, {@code -Datomicfiles.powerloss.seed=S} repeats a run's delays (the seed is printed).
 */
class PowerLossTest {
    private static final int DEFAULT_CUTS = 4;
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CRASH_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_DELAY_NANOS = Duration.ofMillis(400).toNanos();

    @TempDir
    Path tempDir;

    private LazyFs lazy;

    @BeforeEach
    void needsLazyFs() {
        Optional<String> why = LazyFs.unavailable();
        why.ifPresent(reason -> System.out.println("PowerLossTest skipped: " + reason));
        assumeTrue(why.isEmpty(), () -> why.orElse(""));
    }

    @AfterEach
    void unmount() throws IOException {
        if (lazy != null) {
            lazy.close();
        }
    }

    @Test
    void singleWritesSurviveRandomPowerCuts() throws Exception {
        survivesRandomPowerCuts("write", "writes");
    }

    @Test
    void transactionsSurviveRandomPowerCuts() throws Exception {
        survivesRandomPowerCuts("tx", "commits");
    }

    /** Issue 11, group commit: after each cut every file of a batch holds its acknowledged or its new version. */
    @Test
    void batchesSurviveRandomPowerCuts() throws Exception {
        survivesRandomPowerCuts("batch", "batches");
    }

    /** Random power cuts of a child writing in {@code mode} with full durability: no violation, and some calls acknowledged. */
    private void survivesRandomPowerCuts(String mode, String calls) throws Exception {
        Run run = new Run(mode, Durability.FULL);
        run.randomCuts(Integer.getInteger("atomicfiles.powerloss.cuts", DEFAULT_CUTS));
        run.finish();
        assertThat(run.violations).isEmpty();
        assertThat(run.acknowledged).as(calls + " acknowledged over all power cuts").isPositive();
    }

    /** LazyFS kills itself at chosen operations of the protocols (a power cut exactly there). */
    @Test
    void powerCutsAtChosenOperations() throws Exception {
        Run writes = new Run("write", Durability.FULL);
        // After a publishing rename, before the folder fsync; before the temp file's fsync. (For a
        // rename LazyFS needs both regexes; it matches only the target's.)
        writes.cutAt("lazyfs::crash::timing=after::op=rename::from_rgx=tmp-::to_rgx=f1\\.txt$");
        writes.cutAt("lazyfs::crash::timing=before::op=fsync::from_rgx=\\.f2\\.txt\\.tmp-");
        writes.finish();
        Run transactions = new Run("tx", Durability.FULL);
        // Before the intent is forced; after a staged file is forced (before the commit point);
        // in the middle of the renames (after the commit point).
        transactions.cutAt("lazyfs::crash::timing=before::op=fsync::from_rgx=\\.journal$");
        transactions.cutAt("lazyfs::crash::timing=after::op=fsync::from_rgx=\\.f2\\.txt\\.tx-");
        transactions.cutAt("lazyfs::crash::timing=after::op=rename::from_rgx=stage::to_rgx=f1\\.txt$");
        transactions.finish();
        Run batches = new Run("batch", Durability.FULL);
        // Before a file's fsync (others of the batch may be forced or renamed); after a publishing
        // rename, before the folder's fsync.
        batches.cutAt("lazyfs::crash::timing=before::op=fsync::from_rgx=\\.f1\\.txt\\.tmp-");
        batches.cutAt("lazyfs::crash::timing=after::op=rename::from_rgx=tmp-::to_rgx=f2\\.txt$");
        batches.finish();
        assertThat(writes.violations).isEmpty();
        assertThat(transactions.violations).isEmpty();
        assertThat(batches.violations).isEmpty();
    }

    /** The same check finds what a power cut does to writes that force nothing: the tests can fail. */
    @Test
    void withDurabilityNoneThePowerCutsLoseAcknowledgedWrites() throws Exception {
        Run run = new Run("write", Durability.NONE);
        for (int cut = 0; cut < 5 && run.violations.isEmpty(); cut++) {
            run.randomCuts(1);
        }
        run.finish();
        assertThat(run.violations).as("violations found with Durability.NONE").isNotEmpty();
        assertThat(String.join("\n", run.violations)).contains("not one complete version");
    }

    /** One file set on one LazyFS mount, cut again and again. */
    private final class Run {
        private final String mode;
        private final Durability durability;
        private final long seed = Long.getLong("atomicfiles.powerloss.seed", System.nanoTime());
        private final Random random = new Random(seed);
        private final Path files;
        private final Path journals;
        private final Path scratch;
        /** Per file: the version it must hold (acknowledged, or found after the last cut). */
        private final Map<String, Long> expected = new HashMap<>();
        /** The write in flight at the last cut: file (or "tx") and version; null when none. */
        private String inFlightFile;
        private long inFlightVersion = -1;
        private long nextVersion = 1;
        final List<String> violations = new ArrayList<>();
        int cuts;
        int acknowledged;
        /** Children whose temp files were stat'ed by statx(2) (UntimedStat), as a busy process's are. */
        int statxChildren;
        /** Where the time goes: children starting and recovering, reboots (clear, unmount, mount). */
        private long startNanos;
        private long rebootNanos;

        Run(String mode, Durability durability) throws IOException {
            this.mode = mode;
            this.durability = durability;
            this.scratch = Files.createDirectories(tempDir.resolve("warm-up"));
            if (lazy == null) {
                try {
                    lazy = LazyFs.start(Files.createDirectories(tempDir.resolve("lazyfs")));
                } catch (IOException e) {
                    // FUSE present but not usable here (a container without the right, say): skip, saying why.
                    System.out.println("PowerLossTest skipped: LazyFS could not be mounted here: " + e.getMessage());
                    assumeTrue(false, "LazyFS could not be mounted here: " + e.getMessage());
                }
            }
            this.files = lazy.mount().resolve(mode + "/files");
            this.journals = lazy.mount().resolve(mode + "/journals");
            Files.createDirectories(files);
            Files.createDirectories(journals);
            // Version 0, durable: written and forced before the first cut.
            for (String name : PowerLossChild.FILES) {
                Path file = files.resolve(name);
                Files.write(file, PowerLossChild.content(name, 0));
                try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                expected.put(name, 0L);
            }
            forceFolder(files);
            forceFolder(files.getParent());
        }

        void randomCuts(int count) throws Exception {
            for (int i = 0; i < count; i++) {
                cut(null);
            }
        }

        void cutAt(String crash) throws Exception {
            cut(crash);
        }

        /** One life: start, recover, check, go, cut the power (kill and clear, or the armed crash), reboot. */
        private void cut(String crash) throws Exception {
            cuts++;
            String at = mode + " " + durability + " cut " + cuts + (crash == null ? "" : " (" + crash + ")");
            long start = System.nanoTime();
            try (ChildJvm child = startChild()) {
                checkRecovered(child, at);
                startNanos += System.nanoTime() - start;
                if (crash != null) {
                    lazy.armCrash(crash);
                }
                child.go();
                if (crash == null) {
                    LockSupport.parkNanos((long) (random.nextDouble() * MAX_DELAY_NANOS));
                } else {
                    long deadline = System.nanoTime() + CRASH_TIMEOUT.toNanos();
                    while (!lazy.crashed() && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    assertThat(lazy.crashed()).as("%s: the armed crash fired within %s; child: %s", at, CRASH_TIMEOUT,
                            child.stderr()).isTrue();
                }
                assertThat(child.isAlive() || crash != null).as("%s: the child died by itself: %s", at, child.stderr())
                        .isTrue();
                child.kill();
                acknowledge(child.readRemainingLines());
            }
            long reboot = System.nanoTime();
            if (!lazy.crashed()) {
                lazy.clearCache();
            }
            lazy.unmount();
            lazy.mount(null);
            rebootNanos += System.nanoTime() - reboot;
        }

        private ChildJvm startChild() throws IOException {
            return ChildJvm.builder(PowerLossChild.class).quickStart().args(mode, files.toString(), journals.toString(),
                    durability.name(), Long.toString(nextVersion), scratch.toString()).start();
        }

        /** Waits for the child's recovery, then checks the files it left (before the child writes anything). */
        private void checkRecovered(ChildJvm child, String at) throws IOException {
            String line = child.readLine(CHILD_TIMEOUT);
            assertThat(line).as("%s: the child's first line; its stderr: %s", at, child.stderr()).startsWith("recovered");
            statxChildren += line.contains("temp files stat'ed by statx") ? 1 : 0;
            if (line.contains("CONFLICTS")) {
                violations.add(at + ": recovery reported conflicts: " + line);
            }
            check(at);
        }

        /** Takes in what the child acknowledged before the cut, and what was in flight. */
        private void acknowledge(List<String> lines) {
            String lastFile = null;
            long lastVersion = -1;
            for (String line : lines) {
                String[] words = line.split(" ");
                if (words.length == 3 && words[0].equals("ack")) {
                    lastFile = words[1];
                    lastVersion = Long.parseLong(words[2]);
                    acknowledged++;
                    if (lastFile.equals("tx") || lastFile.equals("batch")) {
                        for (String name : PowerLossChild.FILES) {
                            expected.put(name, lastVersion);
                        }
                    } else {
                        expected.put(lastFile, lastVersion);
                    }
                }
            }
            // The call after the last acknowledged one (the first of this life if none was).
            if (mode.equals("tx") || mode.equals("batch")) {
                inFlightFile = mode;
                inFlightVersion = lastFile == null ? nextVersion : lastVersion + 1;
            } else if (lastFile == null) {
                inFlightFile = PowerLossChild.FILES.get(0);
                inFlightVersion = nextVersion;
            } else {
                int i = PowerLossChild.FILES.indexOf(lastFile);
                inFlightFile = PowerLossChild.FILES.get((i + 1) % PowerLossChild.FILES.size());
                inFlightVersion = i + 1 == PowerLossChild.FILES.size() ? lastVersion + 1 : lastVersion;
            }
            nextVersion = inFlightVersion + 1;
        }

        /** Checks the files after recovery against what was acknowledged; adds what is wrong to the violations. */
        private void check(String at) throws IOException {
            Map<String, Long> found = new HashMap<>();
            for (String name : PowerLossChild.FILES) {
                Path file = files.resolve(name);
                if (!Files.exists(file)) {
                    violations.add(at + ": " + name + " is missing (version " + expected.get(name) + " was acknowledged)");
                    continue;
                }
                byte[] bytes = Files.readAllBytes(file);
                long version = PowerLossChild.versionOf(name, bytes);
                boolean inFlight = inFlightFile != null && version == inFlightVersion
                        && (inFlightFile.equals("tx") || inFlightFile.equals("batch") || inFlightFile.equals(name));
                if (version < 0) {
                    violations.add(at + ": " + name + " is not one complete version (" + bytes.length
                            + " bytes); version " + expected.get(name) + " was acknowledged");
                } else if (version != expected.get(name) && !inFlight) {
                    violations.add(at + ": " + name + " holds version " + version + "; version " + expected.get(name)
                            + " was acknowledged" + (inFlightFile == null ? "" : ", " + inFlightVersion + " in flight"));
                } else {
                    found.put(name, version);
                }
                Path backup = files.resolve(name + ".backup");
                if (Files.exists(backup) && version >= 0) {
                    long backupVersion = PowerLossChild.versionOf(name, Files.readAllBytes(backup));
                    if (backupVersion < 0 || backupVersion > version) {
                        violations.add(at + ": " + name + ".backup is not a complete earlier version");
                    }
                }
            }
            if (mode.equals("tx") && found.values().stream().distinct().count() > 1) {
                violations.add(at + ": a transaction's files hold different versions: " + found);
            }
            expected.putAll(found);
            List<String> left = new ArrayList<>(leftovers(files, n -> n.contains(".tmp-") || n.contains(".tx-")));
            left.addAll(leftovers(journals, n -> n.endsWith(".journal")));
            if (!left.isEmpty()) {
                violations.add(at + ": left over after recovery: " + left);
            }
        }

        /** After the last cut: a last life recovers, the files are checked, the result printed. */
        void finish() throws IOException {
            try (ChildJvm child = startChild()) {
                checkRecovered(child, mode + " " + durability + " after cut " + cuts);
                child.kill();
            }
            report();
        }

        private void report() {
            System.out.printf("PowerLossTest: %s, %s: %d power cuts (seed %d), %d calls acknowledged, %d violations"
                    + " (%d ms starting children and recovering, %d ms rebooting; %d children stat'ed temp files"
                    + " by statx)%s%n",
                    mode.equals("tx") ? "transactions of 3 files" : mode.equals("batch") ? "write batches of 3 files"
                            : "single writes of 3 files", durability, cuts, seed,
                    acknowledged, violations.size(), startNanos / 1_000_000, rebootNanos / 1_000_000, statxChildren,
                    violations.isEmpty() ? "" : "; first: " + violations.get(0));
        }
    }

    private static List<String> leftovers(Path folder, java.util.function.Predicate<String> leftover)
            throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).filter(leftover).sorted().toList();
        }
    }

    private static void forceFolder(Path folder) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(folder, java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
