package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** createNew: the write happens only if the file does not exist, decided atomically. */
class CreateNewTest {
    private static final WriteOptions CREATE_NEW = WriteOptions.builder().createNew(true).build();

    @TempDir
    Path dir;

    @Test
    void createsAFileThatDoesNotExist() throws IOException {
        Path file = dir.resolve("fresh.txt");

        WriteResult result = AtomicFiles.writeText(file, "mine", CREATE_NEW);

        assertThat(Files.readString(file)).isEqualTo("mine");
        assertThat(result.backup()).isEmpty();
        assertThat(Folders.names(dir)).containsExactly("fresh.txt");
    }

    @Test
    void failsWhenTheTargetExistsAndChangesNothing() throws IOException {
        Path file = Files.writeString(dir.resolve("taken.txt"), "someone else's");

        assertThatThrownBy(() -> AtomicFiles.writeText(file, "mine", CREATE_NEW))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("taken.txt");
        assertThatThrownBy(() -> AtomicWriter.open(file, CREATE_NEW))
                .isInstanceOf(FileAlreadyExistsException.class);

        assertThat(Files.readString(file)).isEqualTo("someone else's");
        assertThat(Folders.names(dir)).containsExactly("taken.txt");
    }

    @Test
    void anExistingLinkCountsAsExisting() throws IOException {
        Path real = Files.writeString(dir.resolve("real.txt"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), real);

        assertThatThrownBy(() -> AtomicFiles.writeText(link, "x", CREATE_NEW))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> AtomicFiles.writeText(link, "x",
                CREATE_NEW.toBuilder().followSymlinks(false).build()))
                .isInstanceOf(FileAlreadyExistsException.class);

        assertThat(Files.readString(real)).isEqualTo("old");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @RepeatedTest(5)
    void twoRacingWritersExactlyOneWins() throws Exception {
        Path file = dir.resolve("race.txt");
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<WriteResult>> writers = new ArrayList<>();
            for (String content : List.of("writer A", "writer B")) {
                writers.add(pool.submit(() -> {
                    start.await();
                    return AtomicFiles.writeText(file, content, CREATE_NEW);
                }));
            }
            start.countDown();

            List<String> winners = new ArrayList<>();
            int losers = 0;
            for (int i = 0; i < writers.size(); i++) {
                try {
                    writers.get(i).get(30, TimeUnit.SECONDS);
                    winners.add(i == 0 ? "writer A" : "writer B");
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(FileAlreadyExistsException.class);
                    losers++;
                }
            }
            assertThat(winners).hasSize(1);
            assertThat(losers).isEqualTo(1);
            assertThat(Files.readString(file)).isEqualTo(winners.get(0));
            assertThat(Folders.names(dir)).containsExactly("race.txt");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFileCreatedByAnotherProgramAfterOpenMakesCommitFailAtomically() throws IOException {
        // The other program does not use atomicfiles (no lock): only link(2)'s EEXIST stops us.
        Path file = dir.resolve("contested.txt");
        byte[] theirs = "created by someone else".getBytes(StandardCharsets.UTF_8);

        try (AtomicWriter writer = AtomicWriter.open(file, CREATE_NEW)) {
            writer.writeText("mine");
            Files.write(file, theirs);
            assertThatThrownBy(writer::commit).isInstanceOf(FileAlreadyExistsException.class);
        }

        assertThat(Files.readAllBytes(file)).isEqualTo(theirs);
        assertThat(Folders.names(dir)).containsExactly("contested.txt");
    }

    @Test
    void aFileCreatedInAScopedBodyMakesTheScopedWriteFail() throws IOException {
        Path file = dir.resolve("scoped.txt");

        assertThatThrownBy(() -> AtomicFiles.write(file, CREATE_NEW, w -> {
            w.writeText("mine");
            Files.writeString(file, "theirs");
        })).isInstanceOf(FileAlreadyExistsException.class);

        assertThat(Files.readString(file)).isEqualTo("theirs");
        assertThat(Folders.names(dir)).containsExactly("scoped.txt");
    }
}
