package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.Durability;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A small durable write: 1 KiB replacing an existing file, on a real disk, full durability.
 * Each operation costs a few fsyncs, so the mean over many seconds is what counts.
 *
 * <p>Issue 2's targets: {@link #atomicFilesNoBackupNoVerify} costs at most 1.10× and
 * {@link #atomicFilesDefaults} at most 1.5× the {@link #bareProtocol}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 8, time = 2)
@Fork(3)
public class SmallWriteBenchmark {
    static final int SIZE = 1024;

    /** Backup and verification off, full durability: the protocol's own cost. */
    static final WriteOptions NO_BACKUP_NO_VERIFY = WriteOptions.builder()
            .backup(false)
            .verifyIntegrity(false)
            .showProgress(false)
            .durability(Durability.FULL)
            .build();

    /** What a user gets without asking (progress off: a benchmark has no one to watch it). */
    static final WriteOptions DEFAULTS = WriteOptions.defaults().toBuilder().showProgress(false).build();

    private Workspace workspace;
    private Path target;
    private byte[] content;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        workspace = Workspace.create("small");
        target = workspace.resolve("state.bin");
        content = new byte[SIZE];
        new Random(42).nextBytes(content);
        // Every operation replaces an existing file, as a program saving its state does.
        Files.write(target, new byte[SIZE]);
    }

    @TearDown(Level.Trial)
    public void checkAndDelete() throws IOException {
        try {
            // A benchmark of a write that did not happen measures nothing: check the outcome.
            if (!Arrays.equals(Files.readAllBytes(target), content)) {
                throw new IllegalStateException(target + " does not hold the content written");
            }
            Set<String> names = workspace.fileNames();
            names.removeAll(Set.of("state.bin", "state.bin.backup"));
            if (!names.isEmpty()) {
                throw new IllegalStateException("left behind in " + workspace.folder() + ": " + names);
            }
        } finally {
            workspace.close();
        }
    }

    @Benchmark
    public void bareProtocol() throws IOException {
        BareProtocol.write(target, content);
    }

    @Benchmark
    public WriteResult atomicFilesNoBackupNoVerify() throws IOException {
        return AtomicFiles.writeBytes(target, content, NO_BACKUP_NO_VERIFY);
    }

    @Benchmark
    public WriteResult atomicFilesDefaults() throws IOException {
        return AtomicFiles.writeBytes(target, content, DEFAULTS);
    }
}
