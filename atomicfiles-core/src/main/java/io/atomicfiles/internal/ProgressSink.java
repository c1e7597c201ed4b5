package io.atomicfiles.internal;

import io.atomicfiles.ProgressListener;
import java.util.Optional;

/**
 * Where a write or a transaction reports its progress. The library draws nothing itself: with
 * {@code showProgress} on, progress goes to the caller's {@link ProgressListener}, and without
 * one it goes nowhere. A program that wants a bar installs a listener that draws one (the
 * {@code atomicfiles} command does, on a terminal).
 */
public final class ProgressSink {
    private ProgressSink() {
    }

    /** The caller's listener when progress is on and one is set, else a listener that ignores everything. */
    public static ProgressListener choose(boolean showProgress, Optional<ProgressListener> callers) {
        return showProgress ? callers.orElse(ProgressListener.none()) : ProgressListener.none();
    }
}
