package io.atomicfiles.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.WriteBatch;
import io.atomicfiles.WriteBatchException;
import io.atomicfiles.WriteResult;
import io.atomicfiles.testing.FaultSweep;
import io.atomicfiles.testing.FaultSweep.Fault;
import io.atomicfiles.testing.FaultyFileSystem;
import io.atomicfiles.testing.OpenFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A batch of 8 files in two folders (half of them replacing a file, half new) whose k-th
 * filesystem call fails, for every k: each file holds its old content (or is absent, if new) or
 * its new content, and the batch says which: a file it reports published is new, a file it
 * reports not published is as it was; a batch that returned wrote every file. No temp file is
 * left, no file left open, and the error carries the injected one. The staging runs on several
 * threads, so which call is the k-th varies a little from run to run; the outcome must not.
 */
class WriteBatchFaultInjectionTest {
    private static final int FILES = 8;

    @TempDir
    Path dir;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    @ParameterizedTest
    @EnumSource(Fault.class)
    void everyFileOldOrNewAndTheBatchSaysWhich(Fault fault) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            files.add(dir.resolve("folder-" + (i % 2)).resolve("file-" + i + ".txt"));
        }
        IOException[] thrown = new IOException[1];
        FaultSweep.Summary summary = FaultSweep.everyCall(faulty, fault, () -> prepare(files), () -> {
            thrown[0] = null;
            try (WriteBatch batch = AtomicFiles.batch()) {
                for (int i = 0; i < FILES; i++) {
                    batch.addWrite(faulty.path(files.get(i)), newContent(i), ContentType.TEXT);
                }
                batch.commit();
            } catch (IOException e) {
                thrown[0] = e;
                throw e;
            }
        }, (k, failure) -> {
            Set<Path> published = failure instanceof WriteBatchException
                    ? ((WriteBatchException) failure).published().stream().map(WriteResult::target)
                            .map(p -> Path.of(p.toString())).collect(Collectors.toSet())
                    : null;
            for (int i = 0; i < FILES; i++) {
                Path file = files.get(i);
                String now = Files.exists(file) ? Files.readString(file) : null;
                String old = i % 2 == 0 ? "old " + i : null;
                if (failure == null || (published != null && published.contains(file))) {
                    assertThat(now).as("k=%d: file %d, reported published (%s)", k, i, failure)
                            .isEqualTo(newContent(i));
                } else if (published != null && ((WriteBatchException) failure).notPublished().stream()
                        .anyMatch(p -> Path.of(p.toString()).equals(file))) {
                    assertThat(now).as("k=%d: file %d, reported not published (%s)", k, i, failure).isEqualTo(old);
                } else {
                    assertThat(now).as("k=%d: file %d old or new (%s)", k, i, failure).isIn(old, newContent(i));
                }
            }
            assertThat(tempFiles()).as("k=%d: temp files left (%s)", k, failure).isEmpty();
            assertThat(OpenFiles.under(dir)).as("k=%d: files left open (%s)", k, failure).isEmpty();
        });
        assertThat(summary.failedRuns()).as("runs that failed, of %d calls", summary.calls())
                .isGreaterThan(summary.calls() / 2);
    }

    private void prepare(List<Path> files) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
        for (int i = 0; i < FILES; i++) {
            Files.createDirectories(files.get(i).getParent());
            if (i % 2 == 0) {
                Files.writeString(files.get(i), "old " + i);
            }
        }
    }

    private static String newContent(int i) {
        return "new content of file " + i;
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().contains(".tmp-")).collect(Collectors.toList());
        }
    }
}
