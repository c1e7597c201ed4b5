package io.atomicfiles.hadoop.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.IOConsumer;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.hadoop.ClusterWriteResult;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * The single-file write protocol on a cluster filesystem. Each step names the failure it prevents.
 *
 * <ol>
 *   <li>Look at the target once (the caller holds its lock, if ZooKeeper is configured): a
 *       folder is refused; with {@code createNew} an existing file is refused early; with an
 *       expected checksum, the target's SHA-256 is compared.</li>
 *   <li>Create {@code .NAME.tmp-<random>} in the target's own folder with {@code overwrite=false}:
 *       never {@code create(overwrite=true)}, which on HDFS silently deletes another writer's file
 *       under construction. Missing folders are made first.</li>
 *   <li>Stream the content, computing SHA-256 in the same pass.</li>
 *   <li>Close, the temp file created with {@code SYNC_BLOCK}: on HDFS the close forces every
 *       block to the DataNodes' disks before it returns (no separate {@code hsync}: see
 *       {@link ClusterFs#forcedByClose}); on the local filesystem an fsync comes first. The content
 *       is on disk before any reader can see it. Verify (when on): read the temp file back
 *       and compare SHA-256s: a mismatch publishes nothing.</li>
 *   <li>Give the temp file the old file's permission and group.</li>
 *   <li>Backup (when on and the target exists): HDFS has no hard links, so the old content is
 *       copied to {@code .NAME.backup.tmp-<random>} (hsynced) and that copy renamed over
 *       {@code NAME.backup}. {@code NAME} is never absent; the price is one read and one write
 *       of the old content.</li>
 *   <li>Check that the ZooKeeper session that holds the lock is still ours, with the quorum
 *       (else another host may be writing: publish nothing). The remaining window, a pause
 *       longer than the session timeout between this check and the rename, is documented in
 *       README.md ("On a cluster", fencing).</li>
 *   <li>Publish with one atomic rename: {@code rename(temp, NAME, OVERWRITE)}, or, with
 *       {@code createNew}, a rename that fails atomically when {@code NAME} exists. On the local
 *       filesystem with {@link io.atomicfiles.Durability#FULL}, fsync the folder.</li>
 *   <li>On any failure before the rename, delete the temp files: the target was never touched.
 *       After a successful rename the temp name is never deleted (it is the target now).</li>
 * </ol>
 */
public final class ClusterWrite {
    private static final int CHUNK = 64 * 1024;

    private final ClusterFs cfs;
    private final Path target;
    private final WriteOptions options;
    private final ClusterLocks.Held locks;

    private ClusterWrite(ClusterFs cfs, Path target, WriteOptions options, ClusterLocks.Held locks) {
        this.cfs = cfs;
        this.target = target;
        this.options = options;
        this.locks = locks;
    }

    /**
     * Runs the protocol for {@code target} (qualified), writing what {@code body} writes.
     *
     * @param locks the target's lock, held by the caller (a no-op without ZooKeeper)
     */
    public static ClusterWriteResult write(ClusterFs cfs, Path target, WriteOptions options, ClusterLocks.Held locks,
            IOConsumer<OutputStream> body) throws IOException {
        return new ClusterWrite(cfs, target, options, locks).run(body);
    }

    private ClusterWriteResult run(IOConsumer<OutputStream> body) throws IOException {
        long start = System.nanoTime();
        // Step 1: look at the target.
        FileStatus before = step("look at the target", () -> cfs.statusOrNull(target));
        if (before != null && before.isDirectory()) {
            throw new AtomicWriteException("write " + target + " failed: it is a folder", null,
                    Failures.context("write", target, "look at the target"));
        }
        if (options.createNew() && before != null) {
            throw new FileAlreadyExistsException(target.toString(), null, "createNew: the target already exists");
        }
        if (options.expectedChecksum().isPresent()) {
            String actual = before == null ? "absent" : step("hash the target", () -> sha256(target));
            if (!options.expectedChecksum().get().equals(actual)) {
                throw new IntegrityException("write", Names.display(target), "target's current content",
                        options.expectedChecksum().get(), actual);
            }
        }
        Path temp = Names.temp(target);
        Path backupTemp = null;
        boolean published = false;
        try {
            // Step 2: the temp file, new, beside the target.
            if (before == null) {
                step("create the folder", () -> cfs.fs().mkdirs(target.getParent()));
            }
            Written written;
            FSDataOutputStream out = step("create temp file", () -> cfs.createNew(temp,
                    options.durability().syncsFile()));
            try {
                // Step 3: stream and hash.
                written = stream(out, body);
                // Step 4: force before anyone can see it.
                if (options.durability().syncsFile()) {
                    // On HDFS the close below forces the content (SYNC_BLOCK, see ClusterFs.forcedByClose).
                    step("hsync temp file", () -> {
                        cfs.forcedByClose(out, temp);
                        return null;
                    });
                }
            } catch (IOException e) {
                ClusterFs.closeAfter(out, e);
                throw Failures.wrap("write", target, "write temp file", e);
            } catch (RuntimeException | Error e) {
                ClusterFs.closeAfter(out, e);
                throw e;
            }
            step("close temp file", () -> {
                out.close();
                return null;
            });
            if (options.verifyIntegrity()) {
                String reread = step("read back temp file", () -> sha256(temp));
                if (!reread.equals(written.sha256)) {
                    throw new IntegrityException("write", Names.display(target), "temp file read back",
                            written.sha256, reread);
                }
            }
            // Step 5: the old file's permission and group.
            if (before != null) {
                step("copy permission", () -> {
                    FileStatus tempStatus = cfs.fs().getFileStatus(temp);
                    if (!tempStatus.getPermission().equals(before.getPermission())) {
                        cfs.fs().setPermission(temp, before.getPermission());
                    }
                    if (!tempStatus.getGroup().equals(before.getGroup())) {
                        cfs.fs().setOwner(temp, null, before.getGroup());
                    }
                    return null;
                });
            }
            // Step 6: the backup, as a copy (no hard links on HDFS); NAME is never absent.
            Optional<Path> backup = Optional.empty();
            if (options.backup() && !options.createNew() && before != null) {
                Path backupFile = Names.backupOf(target);
                backupTemp = Names.temp(backupFile);
                Path copy = backupTemp;
                step("copy the old content to the backup", () -> {
                    copy(target, copy);
                    return null;
                });
                step("publish the backup", () -> {
                    cfs.replace(copy, backupFile);
                    return null;
                });
                backupTemp = null;
                backup = Optional.of(backupFile);
            }
            // Step 7: is the lock still ours? Asked of the quorum, not only of this client's view of
            // its connection (a session expired during a pause looks alive until the next call).
            locks.confirmWithQuorum("write", target, "publish");
            // Step 8: publish, atomically.
            step("publish", () -> {
                if (options.createNew()) {
                    renameNoReplace(temp);
                } else {
                    cfs.replace(temp, target);
                }
                return null;
            });
            published = true;
            if (options.durability().syncsFolder()) {
                step("fsync folder", () -> {
                    cfs.syncFolder(target.getParent());
                    return null;
                });
            }
            return new ClusterWriteResult(target, written.size, written.sha256, backup,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException | RuntimeException | Error e) {
            // Step 9: nothing published: remove what this write made.
            if (!published) {
                deleteQuietly(temp, e);
                if (backupTemp != null) {
                    deleteQuietly(backupTemp, e);
                }
            }
            throw e;
        }
    }

    private void renameNoReplace(Path temp) throws IOException {
        try {
            cfs.renameNoReplace(temp, target);
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException | FileAlreadyExistsException e) {
            FileAlreadyExistsException exists = new FileAlreadyExistsException(target.toString(), null,
                    "createNew: the target already exists");
            exists.initCause(e);
            throw exists;
        } catch (org.apache.hadoop.ipc.RemoteException e) {
            IOException unwrapped = e.unwrapRemoteException(org.apache.hadoop.fs.FileAlreadyExistsException.class);
            if (unwrapped instanceof org.apache.hadoop.fs.FileAlreadyExistsException) {
                FileAlreadyExistsException exists = new FileAlreadyExistsException(target.toString(), null,
                        "createNew: the target already exists");
                exists.initCause(unwrapped);
                throw exists;
            }
            throw e;
        }
    }

    private Written stream(FSDataOutputStream out, IOConsumer<OutputStream> body) throws IOException {
        MessageDigest digest = Sha256.digest();
        long[] size = {0};
        OutputStream hashing = new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                digest.update((byte) b);
                size[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int at = off; at < off + len; at += CHUNK) {
                    int n = Math.min(CHUNK, off + len - at);
                    out.write(b, at, n);
                    digest.update(b, at, n);
                    size[0] += n;
                }
            }

            @Override
            public void close() {
                // The protocol closes the stream after hsync, not the body.
            }
        };
        body.accept(hashing);
        return new Written(size[0], HexFormat.of().formatHex(digest.digest()));
    }

    /** Copies {@code from} to a new file {@code to}, forced. */
    private void copy(Path from, Path to) throws IOException {
        try (InputStream in = cfs.fs().open(from)) {
            FSDataOutputStream out = cfs.createNew(to, options.durability().syncsFile());
            try {
                in.transferTo(out);
                if (options.durability().syncsFile()) {
                    cfs.forcedByClose(out, to);
                }
            } catch (IOException | RuntimeException | Error e) {
                ClusterFs.closeAfter(out, e);
                throw e;
            }
            out.close();
        }
    }

    private String sha256(Path file) throws IOException {
        try (InputStream in = cfs.fs().open(file)) {
            return Sha256.of(in);
        }
    }

    private void deleteQuietly(Path path, Throwable failure) {
        try {
            cfs.deleteFile(path);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private <T> T step(String step, IOSupplier<T> action) throws IOException {
        try {
            return action.get();
        } catch (AtomicWriteException | FileAlreadyExistsException e) {
            // FileAlreadyExistsException is createNew's answer, as callers catch it: never wrapped.
            throw e;
        } catch (IOException e) {
            throw Failures.failed("write", target, step, e);
        }
    }

    @FunctionalInterface
    interface IOSupplier<T> {
        T get() throws IOException;
    }

    private record Written(long size, String sha256) {
    }
}
