package io.atomicfiles;

import java.io.IOException;

/** A {@link java.util.concurrent.Callable} narrowed to {@link IOException}. */
@FunctionalInterface
public interface IOCallable<T> {
    T call() throws IOException;
}
