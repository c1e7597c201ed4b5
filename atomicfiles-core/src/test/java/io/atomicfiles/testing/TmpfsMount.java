package io.atomicfiles.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for one test: a real filesystem that fills up (disk-full tests) and
 * that is not the one of the test's temp folder (moves across filesystems).
 *
 * <pre>{@code
 * try (TmpfsMount tiny = TmpfsMount.mountOrSkip(dir.resolve("tiny"), "size=512k")) {
 *     Path file = tiny.folder().resolve("state.bin");
 *     ...
 * } // unmounted, even when the test failed
 * }</pre>
 *
 * <p>Mounting needs root or CAP_SYS_ADMIN. Where the machine refuses, {@link #mountOrSkip}
 * prints the reason and aborts the test (JUnit reports it as skipped), so the same suite runs
 * on machines that allow it and on those that do not.
 */
public final class TmpfsMount implements AutoCloseable {
    private final Path folder;
    private boolean mounted = true;

    private TmpfsMount(Path folder) {
        this.folder = folder;
    }

    /**
     * Creates {@code folder} and mounts a tmpfs with {@code options} (such as {@code size=512k}
     * or {@code nr_inodes=3}) on it, owner-only; or skips the calling test, saying why.
     */
    public static TmpfsMount mountOrSkip(Path folder, String options) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        Result result;
        try {
            result = run("mount", "-t", "tmpfs", "-o", options + ",mode=0700", "tmpfs", folder.toString());
        } catch (IOException e) {
            result = new Result(-1, e.toString());
        }
        if (result.exitCode != 0) {
            String reason = "skipped: cannot mount a tmpfs on " + folder + " (needs root or CAP_SYS_ADMIN): "
                    + result.output.strip();
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        return new TmpfsMount(folder);
    }

    /** The mounted folder. */
    public Path folder() {
        return folder;
    }

    /** Bytes still free on the tmpfs. */
    public long usableSpace() throws IOException {
        return Files.getFileStore(folder).getUsableSpace();
    }

    /**
     * Unmounts. A busy mount (a file still open in it) is detached lazily, and reported as a
     * failure: a test that leaves a file open has found a leak.
     */
    @Override
    public void close() throws IOException {
        if (!mounted) {
            return;
        }
        mounted = false;
        // The library keeps idle lock files open for a moment after a write: let them go first.
        io.atomicfiles.internal.PathLocks.closeIdleLockFiles();
        try {
            Result result = run("umount", folder.toString());
            if (result.exitCode != 0) {
                run("umount", "-l", folder.toString());
                throw new IOException("umount " + folder + " failed (detached lazily): " + result.output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + folder, e);
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, String.join(" ", command) + " timed out");
        }
        return new Result(process.exitValue(), output);
    }
}
