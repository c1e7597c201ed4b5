package io.atomicfiles;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Another writer held the path's lock (in this JVM or in another process) for longer than
 * {@link WriteOptions#lockTimeout()}. Nothing was written. This failure is transient: a
 * {@link RetryPolicy} retries it by default.
 */
public class LockTimeoutException extends AtomicWriteException {
    private static final long serialVersionUID = 1L;

    public LockTimeoutException(Path path, Duration waited) {
        super("lock " + path + " failed: another writer held the lock for more than " + waited, null,
                withWait(path, waited));
    }

    private static Map<String, Object> withWait(Path path, Duration waited) {
        Map<String, Object> context = context("lock", path, "acquire lock");
        context.put("waited", waited.toString());
        return context;
    }
}
