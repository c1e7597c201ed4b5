package io.atomicfiles.internal;

import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write updates of one file, queued by threads of this JVM, combined (issue 11, W4):
 * the thread that gets to run takes every update queued so far, and a {@link GroupRunner}
 * applies them in arrival order to one read of the file and writes the result once (one fsync
 * round for the whole group). Every caller returns only when its group's write has returned
 * (durable, with the options' durability), with the document its own function produced; a
 * function that throws fails its own caller alone, and its change is not applied.
 *
 * <p>Election: a caller queues its update, then takes its group's combining lock. Whoever holds
 * it serves every update queued; a caller that gets the lock after its update was served just
 * returns. While one group is being written, new callers queue up behind the lock and are served
 * together by the next of them. Updates are combined only with updates of the same key (same
 * file, format and options); others on the same file serialise on the file's lock as before. A
 * group object may be dropped from the map while a caller still holds it: that caller then
 * serves itself, through the file's lock, so nothing is lost, only not combined.
 *
 * @param <K> what makes updates combinable
 */
public final class CombinedUpdates<K> {
    /** No group yet: groups are made as updates of a file come in. */
    public CombinedUpdates() {
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

    private static final class Group {
        final ReentrantLock combining = new ReentrantLock();
        final ConcurrentLinkedQueue<Request> pending = new ConcurrentLinkedQueue<>();
    }

    private final ConcurrentHashMap<K, Group> groups = new ConcurrentHashMap<>();

    /** What a caller gets: the document its function produced, and the write that made it durable. */
    public record Served(Map<String, Object> document, WriteResult write) {
    }

    /**
     * Queues {@code function} for {@code key} and returns when it is served.
     *
     * @return the document {@code function} produced, once its group is written
     */
    public Served submit(K key, UnaryOperator<Map<String, Object>> function, GroupRunner runner)
            throws IOException {
        Request request = new Request(function);
        Group group = groups.computeIfAbsent(key, k -> new Group());
        group.pending.add(request);
        group.combining.lock();
        try {
            if (!request.isDone()) {
                List<Request> batch = new ArrayList<>();
                for (Request next; (next = group.pending.poll()) != null; ) {
                    batch.add(next);
                }
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
            if (group.pending.isEmpty()) {
                // Nobody queued: forget the group (a caller holding it still serves itself).
                groups.remove(key, group);
            }
        } finally {
            group.combining.unlock();
        }
        return outcome(request);
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
        throw (Error) failure;
    }
}
