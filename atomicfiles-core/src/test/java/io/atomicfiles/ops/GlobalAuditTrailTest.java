package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.AuditEntry;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryManager;
import io.atomicfiles.RetryPolicy;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a global trail set, each library operation leaves exactly one outcome record in it. */
class GlobalAuditTrailTest {
    @TempDir
    Path dir;

    private AuditTrail global;

    @BeforeEach
    void setGlobal() throws IOException {
        global = AuditTrail.setGlobal(dir.resolve("audit/global.audit"));
    }

    @AfterEach
    void clearGlobal() {
        AuditTrail.clearGlobal();
    }

    private Path p(String name) {
        return dir.resolve(name).toAbsolutePath();
    }

    /** A failure that the retry policy below treats as transient. */
    static final class Flaky extends IOException {
        Flaky() {
            super("flaky storage");
        }
    }

    @Test
    void everyKindOfOperationIsRecordedOnce() throws IOException {
        assertThat(AuditTrail.global()).containsSame(global);
        WriteOptions quiet = WriteOptions.builder().showProgress(false).build();

        try (AtomicWriter writer = AtomicWriter.open(p("direct.txt"), quiet)) {
            writer.writeText("committed");
            writer.commit();
        }
        try (AtomicWriter writer = AtomicWriter.open(p("abandoned.txt"), quiet)) {
            writer.writeText("never committed");
        }
        AtomicFiles.writeJson(p("one-shot.json"), Map.of("a", 1), quiet);
        assertThatThrownBy(() -> AtomicFiles.writeText(p("one-shot.json"), "x",
                quiet.toBuilder().createNew(true).build())).isInstanceOf(FileAlreadyExistsException.class);
        AtomicFiles.copy(p("one-shot.json"), p("copy.json"), quiet);
        AtomicFiles.move(p("copy.json"), p("moved.json"), quiet);
        AtomicFiles.rotate(p("moved.json"), 3);

        AtomicInteger attempts = new AtomicInteger();
        WriteOptions retrying = quiet.toBuilder().retryPolicy(RetryPolicy.builder().maxAttempts(3)
                .backoff(Duration.ZERO, Duration.ZERO).retryOn(Flaky.class).build()).build();
        AtomicFiles.write(p("retried.txt"), retrying, w -> {
            if (attempts.incrementAndGet() == 1) {
                throw new Flaky();
            }
            w.writeText("second attempt");
        });

        List<AuditEntry> entries = global.entries();
        assertThat(entries).extracting(AuditEntry::operation, e -> e.path().getFileName().toString(), AuditEntry::status)
                .containsExactly(
                        tuple("write", "direct.txt", "completed"),
                        tuple("write", "abandoned.txt", "failed"),
                        tuple("write", "one-shot.json", "completed"),
                        tuple("write", "one-shot.json", "failed"),
                        tuple("copy", "copy.json", "completed"),
                        tuple("move", "moved.json", "completed"),
                        tuple("rotate", "moved.json", "completed"),
                        tuple("write", "retried.txt", "retry"),
                        tuple("write", "retried.txt", "completed"));
        assertThat(entries.get(0).sha256()).isEqualTo(AtomicFiles.checksum(p("direct.txt")));
        assertThat(entries.get(0).bytes()).isEqualTo(9);
        assertThat(entries.get(1).error()).contains("closed without commit");
        assertThat(entries.get(3).error()).contains("one-shot.json");
        assertThat(entries.get(7).error()).isEqualTo("flaky storage");
        assertThat(entries).allSatisfy(e -> assertThat(e.sessionId()).isEqualTo(global.sessionId()));
        assertThat(global.verify().ok()).isTrue();
        assertThat(Files.readString(p("retried.txt"))).isEqualTo("second attempt");
    }

    @Test
    void operationsOfAnOpsObjectAreRecordedOnceEvenWhenItsTrailIsTheGlobalOne() throws IOException {
        AtomicFileOperations ops = new AtomicFileOperations(global, WriteOptions.builder().showProgress(false).build());
        ops.atomicJsonUpdate(p("settings.json"), m -> {
            m.put("x", 1);
            return m;
        });
        assertThat(global.entries()).extracting(AuditEntry::operation, AuditEntry::status)
                .containsExactly(tuple("json_update", "completed"));
    }

