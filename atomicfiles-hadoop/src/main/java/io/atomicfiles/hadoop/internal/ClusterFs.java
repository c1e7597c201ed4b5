package io.atomicfiles.hadoop.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.LeaseRecoverable;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;

/**
 * The few filesystem primitives the protocols are built from, with the guarantee each one needs,
 * on the two filesystems where Hadoop gives those guarantees: HDFS and the local filesystem.
 *
 * <p>Every other Hadoop filesystem is refused when it is opened, with the reason:
 * <ul>
 *   <li>object stores (S3A, GCS, Azure Blob, OSS, COS, OBS, ...): rename is a copy followed by
 *       a delete, so a reader or a crash in the middle sees a half-renamed file;</li>
 *   <li>WebHDFS and the FTP/SFTP/HTTP connectors: no {@code hsync}, so content cannot be forced to
 *       disk before it is published;</li>
 *   <li>viewfs: a mount table may put the temp file and the target on different filesystems;</li>
 *   <li>anything else: not known to rename atomically.</li>
 * </ul>
 *
 * <p>The atomic replace is {@code rename(from, to, Options.Rename.OVERWRITE)} (HDFS's
 * {@code rename2}: one NameNode operation; never {@code FileSystem.rename(Path, Path)}, which
 * returns false on an existing target and moves <em>into</em> an existing folder). On the local
 * filesystem it is {@code rename(2)} through java.nio's {@code ATOMIC_MOVE}: Hadoop's local
 * {@code rename} falls back to copy-and-delete when {@code rename(2)} fails, and the checksummed
 * {@link LocalFileSystem} renames its {@code .crc} side file separately, so the raw local
 * filesystem is used and renames go through java.nio.
 *
 * <p>Calls go to the {@link FileSystem} the caller gave (wrappers included: tests inject faults
 * with a {@link FilterFileSystem}); the kind of filesystem is read through the wrappers.
 */
