package io.atomicfiles.hadoop.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs independent filesystem calls side by side: on HDFS each call is a NameNode round trip or
 * a DataNode pipeline, and their latencies overlap. Threads are the library's own daemons, never
 * the common fork-join pool.
 */
public final class Parallel {
    /** How many calls run at the same time. */
    public static final int WIDTH = 16;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "atomicfiles-hadoop-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private Parallel() {
    }

    /** An action on one item that may fail. */
    @FunctionalInterface
    public interface IOFunction<T, R> {
        R apply(T item) throws IOException;
    }

    /**
     * {@code action} on every item, at most {@link #WIDTH} at a time; waits for all, failed or
     * not (nothing outlives the call), and throws the first failure with the others suppressed.
     *
     * @return the results, in the items' order
     */
    public static <T, R> List<R> map(List<T> items, IOFunction<T, R> action) throws IOException {
        List<R> results = new ArrayList<>(items.size());
        if (items.size() <= 1) {
            for (T item : items) {
                results.add(action.apply(item));
            }
            return results;
        }
        int groups = Math.min(WIDTH, items.size());
        List<Future<List<R>>> futures = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int group = g;
            futures.add(POOL.submit(() -> {
                List<R> mine = new ArrayList<>();
                for (int i = group; i < items.size(); i += groups) {
                    mine.add(action.apply(items.get(i)));
                }
                return mine;
            }));
        }
        List<List<R>> byGroup = new ArrayList<>();
        IOException failure = null;
        Error error = null;
        for (Future<List<R>> future : futures) {
            try {
                byGroup.add(future.get());
            } catch (ExecutionException e) {
                byGroup.add(null);
                Throwable cause = e.getCause();
                if (cause instanceof Error) {
                    error = error == null ? (Error) cause : error;
                } else if (failure == null) {
                    failure = cause instanceof IOException ? (IOException) cause
                            : new AtomicWriteException("parallel step failed: " + cause, cause);
                } else if (cause != failure) {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                byGroup.add(null);
                failure = failure == null ? new java.io.InterruptedIOException("interrupted") : failure;
            }
        }
        if (error != null) {
            throw error;
        }
        if (failure != null) {
            throw failure;
        }
        for (int i = 0; i < items.size(); i++) {
            results.add(byGroup.get(i % groups).get(i / groups));
        }
        return results;
    }

    /** {@code action} on every item, side by side, as {@link #map}. */
    public static <T> void forEach(List<T> items, IOConsumerOf<T> action) throws IOException {
        map(items, item -> {
            action.accept(item);
            return null;
        });
    }

    /** An action on one item that may fail. */
    @FunctionalInterface
    public interface IOConsumerOf<T> {
        void accept(T item) throws IOException;
    }
}
