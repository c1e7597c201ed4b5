package io.atomicfiles.internal;

import io.atomicfiles.IOConsumer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs independent file-system calls side by side. Their cost is waiting on the kernel (fsync,
 * unlink of a file whose blocks are freed), and calls on one filesystem that wait together
 * share its journal commits, so a few threads finish many calls in the time of a few.
 */
public final class Parallel {
    /** Below this many items, the calls are made in the caller's thread. */
    private static final int INLINE_BELOW = 4;

    private Parallel() {
    }

    /**
     * Calls {@code action} on every item, on up to {@code parallelism} of the library's
     * threads, and returns when every call has returned. The first failure is thrown (the
     * others added to it as suppressed) after all calls are over; an {@link Error} is rethrown
     * as it is.
     *
     * <p>An interrupt of the caller starts no further call, but the calls under way are waited
     * for all the same (they may be renaming a file right now); then an
     * {@link java.io.InterruptedIOException} is thrown, the interrupt kept. (Returning at the
     * interrupt let a write batch go on writing files after its commit had thrown.)
     */
    public static <T> void forEach(List<T> items, int parallelism, IOConsumer<T> action) throws IOException {
        if (items.size() < INLINE_BELOW || parallelism <= 1) {
            for (T item : items) {
                action.accept(item);
            }
            return;
        }
        int threads = Math.min(parallelism, items.size());
        List<Future<Void>> futures = new ArrayList<>();
        // Each thread takes the next item not yet taken, so a thread whose calls wait longer
        // (an fsync that missed a journal commit) takes fewer items and none is left waiting
        // for it at the end (items used to be dealt out in fixed stripes).
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean interrupted = new AtomicBoolean();
        for (int t = 0; t < threads; t++) {
            futures.add(LibraryThreads.background().submit(() -> {
                for (int i; !interrupted.get() && (i = next.getAndIncrement()) < items.size(); ) {
                    action.accept(items.get(i));
                }
                return null;
            }));
        }
        IOException failure = null;
        Error error = null;
        for (Future<Void> future : futures) {
            try {
                getUninterruptibly(future, interrupted);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Error) {
                    error = error == null ? (Error) cause : error;
                } else {
                    IOException io = cause instanceof IOException ? (IOException) cause : new IOException(cause);
                    if (failure == null) {
                        failure = io;
                    } else {
                        failure.addSuppressed(io);
                    }
                }
            }
        }
        if (interrupted.get()) {
            Thread.currentThread().interrupt();
            failure = failure == null ? new java.io.InterruptedIOException("interrupted") : failure;
        }
        if (error != null) {
            throw error;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Waits for {@code future}'s end through interrupts, noting an interrupt in
     * {@code interrupted} (for its calls to start no further work): calls under way, which may be
     * renaming a file right now, are never left running behind a caller that returned.
     */
    public static void getUninterruptibly(Future<?> future, AtomicBoolean interrupted) throws ExecutionException {
        while (true) {
            try {
                future.get();
                return;
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }
    }
}
