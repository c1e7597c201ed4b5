package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A large durable write: {@link #bytes} (1 GiB) into a new file, streamed from one reused
 * 1 MiB {@code byte[]}; one write per iteration, timed whole; the file is deleted between
 * iterations. Throughput is {@code bytes / time}.
 *
 * <p>Issue 2's target: {@link #atomicFilesDefaults} (SHA-256 while writing, fsync, read-back
 * verification) reaches at least 0.9× the throughput of {@link #bareProtocol} (write, fsync,
 * rename, folder fsync).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 6)
@Fork(2)
public class LargeWriteBenchmark {
    static final int CHUNK = 1 << 20;

    /** Defaults but progress: SHA-256 in the same pass, fsync, read back and compare. */
    static final WriteOptions DEFAULTS = WriteOptions.defaults().toBuilder().showProgress(false).build();

    /** The content's size; {@code -p bytes=...} shrinks it for a quick try of the benchmark itself. */
    @Param("1073741824")
    public long bytes;

    private Workspace workspace;
    private Path target;
    private byte[] chunk;
    private String expectedSha256;
    private WriteResult lastResult;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        workspace = Workspace.create("large");
        target = workspace.resolve("big.bin");
        chunk = new byte[CHUNK];
        new Random(42).nextBytes(chunk);
        expectedSha256 = sha256Of(chunk, bytes);
    }

    @TearDown(Level.Iteration)
    public void checkAndDelete() throws IOException {
        // A benchmark of a write that did not happen measures nothing: check the outcome.
        if (Files.size(target) != bytes) {
            throw new IllegalStateException(target + " has " + Files.size(target) + " bytes, not " + bytes);
        }
        if (lastResult != null && !lastResult.sha256().equals(expectedSha256)) {
            throw new IllegalStateException("the library reports SHA-256 " + lastResult.sha256() + ", not "
                    + expectedSha256);
        }
        lastResult = null;
        Set<String> names = workspace.fileNames();
        if (!names.equals(Set.of("big.bin"))) {
            throw new IllegalStateException("in " + workspace.folder() + ": " + names);
        }
        // The next iteration writes a new file again, and finds the disk as this one did.
        Files.delete(target);
    }

    @TearDown(Level.Trial)
    public void deleteWorkspace() throws IOException {
        workspace.close();
    }

    @Benchmark
    public void bareProtocol() throws IOException {
        BareProtocol.write(target, chunk, bytes);
    }

    @Benchmark
    public WriteResult atomicFilesDefaults() throws IOException {
        lastResult = AtomicFiles.write(target, DEFAULTS, writer -> {
            OutputStream out = writer.outputStream();
            for (long left = bytes; left > 0; ) {
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
        });
        return lastResult;
    }

    static String sha256Of(byte[] chunk, long size) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(chunk.length, left);
                digest.update(chunk, 0, n);
                left -= n;
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
