package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.internal.PathLocks;
import io.atomicfiles.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes ({@link WriterChild}) committing transactions at the same time. Over shared files
 * they serialise: a reader that takes the files' locks (as any writer of the library does)
 * never sees the shared files hold markers of different transactions, nor a writer's own file
 * disagree with the shared files it wrote last; both writers finish. Over disjoint files they
 * simply both finish.
 */
class TwoProcessTransactionTest {
    private static final int TRANSACTIONS = 60;
    private static final List<String> SHARED = List.of("s1.txt", "s2.txt", "s3.txt", "s4.txt");

    @TempDir
    Path dir;
    @TempDir
    Path journals;

    /** Two writers with their files; the output lines of each after it finished. */
    private Map<String, List<String>> runWriters(Map<String, List<String>> filesOf,
            Consumer<Collection<ChildJvm>> whileRunning)
            throws Exception {
        Map<String, ChildJvm> children = new HashMap<>();
        try {
            for (Map.Entry<String, List<String>> writer : filesOf.entrySet()) {
                List<String> args = new ArrayList<>(List.of(dir.toString(), journals.toString(), writer.getKey(),
                        Integer.toString(TRANSACTIONS)));
                args.addAll(writer.getValue());
                ChildJvm child = ChildJvm.builder(WriterChild.class).quickStart().args(args.toArray(String[]::new))
                        .start();
                children.put(writer.getKey(), child);
                assertThat(child.awaitLine("ready", Duration.ofSeconds(60))).as(writer.getKey() + " started").isTrue();
            }
            for (ChildJvm child : children.values()) {
                child.go();
            }
            whileRunning.accept(children.values());
            Map<String, List<String>> lines = new HashMap<>();
            for (Map.Entry<String, ChildJvm> child : children.entrySet()) {
                // A bound, not a timing: a writer that waits this long for a lock is deadlocked.
                boolean finished = child.getValue().process().waitFor(180, TimeUnit.SECONDS);
                assertThat(finished).as(child.getKey() + " finished (no deadlock)").isTrue();
                assertThat(child.getValue().process().exitValue()).as(child.getKey() + " exit status; its errors: "
                        + child.getValue().stderr()).isZero();
                lines.put(child.getKey(), child.getValue().readRemainingLines());
            }
            return lines;
        } finally {
            children.values().forEach(ChildJvm::close);
        }
    }

