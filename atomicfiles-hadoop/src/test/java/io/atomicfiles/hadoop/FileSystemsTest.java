package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.ContentType;
import io.atomicfiles.RecoveryReport;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which Hadoop filesystems are refused, and why; the local filesystem through Hadoop works. */
class FileSystemsTest {

    @Test
    void anObjectStoreIsRefusedNamingItAndWhy() throws IOException {
        Configuration conf = new Configuration();
        conf.setClass("fs.s3a.impl", FakeObjectStore.class, FileSystem.class);
        conf.setBoolean("fs.s3a.impl.disable.cache", true);
        FileSystem s3 = FileSystem.get(URI.create("s3a://bucket/"), conf);
        assertThatThrownBy(() -> ClusterFiles.open(s3))
                .isInstanceOf(UnsupportedFileSystemException.class)
                .hasMessageContaining("s3a://bucket")
                .hasMessageContaining("FakeObjectStore")
                .hasMessageContaining("copy followed by a delete");
    }

    @Test
    void webHdfsIsRefusedForItsMissingHsync() throws IOException {
        Configuration conf = new Configuration();
        conf.setClass("fs.webhdfs.impl", FakeObjectStore.class, FileSystem.class);
        conf.setBoolean("fs.webhdfs.impl.disable.cache", true);
        FileSystem web = FileSystem.get(URI.create("webhdfs://namenode:9870/"), conf);
        assertThatThrownBy(() -> ClusterFiles.open(web))
                .isInstanceOf(UnsupportedFileSystemException.class)
                .hasMessageContaining("webhdfs://namenode:9870")
                .hasMessageContaining("hsync");
    }

    @Test
    void anUnknownFilesystemIsRefused() throws IOException {
        Configuration conf = new Configuration();
        conf.setClass("fs.mystery.impl", FakeObjectStore.class, FileSystem.class);
        conf.setBoolean("fs.mystery.impl.disable.cache", true);
        FileSystem mystery = FileSystem.get(URI.create("mystery://x/"), conf);
        assertThatThrownBy(() -> ClusterFiles.open(mystery))
                .isInstanceOf(UnsupportedFileSystemException.class)
                .hasMessageContaining("mystery://x")
                .hasMessageContaining("not known to rename atomically");
    }

    @Test
    void theLocalFilesystemThroughHadoopWorks(@TempDir java.nio.file.Path tmp) throws IOException {
        LocalFileSystem local = FileSystem.getLocal(new Configuration());
        Path dir = new Path(tmp.toUri());
        ClusterOptions options = ClusterOptions.builder().journalDir(new Path(dir, "journal")).build();
        try (ClusterFiles files = ClusterFiles.open(local, options)) {
            files.writeText(new Path(dir, "a.txt"), "one");
            files.writeText(new Path(dir, "a.txt"), "two");
            files.atomicJsonUpdate(new Path(dir, "n.json"), m -> {
                m.put("n", 1);
                return m;
            });
            try (ClusterTransaction tx = files.transaction()) {
                tx.addWrite(new Path(dir, "a.txt"), "three", ContentType.TEXT);
                tx.addWrite(new Path(dir, "sub/b.json"), Map.of("b", true), ContentType.JSON);
                tx.addDelete(new Path(dir, "n.json"));
                tx.commit();
            }
            RecoveryReport report = files.recover();
            assertThat(report.isEmpty()).as(report.toString()).isTrue();
        }
        assertThat(Files.readString(tmp.resolve("a.txt"))).isEqualTo("three");
        assertThat(Files.readString(tmp.resolve("a.txt.backup"))).isEqualTo("two");
        assertThat(Files.readString(tmp.resolve("sub/b.json"))).isEqualTo("{\n  \"b\": true\n}\n");
        assertThat(Files.exists(tmp.resolve("n.json"))).isFalse();
        assertThat(Files.readString(tmp.resolve("n.json.deleted_backup"), StandardCharsets.UTF_8)).contains("\"n\": 1");
        // No .crc side files (the raw local filesystem is used) and no hidden leftovers.
        try (var names = Files.walk(tmp)) {
            assertThat(names.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.endsWith(".crc") || name.startsWith("."));
        }
        assertThat(List.of(tmp.resolve("journal").toFile().list())).isEmpty();
    }

    /** A filesystem of an unsupported kind: enough to be created and named, nothing more. */
    public static final class FakeObjectStore extends FileSystem {
        private URI uri;

        @Override
        public void initialize(URI name, Configuration conf) throws IOException {
            super.initialize(name, conf);
            this.uri = URI.create(name.getScheme() + "://" + name.getAuthority());
        }

        @Override
        public URI getUri() {
            return uri;
        }

        @Override
        public String getScheme() {
            return uri.getScheme();
        }

        @Override
        public FSDataInputStream open(Path f, int bufferSize) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                short replication, long blockSize, Progressable progress) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean rename(Path src, Path dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean delete(Path f, boolean recursive) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileStatus[] listStatus(Path f) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setWorkingDirectory(Path newDir) {
        }

        @Override
        public Path getWorkingDirectory() {
            return new Path("/");
        }

        @Override
        public boolean mkdirs(Path f, FsPermission permission) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileStatus getFileStatus(Path f) {
            throw new UnsupportedOperationException();
        }
    }
}
