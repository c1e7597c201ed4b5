package io.atomicfiles;

import io.atomicfiles.internal.AfterPublishing;
import java.io.IOException;
import java.io.SyncFailedException;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which failures of a write are tried again, how often and how far apart. Immutable.
 *
 * <pre>{@code
 * WriteOptions patient = WriteOptions.defaults().toBuilder()
 *         .retryPolicy(RetryPolicy.builder().maxAttempts(5).backoff(Duration.ofMillis(20), Duration.ofSeconds(1)).build())
 *         .build();
 * }</pre>
 *
 * <p>By default only transient failures are retried: a {@link LockTimeoutException} and a
 * sharing violation (a file held open by another process, as Windows reports it). Add more
 * with {@link Builder#retryOn}. A failed fsync is never retried, whatever the policy says:
 * after a failed fsync the kernel may have dropped the dirty pages, so a second fsync can
 * succeed without the data being on disk. Every attempt runs the whole write protocol again
 * from a fresh temp file. The retries themselves run on Failsafe.
 */
public final class RetryPolicy {
    private static final RetryPolicy NONE = new Builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final List<Class<? extends IOException>> retryOn;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialDelay = b.initialDelay;
        this.maxDelay = b.maxDelay;
        this.retryOn = List.copyOf(b.retryOn);
    }

    /** One attempt, no retries: the default of {@link WriteOptions}. */
    public static RetryPolicy none() {
        return NONE;
    }

    /** Up to {@code maxAttempts} attempts of transient failures, 50 ms to 2 s apart, doubling. */
    public static RetryPolicy transientFailures(int maxAttempts) {
        return builder().maxAttempts(maxAttempts).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Attempts in all, the first included; 1 means no retry. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The delay before the second attempt; it doubles per attempt up to {@link #maxDelay()}. */
    public Duration initialDelay() {
        return initialDelay;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    /** Exception types retried in addition to the transient ones. */
    public List<Class<? extends IOException>> retryOn() {
        return retryOn;
    }

    /**
     * Whether {@code failure} is worth another attempt under this policy: never for a failed
     * fsync or a failure after the operation's result was published (a move across filesystems
     * that could not delete its source), always for a lock timeout or sharing violation, and for
     * the types in {@link #retryOn()}.
     */
    public boolean isRetryable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SyncFailedException || t instanceof AfterPublishing) {
                // A failed fsync is final; a failure after the result was published is clean-up
                // that a whole new attempt would make worse (AfterPublishing says how).
                return false;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LockTimeoutException || isSharingViolation(t)) {
                return true;
            }
            for (Class<? extends IOException> type : retryOn) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isSharingViolation(Throwable t) {
        if (!(t instanceof FileSystemException)) {
            return false;
        }
        String reason = String.valueOf(((FileSystemException) t).getReason()).toLowerCase(Locale.ROOT);
        return reason.contains("being used by another process") || reason.contains("sharing violation");
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RetryPolicy)) {
            return false;
        }
        RetryPolicy other = (RetryPolicy) o;
        return maxAttempts == other.maxAttempts && initialDelay.equals(other.initialDelay)
                && maxDelay.equals(other.maxDelay) && retryOn.equals(other.retryOn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, initialDelay, maxDelay, retryOn);
    }

    @Override
    public String toString() {
        return maxAttempts <= 1 ? "RetryPolicy{none}"
                : "RetryPolicy{maxAttempts=" + maxAttempts + ", backoff=" + initialDelay + ".." + maxDelay
                        + ", retryOn=" + retryOn + "}";
    }

    /** Builds a {@link RetryPolicy}. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration initialDelay = Duration.ofMillis(50);
        private Duration maxDelay = Duration.ofSeconds(2);
        private final List<Class<? extends IOException>> retryOn = new ArrayList<>();

        private Builder() {
        }

        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder backoff(Duration initialDelay, Duration maxDelay) {
            Objects.requireNonNull(initialDelay, "initialDelay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay, got " + initialDelay + ", "
                        + maxDelay);
            }
            this.initialDelay = initialDelay;
            this.maxDelay = maxDelay;
            return this;
        }

        /** Also retry these failure types (a failed fsync is still never retried). */
        @SafeVarargs
        public final Builder retryOn(Class<? extends IOException>... types) {
            for (Class<? extends IOException> type : types) {
                retryOn.add(Objects.requireNonNull(type));
            }
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(this);
        }
    }
}