    @Test
    void writersOfSharedFilesSerialiseAndNoReaderSeesTheirTransactionsMixed() throws Exception {
        for (String name : SHARED) {
            Files.writeString(dir.resolve(name), "init:0");
        }
        Files.writeString(dir.resolve("a.txt"), "init:0");
        Files.writeString(dir.resolve("b.txt"), "init:0");
        List<Path> all = new ArrayList<>();
        SHARED.forEach(n -> all.add(dir.resolve(n)));
        all.add(dir.resolve("a.txt"));
        all.add(dir.resolve("b.txt"));

        List<String> filesOfA = new ArrayList<>(SHARED);
        filesOfA.add("a.txt");
        List<String> filesOfB = new ArrayList<>(SHARED);
        filesOfB.add(0, "b.txt");
        Set<String> seen = new HashSet<>();
        int[] snapshots = new int[1];
        int[] switches = new int[1];
        String[] previous = {""};
        Map<String, Integer> lastGeneration = new HashMap<>();
        List<String> problems = new ArrayList<>();

        Map<String, List<String>> lines = runWriters(Map.of("A", filesOfA, "B", filesOfB), writers -> {
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (System.nanoTime() < end && writers.stream().anyMatch(ChildJvm::isAlive)) {
                    Map<String, String> snapshot = new HashMap<>();
                    List<PathLocks.Held> locks = PathLocks.acquireAll(all, Duration.ofSeconds(60));
                    try {
                        for (Path p : all) {
                            snapshot.put(p.getFileName().toString(), Files.readString(p));
                        }
                    } finally {
                        PathLocks.releaseAll(locks);
                    }
                    snapshots[0]++;
                    String problem = check(snapshot, lastGeneration);
                    if (problem != null) {
                        problems.add(problem);
                    }
                    String marker = snapshot.get("s1.txt");
                    if (!previous[0].isEmpty() && marker.charAt(0) != previous[0].charAt(0)) {
                        switches[0]++;
                    }
                    previous[0] = marker;
                    seen.add(marker);
                    LockSupport.parkNanos(500_000);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        System.out.printf("two writers of %d transactions each over shared files: %d consistent snapshots read"
                + " under the locks, %d distinct markers seen, the last writer changed %d times between"
                + " snapshots%n", TRANSACTIONS, snapshots[0], seen.size(), switches[0]);
        assertThat(problems).as("inconsistent snapshots").isEmpty();
        assertThat(snapshots[0]).isGreaterThan(0);
        String last = Files.readString(dir.resolve("s1.txt"));
        assertThat(last).isIn("A:" + TRANSACTIONS, "B:" + TRANSACTIONS);
        for (String name : SHARED) {
            assertThat(Files.readString(dir.resolve(name))).as(name).isEqualTo(last);
        }
        assertThat(Files.readString(dir.resolve("a.txt"))).isEqualTo("A:" + TRANSACTIONS);
        assertThat(Files.readString(dir.resolve("b.txt"))).isEqualTo("B:" + TRANSACTIONS);
        assertThat(TxFiles.hiddenLeftovers(dir)).isEmpty();
        assertThat(TxFiles.journals(journals)).isEmpty();
        assertThat(lines.get("A")).hasSize(2);
    }

    /**
     * What a consistent snapshot is: the shared files hold one marker, the marker of the last
     * transaction committed; that transaction's writer's own file holds the same marker; and no
     * writer's own file ever goes back to an older generation.
     */
    private static String check(Map<String, String> snapshot, Map<String, Integer> lastGeneration) {
        String marker = snapshot.get("s1.txt");
        for (String name : SHARED) {
            if (!snapshot.get(name).equals(marker)) {
                return "shared files mixed: " + snapshot;
            }
        }
        if (marker.startsWith("A:") && !snapshot.get("a.txt").equals(marker)
                || marker.startsWith("B:") && !snapshot.get("b.txt").equals(marker)
                || marker.equals("init:0") && !(snapshot.get("a.txt").equals(marker)
                        && snapshot.get("b.txt").equals(marker))) {
            return "a writer's own file disagrees with the shared files it wrote last: " + snapshot;
        }
        for (String own : List.of("a.txt", "b.txt")) {
            String content = snapshot.get(own);
            int generation = Integer.parseInt(content.substring(content.indexOf(':') + 1));
            Integer before = lastGeneration.put(own, generation);
            if (before != null && generation < before) {
                return own + " went back from generation " + before + " to " + generation;
            }
        }
        return null;
    }

    @Test
    void writersOfDisjointFilesBothFinish() throws Exception {
        Map<String, List<String>> lines = runWriters(Map.of("C", List.of("c1.txt", "c2.txt", "c3.txt"),
                "D", List.of("d1.txt", "d2.txt", "d3.txt")), writers -> { });
        for (String name : List.of("c1.txt", "c2.txt", "c3.txt")) {
            assertThat(Files.readString(dir.resolve(name))).isEqualTo("C:" + TRANSACTIONS);
        }
        for (String name : List.of("d1.txt", "d2.txt", "d3.txt")) {
            assertThat(Files.readString(dir.resolve(name))).isEqualTo("D:" + TRANSACTIONS);
        }
        assertThat(TxFiles.journals(journals)).isEmpty();
        long[] c = times(lines.get("C"));
        long[] d = times(lines.get("D"));
        System.out.printf("two writers of disjoint files: C committed from %d to %d, D from %d to %d (ms);"
                + " they ran %s%n", 0, c[1] - c[0], d[0] - c[0], d[1] - c[0],
                c[0] < d[1] && d[0] < c[1] ? "side by side" : "one after the other");
    }

    private static long[] times(List<String> lines) {
        return new long[] {Long.parseLong(lines.get(0).substring(6)), Long.parseLong(lines.get(1).substring(5))};
    }
}
