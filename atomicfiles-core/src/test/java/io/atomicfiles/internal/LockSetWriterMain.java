package io.atomicfiles.internal;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.LockTimeoutException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.ChildSide;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes "child" to a file (argument 1) with a lock timeout of 500 ms and prints "written", or
 * "timed out" when another process holds the file's lock. For {@link LockSetTest}.
 */
final class LockSetWriterMain {
    private LockSetWriterMain() {
    }

    public static void main(String[] args) throws IOException {
        WriteOptions impatient = WriteOptions.builder().lockTimeout(Duration.ofMillis(500)).build();
        try {
            AtomicFiles.writeText(Path.of(args[0]), "child", impatient);
            ChildSide.say("written");
        } catch (LockTimeoutException e) {
            ChildSide.say("timed out");
        }
    }
}
