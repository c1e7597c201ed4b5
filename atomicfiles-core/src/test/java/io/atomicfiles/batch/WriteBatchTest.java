package io.atomicfiles.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteBatch;
import io.atomicfiles.WriteBatchException;
import io.atomicfiles.WriteResult;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link WriteBatch}: every file published with the single write's guarantees; failures are per file. */
class WriteBatchTest {
    @TempDir
    Path dir;

    @Test
    void everyFileArrivesWithItsModeAndBackupKept() throws IOException {
        List<Path> existing = new ArrayList<>();
        List<Path> fresh = new ArrayList<>();
        for (int folder = 0; folder < 3; folder++) {
            Path sub = Files.createDirectories(dir.resolve("f" + folder));
            for (int i = 0; i < 10; i++) {
                Path file = sub.resolve("file-" + i + ".txt");
                if (i % 2 == 0) {
                    Files.writeString(file, "old " + i);
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
                    existing.add(file);
                } else {
                    fresh.add(file);
                }
            }
        }
        Path json = dir.resolve("new-folder/doc.json");
        List<WriteResult> results;
        try (WriteBatch batch = AtomicFiles.batch()) {
            for (Path file : existing) {
                batch.addWrite(file, "new " + file.getFileName(), ContentType.TEXT);
            }
            for (Path file : fresh) {
                batch.addWrite(file, ("bytes " + file.getFileName()).getBytes(StandardCharsets.UTF_8),
                        ContentType.BYTES);
            }
            batch.addWrite(json, Map.of("a", 1), ContentType.JSON);
            results = batch.commit();
        }

        assertThat(results).hasSize(existing.size() + fresh.size() + 1);
        for (Path file : existing) {
            assertThat(Files.readString(file)).isEqualTo("new " + file.getFileName());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
            String i = file.getFileName().toString().replaceAll("\\D", "");
            assertThat(Files.readString(file.resolveSibling(file.getFileName() + ".backup"))).isEqualTo("old " + i);
        }
        for (Path file : fresh) {
            assertThat(Files.readString(file)).isEqualTo("bytes " + file.getFileName());
        }
        assertThat(Codecs.read(json, DataFormat.JSON).path("a").asInt()).isEqualTo(1);
        assertThat(results).allSatisfy(r -> assertThat(r.sha256()).isEqualTo(AtomicFiles.checksum(r.target())));
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aFileThatCannotBeWrittenFailsAloneAndIsNamed() throws IOException {
        Path good = dir.resolve("good.txt");
        Path folderInTheWay = Files.createDirectories(dir.resolve("is-a-folder"));
        Path alsoGood = dir.resolve("z-also-good.txt");
        Files.writeString(alsoGood, "old");

        try (WriteBatch batch = AtomicFiles.batch()) {
            batch.addWrite(good, "one", ContentType.TEXT);
            batch.addWrite(folderInTheWay, "two", ContentType.TEXT);
            batch.addWrite(alsoGood, "three", ContentType.TEXT);
            assertThatThrownBy(batch::commit).isInstanceOfSatisfying(WriteBatchException.class, e -> {
                assertThat(e.notPublished()).containsExactly(folderInTheWay);
                assertThat(e.published()).extracting(WriteResult::target).containsExactly(good, alsoGood);
                assertThat(e.getMessage()).contains(folderInTheWay.toString()).contains("folder");
            });
        }
        assertThat(Files.readString(good)).isEqualTo("one");
        assertThat(Files.readString(alsoGood)).isEqualTo("three");
        assertThat(folderInTheWay).isDirectory();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void badInputIsRefusedAtAddAndTheBatchIsUnchanged() throws IOException {
        Path file = dir.resolve("a.json");
        try (WriteBatch batch = AtomicFiles.batch()) {
            batch.addWrite(file, "x", ContentType.TEXT);
            assertThatThrownBy(() -> batch.addWrite(file, "again", ContentType.TEXT))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file.toString());
            assertThatThrownBy(() -> batch.addWrite(dir.resolve("a.json.backup"), "b", ContentType.TEXT))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> batch.addWrite(dir.resolve("b.json"), Map.of("n", "not a number"),
                    ContentType.JSON, Map.of("type", "object", "properties", Map.of("n", Map.of("type", "integer")))))
                    .isInstanceOf(ValidationException.class);
            assertThat(batch.size()).isEqualTo(1);
            batch.commit();
        }
        assertThat(Files.readString(file)).isEqualTo("x");
        assertThat(dir.resolve("b.json")).doesNotExist();
    }

