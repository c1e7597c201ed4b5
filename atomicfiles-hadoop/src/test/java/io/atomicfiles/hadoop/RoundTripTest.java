package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.ContentType;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.hadoop.testing.Clusters;
import io.atomicfiles.hadoop.testing.HookedFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Every content type written to HDFS and read back, byte for byte; backups, createNew, schemas. */
class RoundTripTest {
    private static Clusters clusters;
    private static FileSystem fs;
    private static ClusterFiles files;
    private Path dir;

    @BeforeAll
    static void start() throws Exception {
        clusters = Clusters.shared();
        fs = clusters.fileSystem();
        files = clusters.filesOn(fs);
    }

    @AfterAll
    static void stop() throws Exception {
        Clusters.closeAll(files, clusters);
    }

    @BeforeEach
    void folder(TestInfo test) throws IOException {
        dir = new Path("/roundtrip/" + test.getTestMethod().orElseThrow().getName());
        fs.delete(dir, true);
    }

    @Test
    void everyContentTypeRoundTrips() throws IOException {
        Map<String, Object> data = Map.of("name", "app", "ports", List.of(80, 443), "unicode", "é✓");
        files.writeJson(new Path(dir, "a.json"), data);
        files.writeYaml(new Path(dir, "a.yaml"), data);
        files.writeText(new Path(dir, "a.txt"), "hello é✓\n");
        byte[] bytes = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + (i >> 9));
        }
        files.writeBytes(new Path(dir, "a.bin"), bytes);

        assertThat((Map<?, ?>) Codecs.json().readValue(read(new Path(dir, "a.json")), Map.class)).isEqualTo(data);
        assertThat((Map<?, ?>) Codecs.yaml().readValue(read(new Path(dir, "a.yaml")), Map.class)).isEqualTo(data);
        assertThat(new String(read(new Path(dir, "a.txt")), StandardCharsets.UTF_8)).isEqualTo("hello é✓\n");
        assertThat(Arrays.equals(read(new Path(dir, "a.bin")), bytes)).isTrue();
        assertThat(hiddenNames()).isEmpty();
    }

    @Test
    void aSecondWriteKeepsTheFirstAsBackupAndThePermission() throws IOException {
        Path target = new Path(dir, "config.json");
        files.writeText(target, "one");
        fs.setPermission(target, new FsPermission((short) 0640));
        ClusterWriteResult result = files.writeText(target, "two");

        assertThat(new String(read(target), StandardCharsets.UTF_8)).isEqualTo("two");
        assertThat(new String(read(new Path(dir, "config.json.backup")), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(result.backup()).contains(fs.makeQualified(new Path(dir, "config.json.backup")));
        assertThat(fs.getFileStatus(target).getPermission()).isEqualTo(new FsPermission((short) 0640));
        files.writeText(target, "three");
        assertThat(new String(read(new Path(dir, "config.json.backup")), StandardCharsets.UTF_8)).isEqualTo("two");
        assertThat(hiddenNames()).isEmpty();
    }

    @Test
    void withoutBackupNoBackupIsMade() throws IOException {
        Path target = new Path(dir, "x.txt");
        WriteOptions noBackup = WriteOptions.builder().backup(false).build();
        files.writeText(target, "one", noBackup);
        files.writeText(target, "two", noBackup);
        assertThat(fs.exists(new Path(dir, "x.txt.backup"))).isFalse();
    }

    @Test
    void createNewFailsWhenTheFileExistsAndLeavesItAlone() throws IOException {
        Path target = new Path(dir, "owner.txt");
        WriteOptions createNew = WriteOptions.builder().createNew(true).build();
        files.writeText(target, "first", createNew);
        assertThatThrownBy(() -> files.writeText(target, "second", createNew))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(new String(read(target), StandardCharsets.UTF_8)).isEqualTo("first");
        assertThat(hiddenNames()).isEmpty();
    }

    @Test
    void aSchemaViolationWritesNothing() throws IOException {
        Path target = new Path(dir, "user.json");
        files.writeJson(target, Map.of("name", "ann"));
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("name"));
        assertThatThrownBy(() -> files.writeJson(target, Map.of("age", 3),
                WriteOptions.builder().schema(schema).build()))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("name");
        assertThat((Map<?, ?>) Codecs.json().readValue(read(target), Map.class)).isEqualTo(Map.of("name", "ann"));
        assertThat(hiddenNames()).isEmpty();
    }

    @Test
    void aFolderIsNotOverwritten() throws IOException {
        Path folder = new Path(dir, "folder");
        fs.mkdirs(folder);
        assertThatThrownBy(() -> files.writeText(folder, "x")).hasMessageContaining("folder");
        assertThat(fs.getFileStatus(folder).isDirectory()).isTrue();
    }

    @Test
    void atomicJsonUpdateReadsModifiesAndWrites() throws IOException {
        Path counter = new Path(dir, "counter.json");
        for (int i = 0; i < 3; i++) {
            files.atomicJsonUpdate(counter, m -> {
                m.merge("n", 1, (a, b) -> (Integer) a + (Integer) b);
                return m;
            });
        }
        assertThat((Map<?, ?>) Codecs.json().readValue(read(counter), Map.class)).isEqualTo(Map.of("n", 3));
    }

    @Test
    void aTransactionOfEveryKindOfOperation() throws IOException {
        files.writeText(new Path(dir, "old.txt"), "old");
        files.writeText(new Path(dir, "src.txt"), "src");
        files.writeText(new Path(dir, "mv.txt"), "moving");
        files.writeText(new Path(dir, "b.yaml"), "b: old\n");
        try (ClusterTransaction tx = files.transaction()) {
            tx.addWrite(new Path(dir, "a.json"), Map.of("a", 1), ContentType.JSON);
            tx.addWrite(new Path(dir, "b.yaml"), Map.of("b", "new"), ContentType.YAML);
            tx.addWrite(new Path(dir, "sub/c.txt"), "c", ContentType.TEXT);
            tx.addWrite(new Path(dir, "d.bin"), new byte[] {1, 2, 3}, ContentType.BYTES);
            tx.addCopy(new Path(dir, "src.txt"), new Path(dir, "copy.txt"));
            tx.addMove(new Path(dir, "mv.txt"), new Path(dir, "moved.txt"));
            tx.addDelete(new Path(dir, "old.txt"));
            tx.commit();
        }
        assertThat(text("a.json")).isEqualTo("{\n  \"a\": 1\n}\n");
        assertThat(text("b.yaml")).isEqualTo("b: new\n");
        assertThat(text("b.yaml.backup")).isEqualTo("b: old\n");
        assertThat(text("sub/c.txt")).isEqualTo("c");
        assertThat(read(new Path(dir, "d.bin"))).containsExactly(1, 2, 3);
        assertThat(text("copy.txt")).isEqualTo("src");
        assertThat(text("moved.txt")).isEqualTo("moving");
        assertThat(fs.exists(new Path(dir, "mv.txt"))).isFalse();
        assertThat(fs.exists(new Path(dir, "old.txt"))).isFalse();
        assertThat(text("old.txt.deleted_backup")).isEqualTo("old");
        assertThat(hiddenNames()).isEmpty();
        assertThat(fs.listStatus(ClusterOptions.DEFAULT_JOURNAL_DIR)).isEmpty();
        assertThat(files.recover().isEmpty()).isTrue();
    }

    /**
     * The sweep removes old temp files and transaction files no journal names, and nothing else:
     * not a young temp file, not one still open for writing, not a user's dot-file, not the
     * staged file of a committed transaction waiting for recovery (which then still finishes).
     */
    @Test
    void sweepRemovesOnlyStaleLeftovers() throws Exception {
        Path journalDir = new Path(dir, "journal");
        Path c = new Path(dir, "c.txt");
        files.writeText(c, "old");
        HookedFileSystem hooked = new HookedFileSystem(fs);
        ClusterOptions options = ClusterOptions.builder().journalDir(journalDir).build();
        try (ClusterFiles crashing = ClusterFiles.open(hooked, options)) {
            hooked.hook((call, path) -> {
                if (call.equals("rename") && path.getName().endsWith(".stage")) {
                    throw new IOException("injected: the client dies before its first rename");
                }
            });
            try (ClusterTransaction tx = crashing.transaction()) {
                tx.addWrite(c, "new", ContentType.TEXT);
                assertThatThrownBy(tx::commit).isInstanceOf(CommitPendingException.class);
            }
        }
        List<String> pending = hiddenNames();
        assertThat(pending).anyMatch(name -> name.endsWith(".stage")).allMatch(name -> name.contains(".tx-"));
        List<String> stale = List.of(".a.txt.tmp-0123456789abcdef", ".a.txt.backup.tmp-fedcba9876543210",
                ".b.txt.tx-0123456789-0.stage");
        List<String> kept = List.of(".config", ".a.txt.tmp-notrandom", "a.txt.tmp-0123456789abcdef");
        for (String name : concat(stale, kept)) {
            writeRaw(new Path(dir, name));
        }
        Path young = new Path(dir, ".a.txt.tmp-1111111111111111");
        writeRaw(young);
        org.apache.hadoop.fs.FSDataOutputStream open = fs.create(new Path(dir, ".a.txt.tmp-2222222222222222"), false);
        open.write(1);
        open.hflush();
        long hoursAgo = System.currentTimeMillis() - 2 * 3600_000L;
        for (FileStatus status : fs.listStatus(dir)) {
            // Not c.txt: touching it would be a change by someone else, which recovery refuses to clobber.
            if (status.isFile() && !status.getPath().equals(fs.makeQualified(young))
                    && !status.getPath().equals(fs.makeQualified(c))) {
                fs.setTimes(status.getPath(), hoursAgo, -1);
            }
        }
        try (ClusterFiles sweeping = ClusterFiles.open(fs, options)) {
            assertThat(sweeping.sweepStaleTempFiles(dir, java.time.Duration.ofHours(1))).isEqualTo(stale.size());
            for (String name : stale) {
                assertThat(fs.exists(new Path(dir, name))).as(name).isFalse();
            }
            for (String name : kept) {
                assertThat(fs.exists(new Path(dir, name))).as(name).isTrue();
            }
            assertThat(fs.exists(young)).isTrue();
            assertThat(fs.exists(new Path(dir, ".a.txt.tmp-2222222222222222"))).isTrue();
            assertThat(hiddenNames()).containsAll(pending);
            // The transaction whose staged file the sweep left alone is still finished by recovery.
            assertThat(sweeping.recover().transactions()).singleElement()
                    .matches(t -> t.outcome() == io.atomicfiles.RecoveryReport.Outcome.ROLLED_FORWARD);
            assertThat(text("c.txt")).isEqualTo("new");
        } finally {
            open.close();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void writeRaw(Path path) throws IOException {
        try (var out = fs.create(path, false)) {
            out.write(path.getName().getBytes(StandardCharsets.UTF_8));
        }
    }

    private String text(String name) throws IOException {
        return new String(read(new Path(dir, name)), StandardCharsets.UTF_8);
    }

    private static byte[] read(Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return in.readAllBytes();
        }
    }

    private List<String> hiddenNames() throws IOException {
        return HdfsFiles.hiddenNames(fs, dir);
    }
}
