package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import io.atomicfiles.IOCallable;
import io.atomicfiles.RetryPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Runs an operation under a {@link RetryPolicy}, through Failsafe. */
public final class Retries {
    private static final Log LOG = Log.of(Retries.class);

    private Retries() {
    }

    /**
     * Calls {@code attempt} until it succeeds, the policy declines the failure (a failed fsync
     * is always declined), or the attempts run out; then the last failure is thrown as it was.
     * Each retried failure is logged and sent to the audit trail.
     */
    public static <T> T call(RetryPolicy policy, String operation, Path path, IOCallable<T> attempt)
            throws IOException {
        if (policy.maxAttempts() <= 1) {
            return attempt.call();
        }
        var builder = dev.failsafe.RetryPolicy.<T>builder()
                .handleIf((result, failure) -> failure != null && policy.isRetryable(failure))
                .withMaxAttempts(policy.maxAttempts())
                .onRetry(event -> {
                    Throwable failure = event.getLastException();
                    LOG.get().info("{} {}: attempt {} failed ({}); retrying", operation, path, event.getAttemptCount(),
                            failure.toString());
                    Events.emit(new Events.Event(operation, path, "retry", -1, null, event.getElapsedTime(),
                            failure.getMessage(), Map.of("attempt", event.getAttemptCount())));
                });
        if (policy.initialDelay().compareTo(policy.maxDelay()) < 0) {
            builder.withBackoff(policy.initialDelay(), policy.maxDelay());
        } else if (!policy.initialDelay().isZero()) {
            builder.withDelay(policy.initialDelay());
        }
        // A zero delay is Failsafe's default; its withDelay refuses Duration.ZERO.
        try {
            return Failsafe.with(builder.build()).get(attempt::call);
        } catch (FailsafeException e) {
            if (e.getCause() instanceof IOException) {
                throw (IOException) e.getCause();
            }
            throw e;
        }
    }
}
