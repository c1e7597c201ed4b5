package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.LockTimeoutException;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.internal.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Combined updates (issue 11, W4) keep the promise of updates made one by one where one caller's
 * trouble could reach the others of its group: a document that cannot be written, an interrupt,
 * updates that wait on each other's files, a compare-and-swap, the types a function sees. Each
 * test queues callers behind a first caller whose function is held, so that they form one group.
 */
class CombinedUpdateIsolationTest {
    @TempDir
    Path dir;

    private final WriteOptions options = WriteOptions.builder().showProgress(false).lockTimeout(Duration.ofSeconds(20))
            .build();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        pool.shutdownNow();
    }

    /** A value Jackson cannot write: its getter throws. */
    public static final class Unwritable {
        public String getValue() {
            throw new IllegalStateException("cannot be written");
        }
    }

    @Test
    void theLastCallersDocumentThatCannotBeWrittenFailsThatCallerAlone() throws Exception {
        Path file = dir.resolve("doc.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        List<Future<Map<String, Object>>> queued = behindAHeldCaller(ops, file, null,
                putting(ops, file, "healthy"),
                () -> ops.atomicJsonUpdate(file, data -> {
                    data.put("bad", new Unwritable());
                    return data;
                }));
        assertThat(failureOf(queued.get(0))).as("the healthy caller").isNull();
        assertThat(failureOf(queued.get(1))).as("the caller whose document cannot be written").isNotNull()
                .hasStackTraceContaining("cannot be written");
        assertThat(Codecs.readMap(file, DataFormat.JSON)).containsEntry("healthy", true).doesNotContainKey("bad");
    }

    @Test
    void anInterruptedCallerFailsAloneAndTheOthersOfItsGroupAreWritten() throws Exception {
        Path file = dir.resolve("doc.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        List<Future<Map<String, Object>>> queued = behindAHeldCaller(ops, file, 0,
                putting(ops, file, "interrupted"),
                putting(ops, file, "innocent"));
        assertThat(failureOf(queued.get(0))).as("the interrupted caller").isNotNull()
                .hasRootCauseInstanceOf(InterruptedException.class);
        assertThat(failureOf(queued.get(1))).as("a caller that was never interrupted").isNull();
        assertThat(Codecs.readMap(file, DataFormat.JSON)).containsEntry("innocent", true)
                .doesNotContainKey("interrupted");
    }

    @Test
    void anInterruptOfEveryCallerWhileTheirGroupIsWrittenFailsNone() throws Exception {
        Path file = dir.resolve("doc.json");
        List<Thread> queuedCallers = new CopyOnWriteArrayList<>();
        // Called on the thread that writes, once the temp file's channel is open: every caller
        // queued behind the held one (the leader of their group among them) is interrupted now,
        // while their group is being written.
        ProgressListener interruptingEveryCaller = new ProgressListener() {
            @Override
            public void started(String task, long total) {
                queuedCallers.forEach(Thread::interrupt);
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(),
                options.toBuilder().showProgress(true).progressListener(interruptingEveryCaller).build());
        Map<String, Boolean> stillInterrupted = new ConcurrentHashMap<>();
        List<Callable<Map<String, Object>>> callers = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            callers.add(() -> {
                queuedCallers.add(Thread.currentThread());
                try {
                    return putting(ops, file, name).call();
                } finally {
                    stillInterrupted.put(name, Thread.interrupted());
                }
            });
        }
        @SuppressWarnings("unchecked")
        List<Future<Map<String, Object>>> queued = behindAHeldCaller(ops, file, null,
                callers.toArray(new Callable[0]));
        for (int i = 0; i < queued.size(); i++) {
            // The leader's interrupt used to close the group's channels: every caller failed.
            assertThat(failureOf(queued.get(i))).as("caller %d, interrupted while its group was written", i).isNull();
        }
        assertThat(Codecs.readMap(file, DataFormat.JSON)).containsEntry("a", true).containsEntry("b", true)
                .containsEntry("c", true);
        assertThat(stillInterrupted).as("each caller's interrupt is kept for it").containsOnlyKeys("a", "b", "c")
                .doesNotContainValue(false);
    }

    @Test
    void anUpdateMadeHoldingAnotherFilesLockRunsAloneOnItsOwnThread() throws Exception {
        Path file = dir.resolve("a.json");
        Path outerFile = dir.resolve("x.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        Map<String, Thread> ranOn = new ConcurrentHashMap<>();
        AtomicReference<Thread> holder = new AtomicReference<>();
        // From inside x.json's update (holding x.json's lock), an update of a.json, queued beside
        // two plain callers of a.json. Combined, either its function ran on another thread,
        // without x.json's lock, or it led the group and ran the others' functions holding
        // x.json's lock (an update of x.json from one of those re-entered it, and the outer
        // write then silently overwrote that update).
        Callable<Map<String, Object>> holdingAnotherLock = () -> ops.atomicJsonUpdate(outerFile, outer -> {
            holder.set(Thread.currentThread());
            try {
                ops.atomicJsonUpdate(file, recording("nested", ranOn));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            outer.put("outer", true);
            return outer;
        });
        List<Future<Map<String, Object>>> queued = behindAHeldCaller(ops, file, null, holdingAnotherLock,
                () -> ops.atomicJsonUpdate(file, recording("d", ranOn)),
                () -> ops.atomicJsonUpdate(file, recording("e", ranOn)));
        for (int i = 0; i < queued.size(); i++) {
            assertThat(failureOf(queued.get(i))).as("caller %d", i).isNull();
        }
        assertThat(Codecs.readMap(file, DataFormat.JSON)).containsKeys("nested", "d", "e");
        assertThat(Codecs.readMap(outerFile, DataFormat.JSON)).containsEntry("outer", true);
        assertThat(ranOn.get("nested")).as("the nested update's function ran on its caller's thread")
                .isSameAs(holder.get());
        assertThat(List.of(ranOn.get("d"), ranOn.get("e"))).as("the others' functions ran on threads holding no lock of x.json")
                .doesNotContain(holder.get());
    }

    private static UnaryOperator<Map<String, Object>> recording(String key, Map<String, Thread> ranOn) {
        return data -> {
            ranOn.put(key, Thread.currentThread());
            data.put(key, true);
            return data;
        };
    }

    @Test
    void updatesOfEachOthersFilesFromInsideFunctionsGiveUpAfterTheLockTimeout() throws Exception {
        Path x = dir.resolve("x.json");
        Path y = dir.resolve("y.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(),
                options.toBuilder().lockTimeout(Duration.ofSeconds(2)).build());
        CountDownLatch bothIn = new CountDownLatch(2);
        Future<Map<String, Object>> onX = pool.submit(() -> ops.atomicJsonUpdate(x, data -> {
            updateOther(ops, y, bothIn);
            return data;
        }));
        Future<Map<String, Object>> onY = pool.submit(() -> ops.atomicJsonUpdate(y, data -> {
            updateOther(ops, x, bothIn);
            return data;
        }));
        // One by one, each would wait for the other's lock at most its lock timeout (2 s). The
        // one that gives up first lets go of its own file, so the other may then succeed (null).
        Throwable xFailure = failureOf(onX);
        Throwable yFailure = failureOf(onY);
        assertThat(xFailure instanceof TimeoutException).as("x's caller still waiting 30 s after start: %s", xFailure)
                .isFalse();
        assertThat(yFailure instanceof TimeoutException).as("y's caller still waiting 30 s after start: %s", yFailure)
                .isFalse();
        assertThat(List.of(String.valueOf(xFailure), String.valueOf(yFailure)))
                .as("at least one gave up on the other's file").anyMatch(s -> s.contains(LockTimeoutException.class.getName()));
    }

    private static void updateOther(AtomicFileOperations ops, Path other, CountDownLatch bothIn) {
        bothIn.countDown();
        try {
            bothIn.await();
            ops.atomicJsonUpdate(other, d -> d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anUpdateFromInsideAFunctionThroughOtherOptionsTakesTheFilesLockAgain() throws Exception {
        Path file = dir.resolve("doc.json");
        AtomicFileOperations first = new AtomicFileOperations(AuditTrail.inMemory(), options);
        AtomicFileOperations second = new AtomicFileOperations(AuditTrail.inMemory(),
                options.toBuilder().backup(false).build());
        CountDownLatch otherWaits = new CountDownLatch(1);
        AtomicReference<Thread> other = new AtomicReference<>();
        Future<Map<String, Object>> outer = pool.submit(() -> first.atomicJsonUpdate(file, data -> {
            try {
                // Another caller of the second options leads their queue and waits for this lock.
                other.set(Thread.currentThread());
                otherWaits.await();
                second.atomicJsonUpdate(file, d -> {
                    d.put("inner", true);
                    return d;
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            data.put("outer", true);
            return data;
        }));
        while (other.get() == null) {
            Thread.onSpinWait();
        }
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        Future<Map<String, Object>> queued = pool.submit(() -> {
            waiter.set(Thread.currentThread());
            started.countDown();
            return second.atomicJsonUpdate(file, d -> {
                d.put("queued", true);
                return d;
            });
        });
        started.await();
        awaitWaiting(waiter.get());
        otherWaits.countDown();
        assertThat(failureOf(outer)).as("the outer caller").isNull();
        assertThat(failureOf(queued)).as("the caller that waited for the file's lock").isNull();
        assertThat(Codecs.readMap(file, DataFormat.JSON)).containsEntry("outer", true).containsEntry("queued", true);
    }

    @Test
    void compareAndSwapUpdatesAreNotCombined() throws Exception {
        Path file = dir.resolve("doc.json");
        Files.writeString(file, "{\"v\":0}");
        String current = Hashing.sha256Hex(Files.readAllBytes(file));
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(),
                options.toBuilder().expectedChecksum(current).build());
        List<Future<Map<String, Object>>> queued = behindAHeldCaller(ops, file, null,
                putting(ops, file, "one"),
                putting(ops, file, "two"));
        List<Throwable> failures = failuresOf(queued);
        assertThat(failures).as("both expected checksum %s; one changed the file first", current).hasSize(1);
        assertThat(failures.get(0)).isInstanceOf(IntegrityException.class);
        Map<String, Object> written = Codecs.readMap(file, DataFormat.JSON);
        assertThat(written).containsKey("v");
        assertThat(written.containsKey("one") != written.containsKey("two")).as("exactly one change in %s", written)
                .isTrue();
    }

    @Test
    void onlyOneOfTheUpdatesThatMustCreateTheFileCreatesIt() throws Exception {
        Path file = dir.resolve("new.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(),
                options.toBuilder().createNew(true).build());
        List<Future<Map<String, Object>>> queued = behindAHeldCaller(ops, file, null,
                putting(ops, file, "one"),
                putting(ops, file, "two"));
        List<Throwable> failures = failuresOf(queued);
        assertThat(failures).as("updates not told they created %s", file).hasSize(1);
        assertThat(failures.get(0)).isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void theNextFunctionSeesTheTypesTheFileGivesBack() throws Exception {
        Path file = dir.resolve("doc.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        AtomicReference<String> seen = new AtomicReference<>();
        List<Future<Map<String, Object>>> queued = behindAHeldCaller(ops, file, null,
                () -> ops.atomicJsonUpdate(file, data -> {
                    data.put("count", 0L);
                    data.put("ratio", 1.5f);
                    data.put("blob", new byte[] {1, 2, 3});
                    return data;
                }),
                () -> ops.atomicJsonUpdate(file, data -> {
                    seen.set(typesOf(data));
                    return data;
                }));
        assertThat(failureOf(queued.get(0))).isNull();
        assertThat(failureOf(queued.get(1))).isNull();
        assertThat(seen.get()).as("what the second function of the group saw")
                .isEqualTo(typesOf(Codecs.readMap(file, DataFormat.JSON))).isEqualTo("Integer,Double,String");
    }

    private static String typesOf(Map<String, Object> data) {
        return data.get("count").getClass().getSimpleName() + "," + data.get("ratio").getClass().getSimpleName()
                + "," + data.get("blob").getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ helpers

    /** A caller whose update sets {@code key} to true. */
    private static Callable<Map<String, Object>> putting(AtomicFileOperations ops, Path file, String key) {
        return () -> ops.atomicJsonUpdate(file, data -> {
            data.put(key, true);
            return data;
        });
    }

    /** The failures of {@code callers}, in order, their successes left out. */
    private static List<Throwable> failuresOf(List<Future<Map<String, Object>>> callers) throws InterruptedException {
        List<Throwable> failures = new ArrayList<>();
        for (Future<Map<String, Object>> caller : callers) {
            Throwable failure = failureOf(caller);
            if (failure != null) {
                failures.add(failure);
            }
        }
        return failures;
    }

    /**
     * Runs {@code callers}, each on its own thread, while a first caller's function (which writes
     * nothing: it throws) holds its group, so that they queue as one group behind it; interrupts
     * the thread of caller {@code interrupt} (when not null) while it waits; then lets the first
     * caller go and waits for everyone.
     */
    @SafeVarargs
    private List<Future<Map<String, Object>>> behindAHeldCaller(AtomicFileOperations ops, Path file,
            Integer interrupt, Callable<Map<String, Object>>... callers) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        Future<Map<String, Object>> first = pool.submit(() -> ops.atomicJsonUpdate(file, data -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the first caller writes nothing");
        }));
        held.await();
        List<Thread> threads = new ArrayList<>();
        List<Future<Map<String, Object>>> results = new ArrayList<>();
        for (Callable<Map<String, Object>> caller : callers) {
            AtomicReference<Thread> thread = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            results.add(pool.submit(() -> {
                thread.set(Thread.currentThread());
                started.countDown();
                return caller.call();
            }));
            started.await();
            awaitWaiting(thread.get());
            threads.add(thread.get());
        }
        if (interrupt != null) {
            threads.get(interrupt).interrupt();
            failureOf(results.get(interrupt));
        }
        release.countDown();
        assertThat(failureOf(first)).hasMessageContaining("writes nothing");
        return results;
    }

    private static void awaitWaiting(Thread thread) {
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
    }

    /** The caller's failure, null for a success, or a {@link TimeoutException} when it is still running after 30 s. */
    private static Throwable failureOf(Future<Map<String, Object>> caller) throws InterruptedException {
        try {
            caller.get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return e;
        }
    }
}
