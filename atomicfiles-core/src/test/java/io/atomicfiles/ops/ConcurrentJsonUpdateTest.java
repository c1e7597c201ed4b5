package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.Durability;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Read-modify-write through {@code atomicJsonUpdate} loses no update, across threads and processes. */
class ConcurrentJsonUpdateTest {
    private static final int THREADS = 4;
    private static final int INCREMENTS = 250;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void fourThreadsInTwoProcessesIncrementToExactly2000() throws Exception {
        Path counter = dir.resolve("counter.json");
        try (ChildJvm child = ChildJvm.builder(CounterChild.class).quickStart()
                .args(counter.toString(), String.valueOf(THREADS), String.valueOf(INCREMENTS)).start()) {
            assertThat(child.readLine(READY_TIMEOUT)).as("child: %s", child.stderr()).isEqualTo("ready");
            child.go();
            increment(counter, THREADS, INCREMENTS);
            assertThat(child.awaitExit(Duration.ofMinutes(5))).as("child exit code").isZero();
        }
        Map<String, Object> result = Codecs.readMap(counter, DataFormat.JSON);
        assertThat(result).containsEntry("counter", 2 * THREADS * INCREMENTS);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("counter.json",
                    ".atomicfiles.lock");
        }
    }

    /** {@code threads} threads, each adding 1 to {@code counter} {@code increments} times. */
    static void increment(Path counter, int threads, int increments) throws Exception {
        // Durability and backups do not change the locking under test; without them the test is quicker.
        WriteOptions options = WriteOptions.builder().durability(Durability.NONE).backup(false).showProgress(false)
                .lockTimeout(Duration.ofMinutes(4)).build();
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < increments; i++) {
                        ops.atomicJsonUpdate(counter, data -> {
                            int now = ((Number) data.getOrDefault("counter", 0)).intValue();
                            data.put("counter", now + 1);
                            return data;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        if (ops.auditTrail().summary().successful() != threads * increments) {
            throw new IOException("expected " + threads * increments + " completed updates in the audit, got "
                    + ops.auditTrail().summary());
        }
    }
}
