package io.atomicfiles.ops;

import java.nio.file.Path;

/** Child JVM of {@link ConcurrentJsonUpdateTest}: {@code goFile counterFile threads increments}. */
public final class CounterChild {
    private CounterChild() {
    }

    public static void main(String[] args) throws Exception {
        Path goFile = Path.of(args[0]);
        Path counter = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        int increments = Integer.parseInt(args[3]);
        ChildJvm.readyAndWait(goFile);
        ConcurrentJsonUpdateTest.increment(counter, threads, increments);
    }
}
