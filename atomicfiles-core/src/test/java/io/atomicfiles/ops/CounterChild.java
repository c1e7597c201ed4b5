package io.atomicfiles.ops;

import io.atomicfiles.testing.ChildSide;
import java.nio.file.Path;

/** Child JVM of {@link ConcurrentJsonUpdateTest}: {@code counterFile threads increments}, after the test's go. */
public final class CounterChild {
    private CounterChild() {
    }

    public static void main(String[] args) throws Exception {
        Path counter = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        int increments = Integer.parseInt(args[2]);
        ChildSide.ready();
        ChildSide.awaitGo();
        ConcurrentJsonUpdateTest.increment(counter, threads, increments);
    }
}
