package io.atomicfiles.write;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.testing.ChildSide;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;

/**
 * Holds the lock of a file until it is killed: opens a write of the file (argument 1), prints
 * "holding", and sleeps inside the write. For {@link CrossProcessLockTest}.
 */
final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws IOException {
        AtomicFiles.write(Path.of(args[0]), writer -> {
            writer.writeText("never committed");
            ChildSide.say("holding");
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted while holding the lock");
            }
        });
    }
}
