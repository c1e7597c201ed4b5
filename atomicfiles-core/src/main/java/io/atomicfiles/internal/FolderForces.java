package io.atomicfiles.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** The folder fsyncs that make many renames durable at once, each folder once, through interrupts. */
public final class FolderForces {
    private FolderForces() {
    }

    /**
     * Forces every one of {@code folders} once (step 4 of a {@code WriteBatch}), on up to
     * {@code parallelism} of the library's threads (or the caller's, for a few). Every folder is forced, through interrupts of the caller: an
     * interrupt stops {@link Parallel#forEach} from starting further folders, so the folders
     * not yet begun are forced in another round (never one already begun: a folder whose fsync
     * was under way is in {@code failures} or forced). Where the caller's thread forces folders
     * itself, its interrupt is put aside before each (an interrupt that comes during one fails
     * that fsync, whose outcome is then unknown: it is reported, never retried).
     *
     * @return whether the caller was interrupted meanwhile (the interrupt is cleared; the caller restores it)
     */
    public static boolean forceEach(List<Path> folders, int parallelism, Map<Path, IOException> failures,
            Thread caller) {
        Set<Path> begun = ConcurrentHashMap.newKeySet();
        AtomicBoolean interrupted = new AtomicBoolean();
        while (begun.size() < folders.size()) {
            List<Path> left = new ArrayList<>();
            for (Path folder : folders) {
                if (!begun.contains(folder)) {
                    left.add(folder);
                }
            }
            try {
                Parallel.forEach(left, parallelism, folder -> {
                    if (Thread.currentThread() == caller && Thread.interrupted()) {
                        interrupted.set(true);
                    }
                    begun.add(folder);
                    try {
                        Fsync.folder(folder, "write", folder);
                    } catch (IOException | RuntimeException e) {
                        failures.put(folder, e instanceof IOException ? (IOException) e : new IOException(e.toString(), e));
                    }
                });
            } catch (InterruptedIOException e) {
                interrupted.set(true);
                Thread.interrupted();
            } catch (IOException e) {
                // The action throws none: each folder's failure is in failures.
                throw new IllegalStateException(e);
            }
        }
        return interrupted.get();
    }
}
