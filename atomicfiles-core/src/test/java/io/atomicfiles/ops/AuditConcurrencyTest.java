package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditEntry;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.AuditVerification;
import io.atomicfiles.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Appends from many threads in two processes leave whole lines and one unbroken chain, rotation or not. */
class AuditConcurrencyTest {
    private static final int THREADS = 4;
    private static final int RECORDS = 150;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void twoProcessesAppendingAtOnceLeaveOnlyWholeChainedLines() throws Exception {
        Path audit = dir.resolve("shared.audit");
        try (ChildJvm child = ChildJvm.builder(AuditAppenderChild.class).quickStart()
                .args(audit.toString(), String.valueOf(THREADS), String.valueOf(RECORDS)).start()) {
            assertThat(child.readLine(READY_TIMEOUT)).as("child: %s", child.stderr()).isEqualTo("ready");
            child.go();
            append(audit, "parent", THREADS, RECORDS);
            assertThat(child.awaitExit(Duration.ofMinutes(3))).as("child exit code").isZero();
        }
        String text = Files.readString(audit, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        List<String> lines = text.lines().collect(Collectors.toList());
        assertThat(lines).hasSize(1 + 2 * THREADS * RECORDS);
        assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("{\"ts\":").endsWith("\"}"));
        AuditTrail reader = new AuditTrail(audit);
        AuditVerification v = reader.verify();
        assertThat(v.ok()).as(v.toString()).isTrue();
        List<AuditEntry> entries = reader.entries();
        assertThat(entries).hasSize(2 * THREADS * RECORDS);
        assertThat(entries.stream().map(AuditEntry::pid).collect(Collectors.toSet())).hasSize(2);
        for (String who : List.of("parent", "child")) {
            for (int t = 0; t < THREADS; t++) {
                String thread = who + "-" + t;
                List<Object> sequence = entries.stream().filter(e -> thread.equals(e.metadata().get("thread")))
                        .map(e -> e.metadata().get("n")).collect(Collectors.toList());
                assertThat(sequence).as(thread).hasSize(RECORDS).isSortedAccordingTo(
                        (a, b) -> Integer.compare((Integer) a, (Integer) b));
            }
        }
    }

    @Test
    void rotatingWhileAnotherProcessAppendsKeepsTheChainAcrossFiles() throws Exception {
        Path audit = dir.resolve("rotating.audit");
        int rotations = 0;
        try (ChildJvm child = ChildJvm.builder(AuditAppenderChild.class).quickStart()
                .args(audit.toString(), "2", String.valueOf(RECORDS)).start()) {
            assertThat(child.readLine(READY_TIMEOUT)).as("child: %s", child.stderr()).isEqualTo("ready");
            child.go();
            while (!Files.exists(audit) && child.isAlive()) {
                Thread.sleep(1);
            }
            // Up to 30 rotations into at most 40 kept files: none is dropped, so all records stay checkable.
            while (rotations < 30 && child.isAlive()) {
                AtomicFiles.rotate(audit, 40, rotations % 3 == 0);
                rotations++;
                Thread.sleep(3);
            }
            assertThat(child.awaitExit(Duration.ofMinutes(3))).as("child exit code").isZero();
        }
        // At least one rotation moved a non-empty file away; this record begins the file after it.
        AuditTrail reader = new AuditTrail(audit);
        reader.logOperation("write", dir.resolve("last"), null, "completed", null);
        AuditVerification v = reader.verify();
        assertThat(v.ok()).as(v.toString()).isTrue();
        assertThat(reader.entries()).hasSize(2 * RECORDS + 1);
        assertThat(AuditTrail.chainFiles(audit).size()).as("files in the chain after %d rotations", rotations)
                .isGreaterThan(1);
    }

    /** {@code threads} threads of one session, each logging {@code records} numbered records. */
    static void append(Path audit, String who, int threads, int records) throws Exception {
        AuditTrail trail = new AuditTrail(audit);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String thread = who + "-" + t;
                done.add(pool.submit(() -> {
                    for (int n = 0; n < records; n++) {
                        trail.logOperation("write", Path.of("/data", thread, "file-" + n),
                                Map.of("thread", thread, "n", n, "padding", "x".repeat(n % 7 * 300)),
                                n % 5 == 0 ? "failed" : "completed", n % 5 == 0 ? "simulated" : null);
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
        Set<String> sessions = trail.entries().stream().map(AuditEntry::sessionId).collect(Collectors.toSet());
        if (!sessions.contains(trail.sessionId())) {
            throw new IllegalStateException("no record of this session found");
        }
    }
}
