package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The combiner's leader and gathering steps, with a fake group runner that records each group
 * (no file, no clock: the gathering bound is fixed at an hour, so only the early stop can end it).
 */
class CombinedUpdatesTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    /** Records the groups it runs; the first one waits for {@code release}. */
    private static final Path FILE = Path.of("file");
    private static final Duration WAIT = Duration.ofMinutes(1);

    private static final class Runner implements CombinedUpdates.GroupRunner {
        final List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch inFirst = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void run(List<CombinedUpdates.Request> group) throws IOException {
            boolean first = groups.isEmpty();
            List<String> names = new ArrayList<>();
            for (CombinedUpdates.Request r : group) {
                names.add((String) r.function().apply(new LinkedHashMap<>()).get("name"));
            }
            groups.add(names);
            if (first) {
                inFirst.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            for (CombinedUpdates.Request r : group) {
                r.succeeded(Map.of(), null);
            }
        }
    }

    @Test
    void aCallerTakenByAGatheringLeaderIsNotToldItFailedWhenItsUpdateIsApplied() throws Exception {
        CombinedUpdates<String> combined = new CombinedUpdates<>(TimeUnit.SECONDS.toNanos(30));
        List<String> applied = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondRunning = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        CombinedUpdates.GroupRunner runner = group -> {
            List<String> names = new ArrayList<>();
            for (CombinedUpdates.Request r : group) {
                names.add((String) r.function().apply(new LinkedHashMap<>()).get("name"));
            }
            applied.addAll(names);
            try {
                if (names.contains("a")) {
                    firstRunning.countDown();
                    releaseFirst.await();
                } else if (names.contains("c")) {
                    secondRunning.countDown();
                    releaseSecond.await();
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            for (CombinedUpdates.Request r : group) {
                r.succeeded(Map.of("name", "x"), null);
            }
        };
        Map<String, AtomicReference<Object>> outcomes = new ConcurrentHashMap<>();
        Map<String, Thread> threads = new ConcurrentHashMap<>();
        for (String name : List.of("a", "b", "c")) {
            outcomes.put(name, new AtomicReference<>());
            threads.put(name, new Thread(() -> {
                try {
                    combined.submit("file", doc -> {
                        doc.put("name", name);
                        return doc;
                    }, runner, FILE, Duration.ofMinutes(1));
                    outcomes.get(name).set("succeeded");
                } catch (Throwable e) {
                    outcomes.get(name).set(e);
                }
            }, name));
        }
        // a leads (group [a]) and blocks; b queues behind it.
        // (Review helper-38: c's interrupt used to withdraw an update the leader had already taken.)
        threads.get("a").start();
        assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
        threads.get("b").start();
        waitUntil(() -> parkedIn(threads.get("b"), "awaitTurn"));
        // a's group ends with b queued: expected = 2, so b leads and gathers.
        releaseFirst.countDown();
        threads.get("a").join();
        waitUntil(() -> parkedIn(threads.get("b"), "gather"));
        // c arrives while b gathers: b takes [b, c] and runs it; c still sits in awaitNanos.
        threads.get("c").start();
        assertThat(secondRunning.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(applied).containsExactly("a", "b", "c");
        // c is interrupted while its group, which applied its update, is being written.
        threads.get("c").interrupt();
        Thread.sleep(500);
        releaseSecond.countDown();
        threads.get("b").join(10_000);
        threads.get("c").join(10_000);
        Object c = outcomes.get("c").get();
        // c's update was applied and written with its group: c must not be told it failed.
        assertThat(c).isEqualTo("succeeded");
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            Thread.onSpinWait();
        }
    }

    /** Whether {@code thread} is parked inside {@code CombinedUpdates.<method>} (a queued caller, a gathering leader). */
    private static boolean parkedIn(Thread thread, String method) {
        Thread.State state = thread.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals(CombinedUpdates.class.getName()) && frame.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    private static CombinedUpdates.Served submit(CombinedUpdates<String> combined, Runner runner, String name)
            throws IOException {
        return combined.submit("file", doc -> {
            doc.put("name", name);
            return doc;
        }, runner, FILE, WAIT);
    }

    /**
     * A caller served by a group returns when that group's write is done, and the next leader
     * waits for it to come back: "a" is written alone while "b" and "c" queue; then "b" or "c"
     * leads and gathers until "a", back with its second update, is queued too: one group of
     * three, not "b, c" now and "a2" after another write. Then all three come back at once and
     * are served by one write.
     */
    @Test
    void theNextLeaderGathersTheCallersTheLastWriteReleased() throws Exception {
        CombinedUpdates<String> combined = new CombinedUpdates<>(HOUR);
        Runner runner = new Runner();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Thread> waiting = Collections.synchronizedList(new ArrayList<>());
        try {
            Future<?> a = pool.submit(() -> {
                submit(combined, runner, "a");
                // Back only once the next group has begun: its leader gathering (a timed wait),
                // or (without gathering) its write run already.
                while (runner.groups.size() < 2 && waiting.stream().noneMatch(th -> parkedIn(th, "gather"))) {
                    Thread.onSpinWait();
                }
                submit(combined, runner, "a2");
                return null;
            });
            runner.inFirst.await();
            List<Future<?>> others = new ArrayList<>();
            for (String name : List.of("b", "c")) {
                others.add(pool.submit(() -> {
                    waiting.add(Thread.currentThread());
                    submit(combined, runner, name);
                    return null;
                }));
            }
            // Both queued behind "a"'s write (no clock: their thread states).
            while (waiting.size() < 2 || !waiting.stream().allMatch(th -> parkedIn(th, "awaitTurn"))) {
                Thread.onSpinWait();
            }
            runner.release.countDown();
            a.get();
            for (Future<?> f : others) {
                f.get();
            }
            assertThat(runner.groups).hasSize(2);
            assertThat(runner.groups.get(0)).containsExactly("a");
            // "b" and "c" queued in either order (two pool threads, no clock between them); "a2"
            // only after the group had begun, so last.
            assertThat(runner.groups.get(1)).hasSize(3).endsWith("a2");
            assertThat(runner.groups.get(1).subList(0, 2)).containsExactlyInAnyOrder("b", "c");
            // All three come back: the queue (kept, since they were expected back) makes the
            // first of them gather the other two. A queue dropped when it fell empty would have
            // let the first lead alone: groups of 1, then 2.
            List<Future<?>> again = new ArrayList<>();
            for (String name : List.of("a3", "b2", "c2")) {
                again.add(pool.submit(() -> submit(combined, runner, name)));
            }
            for (Future<?> f : again) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(runner.groups).hasSize(3);
        assertThat(runner.groups.get(2)).containsExactlyInAnyOrder("a3", "b2", "c2");
    }

    /** One caller after the other: each alone, none waits to gather (the bound is an hour). */
    @Test
    void aLoneCallerNeverGathers() throws Exception {
        CombinedUpdates<String> combined = new CombinedUpdates<>(HOUR);
        Runner runner = new Runner();
        runner.release.countDown();
        for (int i = 0; i < 5; i++) {
            submit(combined, runner, "u" + i);
        }
        assertThat(runner.groups).containsExactly(List.of("u0"), List.of("u1"), List.of("u2"), List.of("u3"),
                List.of("u4"));
    }

    /** An update of the same key from inside a function of the running group runs alone, no deadlock. */
    @Test
    void anUpdateFromInsideAFunctionRunsAlone() throws Exception {
        CombinedUpdates<String> combined = new CombinedUpdates<>(HOUR);
        List<String> order = new ArrayList<>();
        CombinedUpdates.GroupRunner runner = group -> {
            for (CombinedUpdates.Request r : group) {
                Map<String, Object> doc = r.function().apply(new LinkedHashMap<>());
                order.add((String) doc.get("name"));
                r.succeeded(doc, null);
            }
        };
        CombinedUpdates.Served outer = combined.submit("file", doc -> {
            try {
                combined.submit("file", inner -> {
                    inner.put("name", "inner");
                    return inner;
                }, runner, FILE, WAIT);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            doc.put("name", "outer");
            return doc;
        }, runner, FILE, WAIT);
        assertThat(outer.document()).containsEntry("name", "outer");
        assertThat(order).containsExactly("inner", "outer");
    }
}
