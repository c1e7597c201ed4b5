package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.LockTimeoutException;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write updates of one file, queued by threads of this JVM, combined (issue 11, W4):
 * one caller at a time leads; it takes every update queued so far, and a {@link GroupRunner}
 * applies them in arrival order to one read of the file and writes the result once (one fsync
 * round for the whole group). Every caller returns only when its group's write has returned
 * (durable, with the options' durability), with the document its own function produced; a
 * function that throws fails its own caller alone, and its change is not applied.
 *
 * <p>Steps of one caller, each with what it prevents:
 * <ol>
 *   <li>Queue the update, in arrival order (the order the functions are applied in: the outcome
 *       is that of the same updates made one by one in that order).</li>
 *   <li>Wait while another caller leads. A caller whose update that leader served is woken when
 *       the group's write has returned and returns at once: it never waits behind the next
 *       group's write (docs/design.md says what that cost once). While its update is still
 *       queued (no leader took it yet), the caller waits as one by one it would wait for the
 *       file's lock: at most the lock timeout, then it withdraws its update and fails with a
 *       {@link LockTimeoutException}; an interrupt withdraws it at once. Without that bound, two
 *       functions that each update the other's file waited for each other forever (one by one,
 *       each gives up on the other's lock). An update a leader has taken is in its write and
 *       cannot be withdrawn; its caller waits for the write's outcome.</li>
 *   <li>Lead when nobody does. Before taking the queue, a leader may gather (the idea of
 *       PostgreSQL's {@code commit_delay} with {@code commit_siblings}): when the previous group
 *       had more than one caller, it waits until as many callers are queued as were active when
 *       that group ended (those it served, who are likely to come back, plus those left queued),
 *       but no longer than a quarter of the previous group's write. A lone caller never waits
 *       (its previous group was itself alone); a caller that does not come back costs one
 *       bounded wait, after which the expected count is what was seen. Without it, the callers a
 *       write released come back a moment after the next leader took the queue, and wait a
 *       whole write more.</li>
 *   <li>A caller interrupted just as its turn to lead comes withdraws its update and fails
 *       alone, as it would one by one; the next caller leads.</li>
 *   <li>Run the group outside the queue's lock, so that new callers queue meanwhile (a group of
 *       several callers on one of the library's threads, which no caller's interrupt reaches:
 *       {@link #runGroup}); then mark the callers it served and wake everyone: served callers
 *       return, one of the rest leads. A
 *       queue left empty is kept while its callers are expected back (at most
 *       {@value #MAX_IDLE_GROUPS}), so that the first of them back gathers the others instead
 *       of finding a new queue and leading alone.</li>
 * </ol>
 * Updates are combined only with updates of the same key (same file, format and options);
 * others on the same file serialise on the file's lock as before. The caller decides what may be
 * combined at all and runs the rest {@link #alone} (a compare-and-swap, say, whose expected
 * checksum only the first update of a group could match). A group object may be dropped
 * from the map while a caller still holds it: that caller then leads it alone, through the
 * file's lock, so nothing is lost, only not combined.
 *
 * @param <K> what makes updates combinable
 */
public final class CombinedUpdates<K> {
    /** Groups kept while nobody is queued, because callers are expected back (see {@link #submit}). */
    private static final int MAX_IDLE_GROUPS = 1024;
    /** A leader gathers for at most this fraction (1/n) of the previous group's write. */
    private static final int GATHER_FRACTION = 4;

    /** The gathering wait's bound when fixed (tests), else -1: a fraction of the previous write. */
    private final long fixedGatherNanos;

    /** No group yet: groups are made as updates of a file come in. */
    public CombinedUpdates() {
        this(-1);
    }

    /**
     * For tests: a gathering wait of at most {@code gatherNanos}, whatever the previous write
     * took (a test whose callers all come back then never loses the race to a fast fake write).
     */
    CombinedUpdates(long gatherNanos) {
        this.fixedGatherNanos = gatherNanos;
    }

    /** One caller's update and, once served, its outcome. */
    public static final class Request {
        private final UnaryOperator<Map<String, Object>> function;
        private Map<String, Object> result;
        private WriteResult written;
        private Throwable failure;
        private volatile boolean done;

        Request(UnaryOperator<Map<String, Object>> function) {
            this.function = function;
        }

        /** The caller's function. */
        public UnaryOperator<Map<String, Object>> function() {
            return function;
        }

        /** Served: the document this caller's function produced, written durably with its group by {@code write}. */
        public void succeeded(Map<String, Object> document, WriteResult write) {
            result = document;
            written = write;
            done = true;
        }

        /** Served: this caller fails with {@code e} (its own function's failure, or its group's write's). */
        public void failed(Throwable e) {
            failure = e;
            done = true;
        }

        /** Whether this request is served already (its function failed in an earlier attempt, say). */
        public boolean isDone() {
            return done;
        }
    }

    /**
     * Runs a group: reads the file once, calls {@link Request#succeeded} or {@link Request#failed}
     * for every request, in order, after writing the result. If it throws, every request it left
     * unserved fails with that exception.
     */
    @FunctionalInterface
    public interface GroupRunner {
        void run(List<Request> group) throws IOException;
    }

    /** The queue of one key. Every field is guarded by {@link #lock}, held only briefly (never during a write). */
    private static final class Group {
        final ReentrantLock lock = new ReentrantLock();
        /** Signalled when a group is over: served callers return, one of the others leads. */
        final Condition turn = lock.newCondition();
        /** Signalled when a caller queues: a gathering leader counts again. */
        final Condition arrived = lock.newCondition();
        final ArrayDeque<Request> pending = new ArrayDeque<>();
        /** The thread running the current group, or null. */
        volatile Thread leader;
        /** Callers active when the previous group ended: those it served plus those queued then. */
        int expected = 1;
        /** How long the previous group's run took. */
        long lastRunNanos;
    }

    private final ConcurrentHashMap<K, Group> groups = new ConcurrentHashMap<>();

    /** What a caller gets: the document its function produced, and the write that made it durable. */
    public record Served(Map<String, Object> document, WriteResult write) {
    }

    /**
     * Runs {@code function} in a group of its own, at once, on this thread: for an update that
     * must not be combined. ({@link #submit} runs an update alone too when its thread holds
     * some file's lock.)
     */
    public Served alone(UnaryOperator<Map<String, Object>> function, GroupRunner runner) throws IOException {
        Request request = new Request(function);
        runAlone(request, runner);
        return outcome(request);
    }

    /**
     * Queues {@code function} for {@code key} and returns when it is served.
     *
     * @param target the file, for the errors of step 2
     * @param timeout how long the update may stay queued (step 2): the lock timeout of the write
     * @return the document {@code function} produced, once its group is written
     * @throws LockTimeoutException when no leader took the update within {@code timeout}
     */
    public Served submit(K key, UnaryOperator<Map<String, Object>> function, GroupRunner runner, Path target,
            Duration timeout) throws IOException {
        Request request = new Request(function);
        Group group = groups.computeIfAbsent(key, k -> new Group());
        if (group.leader == Thread.currentThread() || PathLocks.currentThreadHoldsAny()) {
            // A caller that holds some file's lock: from inside another update's function, say.
            // Run alone, as one by one, on its own thread: an update of the same file from inside
            // a function of this caller's group cannot wait for its own group to end (the file's
            // lock is reentrant); queued, its function would run on another thread, without the
            // locks it holds (an update of such a file from it would wait for this caller), and
            // leading, it would run others' functions holding them (their update of such a file
            // would re-enter the lock, and the outer write would silently overwrite it).
            runAlone(request, runner);
            return outcome(request);
        }
        List<Request> batch;
        group.lock.lock();
        try {
            // Step 1.
            group.pending.add(request);
            group.arrived.signal();
            // Step 2.
            awaitTurn(group, request, target, timeout);
            if (request.isDone()) {
                return outcome(request);
            }
            // Step 3: this caller leads; its own update is still queued.
            if (Thread.currentThread().isInterrupted()) {
                group.pending.remove(request);
                group.turn.signalAll();
                if (group.pending.isEmpty()) {
                    // Nobody left to lead it: not kept as an idle group (a caller holding it leads it alone).
                    groups.remove(key, group);
                }
                throw interrupted(target, new InterruptedException("interrupted as its turn to lead came"));
            }
            group.leader = Thread.currentThread();
            gather(group);
            batch = new ArrayList<>(group.pending);
            group.pending.clear();
        } finally {
            group.lock.unlock();
        }
        // Step 4, outside the queue's lock. The group is every caller's: an interrupt this thread
        // had (one that came while it gathered) is put aside while the group runs, so that the
        // write's lock wait and its interruptible channels do not fail the others; it is kept
        // for this caller. One that comes while the group runs cannot reach it either (runGroup).
        boolean interrupted = Thread.interrupted();
        long start = System.nanoTime();
        try {
            interrupted |= runGroup(group, batch, runner);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            long took = System.nanoTime() - start;
            group.lock.lock();
            try {
                for (Request r : batch) {
                    if (!r.isDone()) {
                        // A runner that returned without a word about some request: never a silent success.
                        r.failed(new IllegalStateException("update left unserved by its group"));
                    }
                }
                group.lastRunNanos = took;
                group.expected = batch.size() + group.pending.size();
                group.leader = null;
                group.turn.signalAll();
                if (group.pending.isEmpty() && (group.expected <= 1 || groups.size() > MAX_IDLE_GROUPS)) {
                    // Nobody queued, and nobody expected back: forget the group (a caller holding
                    // it still leads it alone). A group whose callers are expected back is kept,
                    // with what it learnt: dropped, the first caller back would find a new group
                    // and lead alone, the others gather behind it, and groups would go 8, 1, 8, 1.
                    // At most MAX_IDLE_GROUPS are kept that way; one whose callers never come
                    // back is forgotten after its next caller's bounded wait.
                    groups.remove(key, group);
                }
            } finally {
                group.lock.unlock();
            }
        }
        return outcome(request);
    }

    /**
     * Step 4's run; every request of {@code batch} is served when this returns. A group of several
     * callers runs on one of the library's threads while the leader waits for it through
     * interrupts: the write fails on an interrupt of the thread it runs on (its lock wait; a
     * {@code FileChannel} is closed by one), and the leader's interrupt (a cancelled task, a pool
     * shut down) is one caller's, which must not fail the others. (It failed the whole group.)
     * The run carries the leader's audit context: its write reports nothing of its own inside the
     * leader's operation. A lone caller's group stays on its thread (an interrupt fails only
     * its caller, as one by one). (A leader never holds a file's lock: such a caller runs alone.)
     *
     * @return whether the leader was interrupted while it waited (kept for the leader's caller)
     */
    private static boolean runGroup(Group group, List<Request> batch, GroupRunner runner) {
        if (batch.size() == 1) {
            serve(batch, runner);
            return false;
        }
        Audited.Context context = Audited.context();
        CompletableFuture<Void> ran = new CompletableFuture<>();
        try {
            LibraryThreads.background().execute(() -> {
                try {
                    context.run(() -> {
                        // A function of the group that updates the same file again runs alone (submit).
                        group.leader = Thread.currentThread();
                        serve(batch, runner);
                    });
                } finally {
                    // Whatever happened (even an Error before serve), the leader waits no longer.
                    ran.complete(null);
                }
            });
        } catch (RejectedExecutionException | OutOfMemoryError noThread) {
            // No thread could be had for it ("unable to create native thread"; the pool is never
            // shut down): the task never began, so it runs here, on the leader's thread, as before.
            serve(batch, runner);
            return false;
        }
        // join() waits through interrupts and keeps the flag set; it is taken off here and given back by submit.
        ran.join();
        return Thread.interrupted();
    }

    /** Runs {@code batch}; a failure of the run fails every request it left unserved. */
    private static void serve(List<Request> batch, GroupRunner runner) {
        try {
            runner.run(batch);
        } catch (IOException | RuntimeException | Error e) {
            for (Request r : batch) {
                if (!r.isDone()) {
                    r.failed(e);
                }
            }
        }
    }

    /**
     * Step 2, holding the queue's lock (released while waiting): until this caller's update is
     * served or nobody leads. While the update is still queued, at most {@code timeout}, and an
     * interrupt ends the wait: either way the update is withdrawn (it was never applied) and the
     * caller fails, as it would waiting for the file's lock one by one. Once a leader took it,
     * the caller waits for its group's write, through interrupts (kept for the caller).
     */
    private static void awaitTurn(Group group, Request request, Path target, Duration timeout) throws IOException {
        long left = timeout.toNanos();
        while (group.leader != null && !request.isDone()) {
            if (!group.pending.contains(request)) {
                group.turn.awaitUninterruptibly();
            } else if (left <= 0) {
                group.pending.remove(request);
                throw new LockTimeoutException(target, timeout);
            } else {
                try {
                    left = group.turn.awaitNanos(left);
                } catch (InterruptedException e) {
                    if (!group.pending.remove(request)) {
                        // A leader took it meanwhile (a gathering leader's take signals nobody):
                        // it is in that group's write now, and its outcome is the caller's.
                        // Told "failed", the caller might make the change again.
                        Thread.currentThread().interrupt();
                        continue;
                    }
                    Thread.currentThread().interrupt();
                    throw interrupted(target, e);
                }
            }
        }
    }

    /** What one by one an interrupted wait for the file's lock fails with ({@link PathLocks#acquire}). */
    private static IOException interrupted(Path target, InterruptedException e) {
        return AtomicWriteException.failed("lock", target, "wait for lock", e);
    }

    private static void runAlone(Request request, GroupRunner runner) {
        serve(List.of(request), runner);
        if (!request.isDone()) {
            request.failed(new IllegalStateException("update left unserved by its group"));
        }
    }

    /**
     * Step 3's gathering wait, holding the queue's lock (released while waiting): only after a
     * group of more than one caller, until {@link Group#expected} callers are queued or a
     * quarter of the previous write has passed.
     */
    private void gather(Group group) {
        if (group.expected <= 1 || group.pending.size() >= group.expected) {
            return;
        }
        long left = fixedGatherNanos >= 0 ? fixedGatherNanos : group.lastRunNanos / GATHER_FRACTION;
        long deadline = System.nanoTime() + left;
        while (group.pending.size() < group.expected && left > 0) {
            try {
                left = group.arrived.awaitNanos(left);
            } catch (InterruptedException e) {
                // Stop gathering; the caller's update is still served, its interrupt kept.
                Thread.currentThread().interrupt();
                break;
            }
            left = Math.min(left, deadline - System.nanoTime());
        }
        if (group.pending.size() < group.expected) {
            // Someone did not come back: expect what was seen, so the next group does not wait for them.
            group.expected = group.pending.size();
        }
    }

    private static Served outcome(Request request) throws IOException {
        Throwable failure = request.failure;
        if (failure == null) {
            return new Served(request.result, request.written);
        }
        if (failure instanceof IOException) {
            throw (IOException) failure;
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        // A checked exception that the caller's own function threw sneakily: given back as thrown.
        throw CombinedUpdates.<RuntimeException>sneaky(failure);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable failure) throws T {
        throw (T) failure;
    }
}
