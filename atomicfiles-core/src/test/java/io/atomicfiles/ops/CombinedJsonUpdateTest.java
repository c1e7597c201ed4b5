package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AuditEntry;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code atomicJsonUpdate} callers queued on one file in one JVM are combined (issue 11, W4):
 * no update is lost, every caller gets the document its own function produced, a function that
 * throws fails its own caller alone, and queued callers share one write.
 */
class CombinedJsonUpdateTest {
    private static final int THREADS = 8;
    private static final int INCREMENTS = 100;

    @TempDir
    Path dir;

    private final WriteOptions options = WriteOptions.builder().showProgress(false).lockTimeout(Duration.ofMinutes(4))
            .build();

    @Test
    void eightThreadsIncrementExactlyAndEachGetsItsOwnDocument() throws Exception {
        Path counter = dir.resolve("counter.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        runThreads(THREADS, t -> {
            for (int i = 0; i < INCREMENTS; i++) {
                Map<String, Object> mine = ops.atomicJsonUpdate(counter, data -> {
                    data.merge("counter", 1, (a, b) -> ((Number) a).intValue() + 1);
                    return data;
                });
                assertThat(seen.add(((Number) mine.get("counter")).intValue()))
                        .as("two callers were given the same document").isTrue();
            }
        });
        assertThat(Codecs.readMap(counter, DataFormat.JSON)).containsEntry("counter", THREADS * INCREMENTS);
        // Each caller got the document its own function produced: every count from 1 to the end, once.
        assertThat(seen).containsExactlyInAnyOrderElementsOf(
                IntStream.rangeClosed(1, THREADS * INCREMENTS).boxed().collect(Collectors.toList()));
    }

    @Test
    void aThrowingFunctionFailsAloneAndItsChangeIsNotApplied() throws Exception {
        Path file = dir.resolve("doc.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        AtomicInteger succeeded = new AtomicInteger();
        AtomicInteger failedAsThrown = new AtomicInteger();
        runThreads(THREADS, t -> {
            for (int i = 0; i < INCREMENTS; i++) {
                boolean poison = (t * INCREMENTS + i) % 5 == 0;
                IllegalStateException mine = new IllegalStateException("poison " + t + "/" + i);
                try {
                    ops.atomicJsonUpdate(file, data -> {
                        data.merge("counter", 1, (a, b) -> ((Number) a).intValue() + 1);
                        data.put("last", t + "/");
                        if (poison) {
                            // Changed the document, then threw: none of it may be written.
                            data.put("poisoned", true);
                            throw mine;
                        }
                        return data;
                    });
                    assertThat(poison).isFalse();
                    succeeded.incrementAndGet();
                } catch (IllegalStateException e) {
                    assertThat(e).as("the caller gets its own function's exception").isSameAs(mine);
                    failedAsThrown.incrementAndGet();
                }
            }
        });
        Map<String, Object> result = Codecs.readMap(file, DataFormat.JSON);
        assertThat(result).containsEntry("counter", succeeded.get()).doesNotContainKey("poisoned");
        assertThat(failedAsThrown.get()).isEqualTo(THREADS * INCREMENTS / 5);
    }

    /**
     * Deterministic combining: while one caller's function holds the lock, seven more callers
     * queue; they are then served by one write, which each caller's audit record shows (seven
     * records with the same SHA-256, each with the document its function produced).
     */
    @Test
    void callersQueuedBehindTheLockShareOneWrite() throws Exception {
        Path file = dir.resolve("shared.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            Future<Map<String, Object>> first = firstCallerHolding(pool, ops, file, release, "first");
            List<Thread> waiting = Collections.synchronizedList(new ArrayList<>());
            List<Future<Map<String, Object>>> queued = new ArrayList<>();
            for (int i = 0; i < THREADS - 1; i++) {
                String name = "caller-" + i;
                queued.add(pool.submit(() -> {
                    waiting.add(Thread.currentThread());
                    return ops.atomicJsonUpdate(file, data -> {
                        data.put(name, true);
                        return data;
                    });
                }));
            }
            // Every queued caller is parked behind the first one (no clock: their thread states).
            while (waiting.size() < THREADS - 1 || !waiting.stream().allMatch(
                    th -> th.getState() == Thread.State.WAITING || th.getState() == Thread.State.TIMED_WAITING)) {
                Thread.onSpinWait();
            }
            release.countDown();
            assertThat(first.get()).containsOnlyKeys("first");
            for (int i = 0; i < queued.size(); i++) {
                assertThat(queued.get(i).get()).as("caller %d sees the changes before its own", i)
                        .containsKeys("first", "caller-" + i);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Codecs.readMap(file, DataFormat.JSON)).hasSize(THREADS);
        List<String> writes = ops.auditTrail().entries().stream()
                .filter(e -> AuditEntry.COMPLETED.equals(e.status()) && "json_update".equals(e.operation()))
                .map(AuditEntry::sha256).collect(Collectors.toList());
        assertThat(writes).hasSize(THREADS);
        assertThat(Set.copyOf(writes)).as("one write for the first caller, one for the seven queued").hasSize(2);
    }

    /**
     * A function that throws an {@link Error} (an {@code assert}, a {@link StackOverflowError} of
     * a recursive function) or a checked exception thrown sneakily (Lombok's {@code @SneakyThrows})
     * fails its own caller alone, as it would one by one: the caller combined with it in one group
     * gets its document written. Both are queued behind a first caller, so they share one group.
     */
    @Test
    void aFunctionThrowingAnErrorOrACheckedExceptionFailsItsOwnCallerAlone() throws Exception {
        for (Throwable thrown : List.of(new AssertionError("poison"), new Exception("sneaky checked"))) {
            Path file = dir.resolve("error-" + thrown.getClass().getSimpleName() + ".json");
            AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                Future<Map<String, Object>> first = firstCallerHolding(pool, ops, file, release, "first");
                List<Thread> waiting = Collections.synchronizedList(new ArrayList<>());
                Future<Map<String, Object>> poisoned = pool.submit(() -> {
                    waiting.add(Thread.currentThread());
                    return ops.atomicJsonUpdate(file, data -> {
                        data.put("poisoned", true);
                        throw CombinedJsonUpdateTest.<RuntimeException>sneaky(thrown);
                    });
                });
                Future<Map<String, Object>> healthy = pool.submit(() -> {
                    waiting.add(Thread.currentThread());
                    return ops.atomicJsonUpdate(file, data -> {
                        data.put("healthy", true);
                        return data;
                    });
                });
                while (waiting.size() < 2 || !waiting.stream().allMatch(
                        th -> th.getState() == Thread.State.WAITING || th.getState() == Thread.State.TIMED_WAITING)) {
                    Thread.onSpinWait();
                }
                release.countDown();
                assertThat(first.get()).containsOnlyKeys("first");
                try {
                    poisoned.get();
                    throw new AssertionError("the poisoned update returned");
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).as("the caller gets its own function's throwable").isSameAs(thrown);
                }
                assertThat(healthy.get()).as("%s: the other caller of the group is served",
                        thrown.getClass().getSimpleName()).containsOnlyKeys("first", "healthy");
            } finally {
                pool.shutdownNow();
            }
            assertThat(Codecs.readMap(file, DataFormat.JSON)).as("%s", thrown.getClass().getSimpleName())
                    .containsOnlyKeys("first", "healthy");
        }
    }

    /**
     * Combined, each function must get what it would get one by one: the document as read back
     * from the file. A caller that puts a set (any Jackson-serialisable value may go in) is
     * followed in its group by one that adds to it and then throws: that change must not be
     * written, and the first caller's document must not change after its function returned.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aFunctionThatThrowsChangesNothingEvenInAValueTheCallerBeforeItPut() throws Exception {
        Path file = dir.resolve("shared-set.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        List<java.util.concurrent.Callable<Map<String, Object>>> queued = List.of(
                () -> ops.atomicJsonUpdate(file, data -> {
                    data.put("members", new java.util.LinkedHashSet<>(List.of("a")));
                    return data;
                }),
                () -> ops.atomicJsonUpdate(file, data -> {
                    ((java.util.Collection<Object>) data.get("members")).add("poison");
                    throw new IllegalStateException("changed, then threw");
                }));
        List<Future<Map<String, Object>>> results = behindAHeldFirstCaller(ops, file, queued);
        Map<String, Object> first = results.get(0).get();
        assertThatExceptionOf(results.get(1)).isInstanceOf(IllegalStateException.class);
        assertThat((java.util.Collection<Object>) first.get("members")).as("the first caller's document")
                .containsExactly("a");
        assertThat((List<Object>) Codecs.readMap(file, DataFormat.JSON).get("members")).as("written")
                .containsExactly("a");
    }

    /**
     * The same for a function that reads what the caller before it put, in the shape the file
     * gives it (a set comes back as a list, an object as a map): combined, it must not fail
     * where it would succeed one by one.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aFunctionSeesWhatTheCallerBeforeItPutAsTheFileWouldGiveIt() throws Exception {
        Path file = dir.resolve("shapes.json");
        AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), options);
        List<java.util.concurrent.Callable<Map<String, Object>>> queued = List.of(
                () -> ops.atomicJsonUpdate(file, data -> {
                    data.put("members", new java.util.TreeSet<>(List.of("a")));
                    data.put("owner", new Owner("ann", 7));
                    return data;
                }),
                () -> ops.atomicJsonUpdate(file, data -> {
                    ((List<Object>) data.get("members")).add("b");
                    Map<String, Object> owner = (Map<String, Object>) data.get("owner");
                    owner.put("level", ((Number) owner.get("level")).intValue() + 1);
                    return data;
                }));
        List<Future<Map<String, Object>>> results = behindAHeldFirstCaller(ops, file, queued);
        results.get(0).get();
        results.get(1).get();
        Map<String, Object> written = Codecs.readMap(file, DataFormat.JSON);
        assertThat((List<Object>) written.get("members")).containsExactly("a", "b");
        assertThat((Map<String, Object>) written.get("owner")).containsEntry("level", 8);
    }

    /** A value a function may put: Jackson writes it as an object, and the file gives it back as a map. */
    public record Owner(String name, int level) {
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertThatExceptionOf(
            Future<Map<String, Object>> result) {
        try {
            result.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return assertThat(e.getCause());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("the update returned");
    }

    /**
     * Runs {@code queued} one after another into the queue of {@code file} while a first caller's
     * function holds the file (no clock: each is parked before the next starts), then lets the
     * first go: the queued callers are served together, in this order, as one group.
     */
    private static List<Future<Map<String, Object>>> behindAHeldFirstCaller(AtomicFileOperations ops, Path file,
            List<java.util.concurrent.Callable<Map<String, Object>>> queued) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(queued.size() + 1);
        try {
            Future<Map<String, Object>> first = firstCallerHolding(pool, ops, file, release, null);
            List<Future<Map<String, Object>>> results = new ArrayList<>();
            for (java.util.concurrent.Callable<Map<String, Object>> caller : queued) {
                Thread[] thread = new Thread[1];
                CountDownLatch started = new CountDownLatch(1);
                results.add(pool.submit(() -> {
                    thread[0] = Thread.currentThread();
                    started.countDown();
                    return caller.call();
                }));
                started.await();
                while (thread[0].getState() != Thread.State.WAITING && thread[0].getState() != Thread.State.TIMED_WAITING) {
                    Thread.onSpinWait();
                }
            }
            release.countDown();
            first.get();
            for (Future<Map<String, Object>> result : results) {
                try {
                    result.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    // Asserted by the caller.
                }
            }
            return results;
        } finally {
            pool.shutdown();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * Submits to {@code pool} a first caller of {@code file} whose function holds the file until
     * {@code release} (putting {@code mark: true} in the document when a mark is given), and
     * returns once its function runs, so that callers submitted now queue behind it.
     */
    private static Future<Map<String, Object>> firstCallerHolding(ExecutorService pool, AtomicFileOperations ops,
            Path file, CountDownLatch release, String mark) throws InterruptedException {
        CountDownLatch inFirst = new CountDownLatch(1);
        Future<Map<String, Object>> first = pool.submit(() -> ops.atomicJsonUpdate(file, data -> {
            inFirst.countDown();
            await(release);
            if (mark != null) {
                data.put(mark, true);
            }
            return data;
        }));
        inFirst.await();
        return first;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @FunctionalInterface
    private interface Body {
        void run(int thread) throws Exception;
    }

    private static void runThreads(int threads, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    body.run(thread);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