    @Test
    void combinedUpdatesAreRecordedOnceEachAndTheirGroupsWriteNotAtAll() throws Exception {
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(),
                WriteOptions.builder().showProgress(false).build());
        Path file = p("shared.json");
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            // A first caller holds the file's queue until three others wait behind it, so that
            // those three form one group, which runs on one of the library's threads.
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> first = pool.submit(() -> ops.atomicJsonUpdate(file, m -> {
                held.countDown();
                await(release);
                throw new IllegalStateException("the first caller writes nothing");
            }));
            held.await();
            List<Future<?>> group = new ArrayList<>();
            for (String key : List.of("a", "b", "c")) {
                CountDownLatch started = new CountDownLatch(1);
                AtomicReference<Thread> thread = new AtomicReference<>();
                group.add(pool.submit(() -> {
                    thread.set(Thread.currentThread());
                    started.countDown();
                    return ops.atomicJsonUpdate(file, m -> {
                        m.put(key, true);
                        return m;
                    });
                }));
                started.await();
                while (thread.get().getState() != Thread.State.WAITING
                        && thread.get().getState() != Thread.State.TIMED_WAITING) {
                    Thread.onSpinWait();
                }
            }
            release.countDown();
            assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS)).hasMessageContaining("writes nothing");
            for (Future<?> caller : group) {
                caller.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // One record per caller, from its own operation; the group's write, run on the library's
        // thread inside the leader's operation, adds no "write" record of its own.
        assertThat(global.entries()).extracting(AuditEntry::operation, AuditEntry::status)
                .containsExactlyInAnyOrder(tuple("json_update", "failed"), tuple("json_update", "completed"),
                        tuple("json_update", "completed"), tuple("json_update", "completed"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void anOpsObjectWithItsOwnTrailAlsoFeedsTheGlobalOne() throws IOException {
        AtomicFileOperations ops = new AtomicFileOperations(dir.resolve("own.audit"));
        ops.batchOperation("deploy", () -> {
            AtomicFiles.writeText(p("a.txt"), "a");
            ops.atomicYamlUpdate(p("b.yaml"), m -> {
                m.put("k", "v");
                return m;
            });
        });
        List<AuditEntry> all = global.entries();
        assertThat(all).extracting(AuditEntry::operation).containsExactly("batch_start_deploy", "write",
                "yaml_update", "batch_complete_deploy");
        String batchId = all.get(0).batchId();
        assertThat(batchId).startsWith("batch-");
        assertThat(all).allSatisfy(e -> assertThat(e.batchId()).isEqualTo(batchId));
        // The object's own trail has its own operations (not the plain write, which is not one of them).
        assertThat(ops.auditTrail().entries()).extracting(AuditEntry::operation)
                .containsExactly("batch_start_deploy", "yaml_update", "batch_complete_deploy");
    }

    @Test
    void recoveryStepsAreRecorded() throws IOException {
        Files.writeString(p("created.txt"), "new");
        RecoveryManager recovery = new RecoveryManager();
        recovery.addRecoveryPoint("create", p("created.txt"), null);
        assertThat(recovery.attemptRecovery(new IOException("boom"))).isTrue();
        assertThat(global.entries()).extracting(AuditEntry::operation, AuditEntry::status, AuditEntry::metadata)
                .containsExactly(tuple("recover", "completed", Map.of("undo", "create")));
    }

    @Test
    void rotatingTheGlobalAuditFileItselfKeepsItsChain() throws IOException {
        Path audit = global.file().orElseThrow();
        AtomicFiles.writeText(p("before.txt"), "x");
        AtomicFiles.rotate(audit, 5, true);
        AtomicFiles.writeText(p("after.txt"), "y");
        assertThat(AuditTrail.chainFiles(audit)).extracting(f -> f.getFileName().toString())
                .containsExactly("global.audit.1.gz", "global.audit");
        assertThat(global.verify().ok()).isTrue();
        assertThat(global.entries()).extracting(AuditEntry::operation, e -> e.path().getFileName().toString())
                .containsExactly(tuple("write", "before.txt"), tuple("rotate", "global.audit"),
                        tuple("write", "after.txt"));
        assertThat(Files.readString(audit)).contains("\"op\":\"rotate\"").doesNotContain("before.txt");
    }

    @Test
    void aTransactionsRecordsCarryItsId() throws IOException {
        try (FileTransaction tx = new FileTransaction()) {
            tx.addWrite(p("t1.json"), Map.of("a", 1), ContentType.JSON);
            tx.addWrite(p("t2.txt"), "two", ContentType.TEXT);
            tx.commit();
            List<AuditEntry> entries = global.entries();
            assertThat(entries).isNotEmpty().allSatisfy(e -> {
                assertThat(e.transactionId()).isEqualTo(tx.id());
                assertThat(e.metadata()).doesNotContainKey("transactionId");
            });
            assertThat(entries).extracting(e -> e.path().getFileName().toString()).contains("t1.json", "t2.txt");
        }
    }

    @Test
    void afterClearGlobalNothingIsRecorded() throws IOException {
        AuditTrail.clearGlobal();
        AtomicFiles.writeText(p("quiet.txt"), "x");
        assertThat(AuditTrail.global()).isEmpty();
        assertThat(global.entries()).isEmpty();
    }
}
