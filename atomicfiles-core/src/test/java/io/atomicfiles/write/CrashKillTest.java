package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.testing.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * kill -9 at random moments: a child JVM ({@link CrashWriterMain}) rewrites a JSON file in a loop
 * and is killed with {@link Process#destroyForcibly()} after a random delay, again and again.
 * After each kill:
 * <ul>
 *   <li>the file exists (once a first write completed), parses, and is exactly one complete
 *       version: its payload is the one its version number defines;</li>
 *   <li>it is the last version the child reported as committed, or the one it was writing
 *       when it died: never older (a committed write is never lost), never anything else;</li>
 *   <li>the backup, once there is one, stays, and is a complete earlier version;</li>
 *   <li>{@link AtomicFiles#sweepStaleTempFiles} with age zero leaves no temp file.</li>
 * </ul>
 * The number of kills is {@value #DEFAULT_KILLS} by default; {@code -Datomicfiles.crash.kills=N}
 * runs more, {@code -Datomicfiles.crash.seed=S} repeats the kill delays of a run (the seed is
 * printed). Two lanes (folders, files, children) run side by side, so that one child's JVM
 * starts while the other one writes.
 */
class CrashKillTest {
    private static final int DEFAULT_KILLS = 200;
    private static final int LANES = 2;
    /** Kills land within this long after the child is ready: over several writes of 1 B to 1 MiB. */
    private static final long MAX_DELAY_NANOS = Duration.ofMillis(40).toNanos();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** After the kills: what the file held, and what the kill left behind (where it landed). */
    private final Map<String, AtomicLong> fileStates = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> leftovers = new ConcurrentHashMap<>();

    @Test
    void killedWriterLeavesACompleteCommittedVersion() throws Exception {
        int kills = Integer.getInteger("atomicfiles.crash.kills", DEFAULT_KILLS);
        long seed = Long.getLong("atomicfiles.crash.seed", System.nanoTime());
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(LANES);
        List<Future<Long>> lanes = new ArrayList<>();
        try {
            for (int lane = 0; lane < LANES; lane++) {
                int laneKills = kills / LANES + (lane < kills % LANES ? 1 : 0);
                Lane work = new Lane(lane, laneKills, new Random(seed + lane));
                lanes.add(pool.submit(work::run));
            }
            long committed = 0;
            for (Future<Long> lane : lanes) {
                committed += lane.get();
            }
            System.out.printf("CrashKillTest: %d kills (seed %d) in %d ms, %d versions committed;%n"
                    + "  file after the kill: %s%n  left behind: %s%n", kills, seed,
                    (System.nanoTime() - start) / 1_000_000, committed, new TreeMap<>(fileStates),
                    new TreeMap<>(leftovers));
            // Not vacuous: children got to write between the kills.
            assertThat(committed).as("versions committed by all children").isPositive();
            assertThat(count("new version, not yet reported") + count("reported version"))
                    .as("kills after at least one write").isPositive();
        } finally {
            pool.shutdownNow();
        }
    }

    /** One file, killed {@code kills} times in a row. */
    private final class Lane {
        private final int number;
        private final int kills;
        private final Random random;
        private final Path folder;
        private final Path target;
        private final Path commitLog;
        private final Path scratch;
        /** The version in the file after the last kill, -1 while there is none. */
        private long fileVersion = -1;
        private long nextVersion = 1;
        private long committed;
        private boolean hadBackup;

        Lane(int number, int kills, Random random) throws IOException {
            this.number = number;
            this.kills = kills;
            this.random = random;
            this.folder = Files.createDirectories(dir.resolve("lane-" + number));
            this.target = folder.resolve("data.json");
            this.commitLog = dir.resolve("lane-" + number + ".commits");
            this.scratch = Files.createDirectories(dir.resolve("warm-up-" + number)).resolve("scratch.json");
        }

        long run() throws IOException {
            for (int kill = 1; kill <= kills; kill++) {
                long firstVersion = nextVersion;
                long reportedBefore = lastReported();
                try (ChildJvm child = ChildJvm.builder(CrashWriterMain.class).quickStart()
                        .args(target.toString(), commitLog.toString(), Long.toString(firstVersion), scratch.toString())
                        .start()) {
                    String ready = child.readLine(READY_TIMEOUT);
                    assertThat(ready).as("lane %d kill %d: child's first line; its stderr: %s", number, kill,
                            child.stderr()).isEqualTo("ready");
                    LockSupport.parkNanos((long) (random.nextDouble() * MAX_DELAY_NANOS));
                    assertThat(child.process().isAlive()).as("lane %d kill %d: the writer died by itself: %s",
                            number, kill, child.stderr()).isTrue();
                    child.kill();
                }
                checkAfterKill(kill, firstVersion, reportedBefore);
            }
            return committed;
        }

        private void checkAfterKill(int kill, long firstVersion, long reportedBefore) throws IOException {
            String at = "lane " + number + " kill " + kill;
            long reported = lastReported();
            boolean wroteThisLife = reported > reportedBefore;
            if (wroteThisLife) {
                committed += reported - firstVersion + 1;
            }
            // What the file may hold: what it held before this child, or the child's last
            // reported version, or the version the child was writing when it died.
            long previous = wroteThisLife ? reported : fileVersion;
            long inFlight = wroteThisLife ? reported + 1 : firstVersion;

            String leftover = leftover(inFlight);
            String kind;
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                assertThat(previous).as("%s: the file vanished after version %d was committed", at, previous)
                        .isEqualTo(-1);
                kind = "absent (no write completed yet)";
            } else {
                long version = completeVersion(target, at);
                assertThat(version).as("%s: the file holds a version that was committed or in flight", at)
                        .isIn(previous, inFlight);
                kind = version == inFlight ? "new version, not yet reported" : "reported version";
                fileVersion = version;
                Path backup = folder.resolve("data.json.backup");
                if (Files.exists(backup)) {
                    long backupVersion = completeVersion(backup, at + " (backup)");
                    assertThat(backupVersion).as("%s: the backup is an earlier version", at).isLessThanOrEqualTo(version);
                    hadBackup = true;
                } else {
                    // An older backup is replaced by an atomic rename, never deleted first.
                    assertThat(hadBackup).as("%s: the backup vanished", at).isFalse();
                }
            }
            fileStates.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            leftovers.computeIfAbsent(leftover, k -> new AtomicLong()).incrementAndGet();
            nextVersion = inFlight + 1;

            AtomicFiles.sweepStaleTempFiles(folder, Duration.ZERO);
            assertThat(tempFiles()).as("%s: temp files after the sweep", at).isEmpty();
        }

        /** The version in {@code file}, after checking that it is a complete one. */
        private long completeVersion(Path file, String at) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            JsonNode node;
            try {
                node = Codecs.read(bytes, DataFormat.JSON, file);
            } catch (IOException e) {
                throw new AssertionError(at + ": " + file.getFileName() + " does not parse (" + bytes.length
                        + " bytes): " + e.getMessage(), e);
            }
            if (!node.isObject() || !node.path("version").isIntegralNumber() || !node.path("payload").isString()) {
                fail("%s: %s is not a version document: %s", at, file.getFileName(),
                        new String(bytes, 0, Math.min(200, bytes.length), StandardCharsets.UTF_8));
            }
            long version = node.get("version").asLong();
            String payload = node.get("payload").asString();
            assertThat(node.path("size").asInt()).as("%s: size of version %d", at, version).isEqualTo(payload.length());
            if (!payload.equals(CrashWriterMain.payload(version))) {
                fail("%s: %s has version %d with another version's payload", at, file.getFileName(), version);
            }
            return version;
        }

        /**
         * Where the kill landed, told by what it left behind: nothing (between writes, or after
         * the rename), the content's temp file (empty: just created; partial: while writing;
         * complete: while forcing, verifying or keeping the backup), or the backup's temp link.
         */
        private String leftover(long inFlight) throws IOException {
            List<String> temps = tempFiles();
            if (temps.isEmpty()) {
                return "none";
            }
            if (temps.stream().anyMatch(n -> n.startsWith(".data.json.backup.tmp-"))) {
                return "backup's temp link";
            }
            long size = Files.size(folder.resolve(temps.get(0)));
            if (size == 0) {
                return "content temp, empty";
            }
            ByteArrayOutputStream complete = new ByteArrayOutputStream();
            Codecs.writeJson(CrashWriterMain.document(inFlight), 2, complete);
            return size < complete.size() ? "content temp, partial" : "content temp, complete";
        }

        /** The last version the children reported as committed, -1 for none. */
        private long lastReported() throws IOException {
            if (!Files.exists(commitLog)) {
                return -1;
            }
            String log = Files.readString(commitLog, StandardCharsets.US_ASCII);
            int end = log.lastIndexOf('\n');
            if (end < 0) {
                return -1;
            }
            int begin = log.lastIndexOf('\n', end - 1) + 1;
            return Long.parseLong(log.substring(begin, end));
        }

        private List<String> tempFiles() throws IOException {
            try (Stream<Path> files = Files.list(folder)) {
                return files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList();
            }
        }
    }

    private long count(String fileState) {
        AtomicLong n = fileStates.get(fileState);
        return n == null ? 0 : n.get();
    }
}
