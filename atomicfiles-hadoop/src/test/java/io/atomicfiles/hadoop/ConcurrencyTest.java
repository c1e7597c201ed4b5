package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.hadoop.testing.Child;
import io.atomicfiles.hadoop.testing.Clusters;
import io.atomicfiles.hadoop.testing.HostMain;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several client JVMs ("hosts") and threads on the same files. */
class ConcurrencyTest {
    private static Clusters clusters;
    private static FileSystem fs;
    private static ClusterFiles files;

    @BeforeAll
    static void start() throws Exception {
        clusters = Clusters.shared();
        fs = clusters.fileSystem();
        files = clusters.filesOn(fs);
        clusters.prepareHostArchive();
    }

    @AfterAll
    static void stop() throws Exception {
        Clusters.closeAll(files, clusters);
    }

    @Test
    void threeHostsTimesOneHundredIncrementsAreThreeHundred() throws Exception {
        Path counter = fs.makeQualified(new Path("/concurrency/counter.json"));
        List<Child> hosts = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                hosts.add(Child.start(HostMain.class, "increment", clusters.hdfsUri(), clusters.zooKeeperConnect(),
                        counter.toString(), "100"));
            }
            for (Child host : hosts) {
                assertThat(host.awaitLineStartingWith("ready", Duration.ofMinutes(3))).as(host.stderr()).isNotNull();
            }
            for (Child host : hosts) {
                host.go();
            }
            for (Child host : hosts) {
                assertThat(host.awaitLineStartingWith("done", Duration.ofMinutes(5))).as(host.stderr()).isNotNull();
                assertThat(host.awaitExit(Duration.ofMinutes(1))).as(host.stderr()).isZero();
            }
        } finally {
            hosts.forEach(Child::close);
        }
        assertThat((Map<?, ?>) Codecs.json().readValue(HdfsFiles.text(fs, counter), Map.class)).isEqualTo(Map.of("n", 300));
        assertThat(HdfsFiles.hiddenNames(fs, counter.getParent())).isEmpty();
    }

    @Test
    void createNewRaceBetweenTwoHostsHasExactlyOneWinner() throws Exception {
        Path prefix = fs.makeQualified(new Path("/concurrency/race/owner"));
        int rounds = 8;
        try (Child first = Child.start(HostMain.class, "create-new", clusters.hdfsUri(), "-", prefix.toString(), "A",
                Integer.toString(rounds));
                Child second = Child.start(HostMain.class, "create-new", clusters.hdfsUri(), "-", prefix.toString(),
                        "B", Integer.toString(rounds))) {
            for (Child host : List.of(first, second)) {
                assertThat(host.awaitLineStartingWith("ready", Duration.ofMinutes(3))).as(host.stderr()).isNotNull();
            }
            for (int r = 0; r < rounds; r++) {
                int round = r;
                first.go();
                second.go();
                String a = first.readLine(Duration.ofMinutes(1));
                String b = second.readLine(Duration.ofMinutes(1));
                if (a == null || b == null) {
                    // A host ended: wait for the rest of its standard error (its stack trace) for the message.
                    first.kill();
                    second.kill();
                }
                assertThat(Arrays.asList(a, b)).as("round %d: %s %s", round, first.stderr(), second.stderr())
                        .allMatch(line -> line != null && line.endsWith(" " + round));
                List<String> results = List.of(a.split(" ")[0], b.split(" ")[0]);
                String winner = HdfsFiles.text(fs, new Path(prefix + "-" + round));
                assertThat(results).as("round %d", round).containsExactlyInAnyOrder("won", "lost");
                assertThat(winner).isEqualTo(results.get(0).equals("won") ? "A" : "B");
            }
        }
        assertThat(HdfsFiles.hiddenNames(fs, prefix.getParent())).isEmpty();
    }

    @Test
    void readersConcurrentWithWritersNeverSeeAPartialFile() throws Exception {
        Path target = new Path("/concurrency/readers/data.bin");
        byte[][] versions = new byte[2][];
        for (int v = 0; v < 2; v++) {
            versions[v] = new byte[2 * 1024 * 1024 + 3];
            Arrays.fill(versions[v], (byte) ('a' + v));
        }
        WriteOptions options = WriteOptions.builder().backup(false).build();
        files.writeBytes(target, versions[0], options);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> readers = new ArrayList<>();
        try (FileSystem otherHost = clusters.newClient()) {
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    while (writing.get()) {
                        byte[] seen;
                        try (InputStream in = otherHost.open(target)) {
                            seen = in.readAllBytes();
                        } catch (FileNotFoundException e) {
                            throw new AssertionError("the file was absent for a moment", e);
                        } catch (IOException e) {
                            // The file was replaced while this stream read it and its blocks went:
                            // an error, never a partial file.
                            interrupted.incrementAndGet();
                            continue;
                        }
                        assertThat(Arrays.equals(seen, versions[0]) || Arrays.equals(seen, versions[1]))
                                .as("a reader saw %d bytes that are neither version", seen.length).isTrue();
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int i = 1; i <= 30; i++) {
                files.writeBytes(target, versions[i % 2], options);
            }
            writing.set(false);
            for (Future<?> reader : readers) {
                reader.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(reads.get()).isGreaterThan(5);
        System.out.println("readers: " + reads.get() + " whole reads, " + interrupted.get() + " interrupted by a replace");
    }
}
