package io.atomicfiles.testing;

import io.atomicfiles.IORunnable;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Runs an operation once per filesystem call it makes, failing that call: the heart of every
 * fault-injection test.
 *
 * <pre>{@code
 * FaultSweep.Summary s = FaultSweep.everyCall(faulty, FaultSweep.Fault.DISK_FULL,
 *         () -> reset(files),                    // the same starting state before every run
 *         () -> AtomicFiles.writeBytes(target, bytes),
 *         (k, failure) -> assertOldOrNew(...));  // failure is null when the run succeeded
 * }</pre>
 *
 * <p>A first run without a fault counts the calls ({@code total}); then for each k in
 * {@code 1..total} the state is prepared again, call k fails, and the check runs. A run that
 * throws must carry the injected exception in its chain of causes (or suppressed exceptions):
 * an error that loses the real reason (such as "No space left on device") fails the sweep.
 * Exceptions other than {@link IOException} propagate and fail the test.
 */
public final class FaultSweep {
    private FaultSweep() {
    }

    /** The failure injected at call k. */
    public enum Fault {
        /** A plain {@code IOException("injected fault")}. */
        IO_ERROR {
            @Override
            IOException create() {
                return new IOException("injected fault");
            }
        },
        /** What a full disk gives: {@code FileSystemException} with the reason ENOSPC's text. */
        DISK_FULL {
            @Override
            IOException create() {
                return new FileSystemException(null, null, "No space left on device");
            }
        };

        abstract IOException create();
    }

    /** Checks the files after run k (0 for the run without a fault). */
    @FunctionalInterface
    public interface Check {
        /**
         * @param k the failing call, 0 for the counting run
         * @param failure what the operation threw, or null when it returned normally
         */
        void after(int k, IOException failure) throws IOException;
    }

    /** How a sweep went: calls of a fault-free run, and how many of the faulty runs threw. */
    public record Summary(int calls, int failedRuns) {
    }

    /** Runs the sweep described in the class comment. */
    public static Summary everyCall(FaultyFileSystem fs, Fault fault, IORunnable prepare, IORunnable operation,
            Check check) throws IOException {
        prepare.run();
        fs.failAt(0);
        operation.run();
        int total = fs.calls();
        check.after(0, null);

        Set<IOException> injected = Collections.newSetFromMap(new IdentityHashMap<>());
        fs.failWith(() -> {
            IOException e = fault.create();
            injected.add(e);
            return e;
        });
        int failedRuns = 0;
        try {
            for (int k = 1; k <= total; k++) {
                prepare.run();
                injected.clear();
                fs.failAt(k);
                IOException failure = null;
                try {
                    operation.run();
                } catch (IOException e) {
                    failure = e;
                    failedRuns++;
                } finally {
                    fs.failAt(0);
                }
                if (failure != null && !chainContainsAny(failure, injected)) {
                    AssertionError error = new AssertionError("k=" + k + " of " + total + ": the operation threw "
                            + "without the injected " + fault + " in its causes; the reason is lost");
                    error.initCause(failure);
                    throw error;
                }
                check.after(k, failure);
            }
        } finally {
            fs.failWith(Fault.IO_ERROR::create);
        }
        return new Summary(total, failedRuns);
    }

    private static boolean chainContainsAny(Throwable top, Set<IOException> wanted) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.push(top);
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (wanted.contains(t)) {
                return true;
            }
            if (t.getCause() != null) {
                todo.push(t.getCause());
            }
            for (Throwable s : t.getSuppressed()) {
                todo.push(s);
            }
        }
        return false;
    }
}
