package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.Durability;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.hadoop.testing.Clusters;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On HDFS a write's temp file, a backup's copy and a transaction's staged files and keeps are
 * forced to the DataNodes' disks by their {@code close()}, not by an {@code hsync}: that holds
 * only because they are created with {@link CreateFlag#SYNC_BLOCK} (see
 * {@code ClusterFs.forcedByClose}). This pins the flag on every file the library creates and
 * closes before publishing it, and checks the bytes that arrive.
 */
class ForcedAtCloseTest {
    private static Clusters clusters;
    private static FileSystem fs;
    private static Recording recording;

    @BeforeAll
    static void start() throws Exception {
        clusters = Clusters.shared();
        fs = clusters.fileSystem();
        recording = new Recording(fs);
    }

    @AfterAll
    static void stop() throws Exception {
        Clusters.closeAll(clusters);
    }

    /** Records the create flags of every file created through it. */
    private static final class Recording extends FilterFileSystem {
        final Map<String, EnumSet<CreateFlag>> created = new ConcurrentHashMap<>();

        Recording(FileSystem real) {
            super(real);
            setConf(real.getConf());
        }

        @Override
        public FSDataOutputStream create(Path f, FsPermission permission, EnumSet<CreateFlag> flags, int bufferSize,
                short replication, long blockSize, Progressable progress, Options.ChecksumOpt checksumOpt)
                throws IOException {
            created.put(f.getName(), EnumSet.copyOf(flags));
            return super.create(f, permission, flags, bufferSize, replication, blockSize, progress, checksumOpt);
        }
    }

    @Test
    void everyFileClosedBeforeItIsPublishedIsCreatedWithSyncBlock() throws IOException {
        Path dir = new Path("/forced-at-close");
        fs.delete(dir, true);
        recording.created.clear();
        Path target = new Path(dir, "app.json");
        Path other = new Path(dir, "other.txt");
        try (ClusterFiles files = ClusterFiles.open(recording, ClusterOptions.builder()
                .journalDir(new Path("/forced-at-close-journal")).build())) {
            WriteOptions backup = WriteOptions.builder().backup(true).showProgress(false).build();
            files.writeText(target, "first", backup);
            files.writeText(target, "second", backup);
            files.writeText(other, "old", backup);
            try (ClusterTransaction tx = files.transaction()) {
                tx.addWrite(target, "third", ContentType.TEXT);
                tx.addWrite(other, "new", ContentType.TEXT);
                tx.commit();
            }
        }
        assertThat(HdfsFiles.text(fs, target)).isEqualTo("third");
        assertThat(HdfsFiles.text(fs, other)).isEqualTo("new");
        assertThat(HdfsFiles.text(fs, new Path(dir, "app.json.backup"))).isEqualTo("second");
        assertThat(HdfsFiles.hiddenNames(fs, dir)).isEmpty();
        // Temp files of the writes, the backup's copy, the transaction's staged files and keeps.
        List<String> closedBeforePublished = recording.created.keySet().stream()
                .filter(name -> !name.endsWith(".journal")).toList();
        assertThat(closedBeforePublished).anyMatch(name -> name.startsWith(".app.json.tmp-"))
                .anyMatch(name -> name.startsWith(".app.json.backup.tmp-"))
                .anyMatch(name -> name.contains(".tx-"));
        assertThat(recording.created).allSatisfy((name, flags) ->
                assertThat(flags).as(name).contains(CreateFlag.CREATE, CreateFlag.SYNC_BLOCK)
                        .doesNotContain(CreateFlag.OVERWRITE));
    }

    @Test
    void withoutFileDurabilityNothingAsksForSyncBlock() throws IOException {
        Path dir = new Path("/forced-at-close-none");
        fs.delete(dir, true);
        recording.created.clear();
        Path target = new Path(dir, "fast.txt");
        try (ClusterFiles files = ClusterFiles.open(recording)) {
            files.writeText(target, "fast", WriteOptions.builder().durability(Durability.NONE).backup(false)
                    .showProgress(false).build());
        }
        assertThat(HdfsFiles.text(fs, target)).isEqualTo("fast");
        assertThat(recording.created).isNotEmpty().allSatisfy((name, flags) ->
                assertThat(flags).as(name).doesNotContain(CreateFlag.SYNC_BLOCK, CreateFlag.OVERWRITE));
    }
}
