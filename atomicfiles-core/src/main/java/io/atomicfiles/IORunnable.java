package io.atomicfiles;

import java.io.IOException;

/** A {@link Runnable} whose body may throw {@link IOException}. */
@FunctionalInterface
public interface IORunnable {
    void run() throws IOException;
}