public final class ClusterFs {
    /** The filesystems whose guarantees the protocols use. */
    public enum Kind {
        /** HDFS: atomic rename2 at the NameNode, hsync to the DataNodes, single-writer leases. */
        HDFS,
        /** The local filesystem through Hadoop: rename(2), fsync, no leases (OS file locks instead). */
        LOCAL
    }

    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("s3a", "its rename is a copy followed by a delete (S3 has no rename), not atomic"),
            Map.entry("s3n", "its rename is a copy followed by a delete (S3 has no rename), not atomic"),
            Map.entry("s3", "its rename is a copy followed by a delete (S3 has no rename), not atomic"),
            Map.entry("gs", "its rename is a copy followed by a delete (Cloud Storage has no rename), not atomic"),
            Map.entry("wasb", "its rename is a copy followed by a delete (Azure Blob Storage), not atomic"),
            Map.entry("wasbs", "its rename is a copy followed by a delete (Azure Blob Storage), not atomic"),
            Map.entry("abfs", "its rename is atomic only on accounts with a hierarchical namespace, which the"
                    + " FileSystem API does not let atomicfiles verify"),
            Map.entry("abfss", "its rename is atomic only on accounts with a hierarchical namespace, which the"
                    + " FileSystem API does not let atomicfiles verify"),
            Map.entry("oss", "its rename is a copy followed by a delete (object store), not atomic"),
            Map.entry("cosn", "its rename is a copy followed by a delete (object store), not atomic"),
            Map.entry("obs", "its rename is a copy followed by a delete (object store), not atomic"),
            Map.entry("webhdfs", "WebHDFS has no hsync: content cannot be forced to the DataNodes' disks before"
                    + " it is published (use the hdfs:// URI of the same cluster)"),
            Map.entry("swebhdfs", "WebHDFS has no hsync: content cannot be forced to the DataNodes' disks before"
                    + " it is published (use the hdfs:// URI of the same cluster)"),
            Map.entry("viewfs", "a mount table may put a temp file and its target on different filesystems, where"
                    + " no rename is atomic (use the hdfs:// URI of the mount's target)"),
            Map.entry("har", "Hadoop archives are read-only"),
            Map.entry("ftp", "FTP has no way to force content to disk, and its rename is not atomic everywhere"),
            Map.entry("sftp", "SFTP has no way to force content to disk"),
            Map.entry("http", "the HTTP connector is read-only"),
            Map.entry("https", "the HTTP connector is read-only"));

    private final FileSystem fs;
    private final Kind kind;

    private ClusterFs(FileSystem fs, Kind kind) {
        this.fs = fs;
        this.kind = kind;
    }

    /**
     * The filesystem to work on, or a refusal naming it and why.
     *
     * @throws UnsupportedFileSystemException for every filesystem but HDFS and the local one
     */
    public static ClusterFs of(FileSystem fs) throws UnsupportedFileSystemException {
        if (fs instanceof LocalFileSystem) {
            // Its .crc side files are renamed separately from the data: use the raw filesystem.
            return new ClusterFs(((LocalFileSystem) fs).getRaw(), Kind.LOCAL);
        }
        FileSystem inner = fs;
        while (inner instanceof FilterFileSystem && !(inner instanceof LocalFileSystem)) {
            inner = ((FilterFileSystem) inner).getRawFileSystem();
        }
        if (inner instanceof DistributedFileSystem) {
            return new ClusterFs(fs, Kind.HDFS);
        }
        if (inner instanceof RawLocalFileSystem || inner instanceof LocalFileSystem) {
            return new ClusterFs(fs, Kind.LOCAL);
        }
        String scheme = scheme(fs);
        String reason = REFUSED.getOrDefault(scheme, "it is not known to rename atomically and force content"
                + " to disk");
        throw new UnsupportedFileSystemException("atomicfiles-hadoop refuses " + fs.getUri() + " ("
                + fs.getClass().getSimpleName() + "): " + reason + ". Supported: hdfs:// (DistributedFileSystem)"
                + " and file:// (the local filesystem).");
    }

    private static String scheme(FileSystem fs) {
        try {
            return fs.getScheme().toLowerCase(Locale.ROOT);
        } catch (UnsupportedOperationException e) {
            String scheme = fs.getUri().getScheme();
            return scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
        }
    }

    public FileSystem fs() {
        return fs;
    }

    public Kind kind() {
        return kind;
    }

    /** Fully qualified, for locks and journals: every host names a file alike. */
    public Path qualify(Path path) {
        return fs.makeQualified(path);
    }

    /** The status of {@code path}, or null when nothing is there. */
    public FileStatus statusOrNull(Path path) throws IOException {
        try {
            return fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    /**
     * On HDFS, a file's identity as the NameNode knows it, {@code inode:<id>:<length>:<mtime>}:
     * a file replaced by a rename has another inode id, one appended to or truncated another
     * length and modification time (HDFS has no writes in place). It tells "changed by someone
     * else" apart as a SHA-256 does, without reading the file. Null on other filesystems.
     */
    public static String identity(FileStatus status) {
        if (status instanceof org.apache.hadoop.hdfs.protocol.HdfsFileStatus hdfs) {
            return IDENTITY + hdfs.getFileId() + ":" + status.getLen() + ":" + status.getModificationTime();
        }
        return null;
    }

    private static final String IDENTITY = "inode:";

    /** Whether a recorded state is an {@link #identity} rather than a SHA-256. */
    public static boolean isIdentity(String state) {
        return state != null && state.startsWith(IDENTITY);
    }

    /** The {@link #identity} of {@code path} now, or null when nothing is there. */
    public String identityOrNull(Path path) throws IOException {
        FileStatus status = statusOrNull(path);
        return status == null ? null : identity(status);
    }

    public boolean exists(Path path) throws IOException {
        return statusOrNull(path) != null;
    }

    /**
     * A new file, failing when the name exists ({@code overwrite=false}): on HDFS,
     * {@code create(overwrite=true)} would delete another writer's file under construction.
     * With {@code syncEveryBlock}, every block is forced on the DataNodes when it is completed
     * ({@link CreateFlag#SYNC_BLOCK}): {@code hsync} alone forces only the current block.
     */
    public FSDataOutputStream createNew(Path path, boolean syncEveryBlock) throws IOException {
        EnumSet<CreateFlag> flags = syncEveryBlock ? EnumSet.of(CreateFlag.CREATE, CreateFlag.SYNC_BLOCK)
                : EnumSet.of(CreateFlag.CREATE);
        return fs.create(path, defaultFilePermission(), flags, fs.getConf().getInt("io.file.buffer.size", 4096),
                fs.getDefaultReplication(path), fs.getDefaultBlockSize(path), null, null);
    }

    /** The permission a new file gets: the default file mode with the configured umask applied. */
    public FsPermission defaultFilePermission() {
        return FsPermission.getFileDefault().applyUMask(FsPermission.getUMask(fs.getConf()));
    }

    /**
     * Forces what was written to disk: on HDFS to every DataNode of the pipeline. A stream that
     * cannot is refused rather than silently left unforced. For a file kept open after it (a
     * journal); a file closed next uses {@link #forcedByClose}.
     */
    public void hsync(FSDataOutputStream out, Path path) throws IOException {
        requireHsync(out, path);
        out.hsync();
    }

    /**
     * Makes sure that the content of {@code out}, a stream of {@link #createNew createNew(path,
     * true)} that is closed next, is on disk once its {@code close()} has returned: on HDFS the
     * close itself forces it, on the local filesystem an fsync ({@code hsync}) does. A stream that
     * cannot be forced is refused, as by {@link #hsync}.
     *
     * <p>Why no {@code hsync} on HDFS (Hadoop 3.5 source, checked for this):
     * <ul>
     *   <li>{@code DFSOutputStream.closeImpl()} ends the block with an empty last packet
     *       ({@code setCurrentPacketToEmpty()}) flagged {@code syncBlock} when the file was created
     *       with {@link CreateFlag#SYNC_BLOCK} ({@code shouldSyncBlock}), waits for its ack
     *       ({@code flushInternal()}), and only then calls the NameNode's {@code complete};</li>
     *   <li>each DataNode, in {@code BlockReceiver.receivePacket()}, fsyncs the block and checksum
     *       files for a last packet flagged {@code syncBlock} ({@code flushOrSync(true)}: an fsync
     *       of the whole file, so it covers the data packets sent before it unforced), queues the
     *       packet's ack only after that fsync ("if sync was requested, put in queue for pending
     *       acks here (after the fsync finished)"), and sets {@code dirSyncOnFinalize}, so that
     *       finalizing the replica also forces its folder; a DataNode's {@code PacketResponder}
     *       passes an ack upstream only with its downstream DataNode's ack.</li>
     * </ul>
     * So when {@code close()} returns, every DataNode of the pipeline has the bytes on disk, before
     * the rename that publishes them: the guarantee an {@code hsync} gave, and more (the
     * finalized replica's folder is forced too). An {@code hsync} before the close forced the
     * same bytes a second time and cost one more pipeline round trip and a NameNode {@code fsync}
     * call (persisting the block list, which {@code complete} persists anyway).
     *
     * <p>Erasure-coded files ({@code DFSStripedOutputStream}) report no {@code hsync} capability
     * and are refused here, as before.
     */
    public void forcedByClose(FSDataOutputStream out, Path path) throws IOException {
        requireHsync(out, path);
        if (kind != Kind.HDFS) {
            // The local filesystem ignores SYNC_BLOCK: fsync now.
            out.hsync();
        }
    }

    private static void requireHsync(FSDataOutputStream out, Path path) throws IOException {
        if (!out.hasCapability(StreamCapabilities.HSYNC)) {
            throw new IOException("the output stream of " + path + " (" + out.getWrappedStream().getClass().getName()
                    + ") cannot hsync: its content cannot be forced to disk");
        }
    }

    /** Atomically replaces {@code to} (a file, or nothing) with {@code from}. */
    public void replace(Path from, Path to) throws IOException {
        if (kind == Kind.HDFS) {
            FileUtil.rename(fs, from, to, Options.Rename.OVERWRITE);
        } else {
            java.nio.file.Files.move(local(from), local(to), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Atomically renames {@code from} to {@code to}, failing (with a
     * {@link java.nio.file.FileAlreadyExistsException} or Hadoop's own) when {@code to} exists.
     */
    public void renameNoReplace(Path from, Path to) throws IOException {
        if (kind == Kind.HDFS) {
            FileUtil.rename(fs, from, to, Options.Rename.NONE);
        } else {
            // rename(2) replaces silently; link(2) fails atomically on an existing name.
            java.nio.file.Files.createLink(local(to), local(from));
            java.nio.file.Files.delete(local(from));
        }
    }

    /**
     * Closes a stream after {@code failure}, keeping the close's own failure as a suppressed
     * exception. (try-with-resources cannot be used on HDFS streams: a DFSOutputStream rethrows
     * its stored failure from close(), and adding an exception to itself throws
     * IllegalArgumentException, which would hide the real failure.)
     */
    public static void closeAfter(java.io.Closeable stream, Throwable failure) {
        try {
            stream.close();
        } catch (Throwable e) {
            if (e != failure) {
                failure.addSuppressed(e);
            }
        }
    }

    /** Deletes a file if it is there; true when it was. */
    public boolean deleteFile(Path path) throws IOException {
        try {
            return fs.delete(path, false);
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /**
     * Forces a folder's entries to disk: on the local filesystem an fsync of the folder; on HDFS
     * nothing, since the NameNode writes every namespace change to its edit log, durably, before
     * it answers.
     */
    public void syncFolder(Path dir) throws IOException {
        if (kind == Kind.LOCAL) {
            try (FileChannel channel = FileChannel.open(local(dir), StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
    }

    /** Whether the NameNode's single-writer leases can fence a client (HDFS). */
    public boolean hasLeases() {
        if (kind != Kind.HDFS) {
            return false;
        }
        try {
            return fs.hasPathCapability(new Path("/"), CommonPathCapabilities.LEASE_RECOVERABLE)
                    || fs instanceof LeaseRecoverable;
        } catch (IOException e) {
            return fs instanceof LeaseRecoverable;
        }
    }

    /** The lease operations of HDFS, through the wrappers the caller gave. */
    public LeaseRecoverable leases() {
        if (fs instanceof LeaseRecoverable) {
            return (LeaseRecoverable) fs;
        }
        FileSystem inner = fs;
        while (inner instanceof FilterFileSystem) {
            inner = ((FilterFileSystem) inner).getRawFileSystem();
            if (inner instanceof LeaseRecoverable) {
                return (LeaseRecoverable) inner;
            }
        }
        throw new IllegalStateException(fs.getUri() + " has no leases");
    }

    /** The local file of a path on the local filesystem. */
    public java.nio.file.Path local(Path path) {
        return java.nio.file.Paths.get(qualify(path).toUri());
    }

    @Override
    public String toString() {
        return fs.getUri() + " (" + kind + ")";
    }
}
