package io.atomicfiles;

import java.io.IOException;

/** A {@link java.util.function.Consumer} whose body may throw {@link IOException}. */
@FunctionalInterface
public interface IOConsumer<T> {
    void accept(T value) throws IOException;
}
