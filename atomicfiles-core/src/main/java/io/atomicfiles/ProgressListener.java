package io.atomicfiles;

/**
 * Receives progress of long work: the bytes of a write, the operations of a transaction.
 *
 * <p>Calls come from the thread doing the work, in order: {@link #started}, any number of
 * {@link #progressed} and {@link #note}, then {@link #finished} exactly once. Keep them cheap:
 * {@code progressed} is called once per written chunk.
 *
 * <p>The library never draws anything itself. {@link WriteOptions#showProgress() showProgress}
 * on (the default) means "report to the listener set with
 * {@link WriteOptions.Builder#progressListener progressListener}"; with no listener set, progress
 * goes nowhere and nothing is printed. A program that wants a progress bar installs a listener
 * that draws one: the {@code atomicfiles} command does, on standard error, when that is a
 * terminal and the work is large.
 */
public interface ProgressListener {

    /**
     * Work begins.
     *
     * @param task what is being done, such as {@code "write config.json"}
     * @param total the number of bytes the work will process, or {@code -1} when unknown
     */
    void started(String task, long total);

    /** {@code done} bytes of the work are finished (a running total, not an increment). */
    void progressed(long done);

    /** A step of the work begins, such as {@code "operation 3 of 10: write app.json"}. */
    default void note(String message) {
    }

    /** The work is over; {@code succeeded} is false when it failed or was discarded. */
    void finished(boolean succeeded);

    /** A listener that ignores everything. */
    static ProgressListener none() {
        return NoProgress.INSTANCE;
    }
}

/** The listener behind {@link ProgressListener#none()}. */
enum NoProgress implements ProgressListener {
    INSTANCE;

    @Override
    public void started(String task, long total) {
    }

    @Override
    public void progressed(long done) {
    }

    @Override
    public void finished(boolean succeeded) {
    }
}