    @Test
    void closedWithoutCommitWritesNothing() throws IOException {
        Path file = dir.resolve("never.txt");
        try (WriteBatch batch = AtomicFiles.batch()) {
            batch.addWrite(file, "x", ContentType.TEXT);
        }
        assertThat(file).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    /**
     * Many files in one folder, more than the batch's threads: each file's backup and rename is
     * made by whichever thread publishes at the time (often not the one that locked the file), and
     * every lock is still released by its own thread. Afterwards every file holds its new content
     * and its backup the old one, and each can be written again at once by another thread (a lock
     * left held would make that write wait out its timeout and fail).
     */
    @Test
    void manyFilesInOneFolderArePublishedAndNoLockIsLeftHeld() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Path file = dir.resolve("file-" + i + ".txt");
            Files.writeString(file, "old " + i);
            files.add(file);
        }
        try (WriteBatch batch = AtomicFiles.batch()) {
            for (int i = 0; i < files.size(); i++) {
                batch.addWrite(files.get(i), "new " + i, ContentType.TEXT);
            }
            assertThat(batch.commit()).hasSize(files.size());
        }
        io.atomicfiles.WriteOptions quick = io.atomicfiles.WriteOptions.builder().showProgress(false)
                .lockTimeout(java.time.Duration.ofSeconds(10)).build();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            assertThat(Files.readString(file)).isEqualTo("new " + i);
            assertThat(Files.readString(file.resolveSibling(file.getFileName() + ".backup"))).isEqualTo("old " + i);
            AtomicFiles.writeText(file, "again " + i, quick);
            assertThat(Files.readString(file)).isEqualTo("again " + i);
        }
        assertThat(tempFiles()).isEmpty();
    }

    /**
     * One file named twice, through a symbolic link and by its own name: the batch may refuse
     * it, but what it reports must be true. Each result says a content was published and is
     * durable at its target; two results for one file with two contents cannot both be. And the
     * backup must be the content the batch replaced, not the batch's own first content (the old
     * content would then be gone).
     */
    @Test
    void oneFileNamedTwiceThroughALinkIsNotReportedWrittenTwice() throws IOException {
        Path real = dir.resolve("real.txt");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), real.getFileName());
        List<WriteResult> results;
        try (WriteBatch batch = AtomicFiles.batch()) {
            batch.addWrite(link, "through the link", ContentType.TEXT);
            batch.addWrite(real, "by its name", ContentType.TEXT);
            try {
                results = batch.commit();
            } catch (IllegalArgumentException | WriteBatchException refused) {
                // Refused (in part): fine, as long as the file holds one whole content and its
                // backup, if any, the old one.
                assertThat(Files.readString(real)).isIn("old", "through the link", "by its name");
                if (Files.exists(dir.resolve("real.txt.backup"))) {
                    assertThat(Files.readString(dir.resolve("real.txt.backup"))).isEqualTo("old");
                }
                assertThat(tempFiles()).isEmpty();
                return;
            }
        }
        assertThat(Files.isSymbolicLink(link)).isTrue();
        // With backups on (the default), the backup is the content the batch replaced: the old one.
        assertThat(Files.readString(dir.resolve("real.txt.backup"))).as("the backup of %s", real).isEqualTo("old");
        String onDisk = AtomicFiles.checksum(real);
        assertThat(results).as("results of one file (%s) with two contents; on disk: %s", real,
                Files.readString(real)).allSatisfy(r -> assertThat(r.sha256()).as("%s", r.target()).isEqualTo(onDisk));
    }

    /**
     * A file and, through a link, its backup in one batch with backups on: the textual check of
     * addWrite cannot see it, so commit() writes one of them and fails the other; the file's old
     * content is never lost (it is the file, or its backup).
     */
    @Test
    void aFileAndItsBackupThroughALinkLoseNoContent() throws IOException {
        Path real = dir.resolve("real.txt");
        Files.writeString(real, "old");
        Path backup = Files.writeString(dir.resolve("real.txt.backup"), "older");
        Path alias = Files.createSymbolicLink(dir.resolve("alias.txt"), backup.getFileName());
        try (WriteBatch batch = AtomicFiles.batch()) {
            batch.addWrite(real, "new", ContentType.TEXT);
            batch.addWrite(alias, "written through the alias", ContentType.TEXT);
            assertThatThrownBy(batch::commit).isInstanceOf(WriteBatchException.class)
                    .hasMessageContaining("same file");
        }
        List<String> contents = List.of(Files.readString(real), Files.readString(backup));
        assertThat(contents).as("the file and its backup").contains("old");
        assertThat(tempFiles()).isEmpty();
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().contains(".tmp-")).collect(Collectors.toList());
        }
    }
}
