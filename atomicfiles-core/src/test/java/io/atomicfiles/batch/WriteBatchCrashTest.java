package io.atomicfiles.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a {@link io.atomicfiles.WriteBatch} commit: a child
 * ({@link BatchCrashMain}) commits batches of {@value #FILES} files in a loop and is killed after
 * a random delay, {@value #DEFAULT_KILLS} times ({@code -Datomicfiles.batch.kills=N};
 * {@code -Datomicfiles.batch.seed=S} repeats a run). After each kill every file is one complete
 * generation: the last one the child reported committed, or the one in flight (no
 * all-or-nothing across files, so files of one batch may differ), never older, never torn; and a
 * sweep of stale temp files leaves none.
 */
class WriteBatchCrashTest {
    private static final int FILES = 24;
    private static final int DEFAULT_KILLS = 20;
    private static final long MAX_DELAY_NANOS = Duration.ofMillis(150).toNanos();
    private static final Pattern HEADER = Pattern.compile("generation (\\d+) file (\\d+)\n");

    @TempDir
    Path dir;

    @Test
    void everyFileIsAWholeGenerationAfterAKill() throws Exception {
        int kills = Integer.getInteger("atomicfiles.batch.kills", DEFAULT_KILLS);
        long seed = Long.getLong("atomicfiles.batch.seed", System.nanoTime());
        Random random = new Random(seed);
        Path folder = Files.createDirectories(dir.resolve("files"));
        Path commitLog = dir.resolve("commits");
        for (int i = 0; i < FILES; i++) {
            Files.writeString(folder.resolve(BatchCrashMain.name(i)), BatchCrashMain.content(0, i));
        }
        long committed = 0;
        int mixed = 0;
        long next = 1;
        for (int kill = 1; kill <= kills; kill++) {
            long reportedBefore = lastReported(commitLog);
            try (ChildJvm child = ChildJvm.builder(BatchCrashMain.class).quickStart()
                    .args(folder.toString(), Integer.toString(FILES), commitLog.toString(), Long.toString(next))
                    .start()) {
                assertThat(child.readLine(Duration.ofSeconds(60))).as("kill %d: child's stderr: %s", kill,
                        child.stderr()).isEqualTo("ready");
                LockSupport.parkNanos((long) (random.nextDouble() * MAX_DELAY_NANOS));
                if (kill == kills && committed == 0) {
                    // On a loaded machine every random delay may end before a child's first batch:
                    // the last child is killed only after it committed one, so that the kills are
                    // known to have landed between commits as well as before them.
                    awaitCommitAfter(commitLog, reportedBefore, Duration.ofSeconds(120));
                }
                assertThat(child.process().isAlive()).as("kill %d: the child died by itself: %s", kill,
                        child.stderr()).isTrue();
                child.kill();
            }
            long reported = lastReported(commitLog);
            boolean committedThisLife = reported > reportedBefore;
            long inFlight = committedThisLife ? reported + 1 : next;
            committed += Math.max(0, reported - reportedBefore);
            long seen = -1;
            for (int i = 0; i < FILES; i++) {
                long generation = wholeGeneration(folder.resolve(BatchCrashMain.name(i)), i, kill);
                // Never older than what was acknowledged (or, without a new acknowledgement, than
                // what the file held before), never newer than the batch in flight.
                long atLeast = committedThisLife ? reported : onDisk[i];
                assertThat(generation).as("kill %d, file %d: at least %d, at most %d (in flight); seed %d", kill, i,
                        atLeast, inFlight, seed).isBetween(atLeast, inFlight);
                onDisk[i] = generation;
                if (i > 0 && seen != generation) {
                    seen = -2;
                } else if (seen != -2) {
                    seen = generation;
                }
            }
            if (seen == -2) {
                mixed++;
            }
            next = inFlight + 1;
            AtomicFiles.sweepStaleTempFiles(folder, Duration.ZERO);
            try (Stream<Path> files = Files.list(folder)) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-"))
                        .collect(Collectors.toList())).as("kill %d: temp files after the sweep", kill).isEmpty();
            }
        }
        System.out.printf("WriteBatchCrashTest: %d kills (seed %d), %d batches committed, %d kills left files of"
                + " two generations%n", kills, seed, committed, mixed);
        assertThat(committed).as("batches committed between the kills").isPositive();
    }

    private static void awaitCommitAfter(Path commitLog, long reportedBefore, Duration patience) throws IOException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (lastReported(commitLog) <= reportedBefore && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** The generation each file held after the previous kill. */
    private final long[] onDisk = new long[FILES];

    private static long wholeGeneration(Path file, int i, int kill) throws IOException {
        String text = Files.readString(file);
        Matcher header = HEADER.matcher(text);
        assertThat(header.lookingAt()).as("kill %d, file %d: a header: %s", kill, i,
                text.substring(0, Math.min(60, text.length()))).isTrue();
        long generation = Long.parseLong(header.group(1));
        assertThat(Integer.parseInt(header.group(2))).isEqualTo(i);
        assertThat(text).as("kill %d, file %d: whole generation %d", kill, i, generation)
                .isEqualTo(BatchCrashMain.content(generation, i));
        return generation;
    }

    private static long lastReported(Path commitLog) throws IOException {
        if (!Files.exists(commitLog)) {
            return -1;
        }
        List<String> lines = Files.readAllLines(commitLog);
        for (int n = lines.size() - 1; n >= 0; n--) {
            if (!lines.get(n).isBlank()) {
                return Long.parseLong(lines.get(n).trim());
            }
        }
        return -1;
    }
}
