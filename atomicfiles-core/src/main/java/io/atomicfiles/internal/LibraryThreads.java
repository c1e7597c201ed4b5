package io.atomicfiles.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The library's own threads: daemon threads that never keep a JVM alive and never borrow the
 * common fork-join pool (whose threads belong to the application's parallel streams).
 */
public final class LibraryThreads {
    private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(named("atomicfiles-io"));
    private static final ExecutorService ASYNC = Executors.newCachedThreadPool(named("atomicfiles-async"));
    private static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private LibraryThreads() {
    }

    /** For work the library overlaps with its caller: early writeback, read-back, parallel fsync. */
    public static ExecutorService background() {
        return BACKGROUND;
    }

    /** The default executor of the {@code ...Async} methods when the caller passes none. */
    public static ExecutorService async() {
        return ASYNC;
    }

    /**
     * For deadlines, such as a lock timeout: one daemon thread (started on first use) that runs
     * short actions when their time comes. A cancelled action is dropped at once.
     */
    public static ScheduledExecutorService timer() {
        return TIMER;
    }

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, named("atomicfiles-timer"));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
