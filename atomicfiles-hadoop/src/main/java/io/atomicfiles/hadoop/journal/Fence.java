package io.atomicfiles.hadoop.journal;

import io.atomicfiles.hadoop.internal.ClusterFs;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LeaseRecoverable;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.ipc.RemoteException;

/**
 * A recovery's hold on an abandoned journal, which also fences the journal's owner should it
 * still be alive.
 *
 * <p>On HDFS: when the owner is known to be gone (its ZooKeeper lock is free), the journal's
 * lease is taken from it at once ({@code recoverLease}) and the journal is opened for append;
 * without ZooKeeper the NameNode is asked, by opening the journal for append, whether the owner
 * still renews its lease: while it does, the journal is left alone. Either way the recovery then
 * holds the lease itself, so the old owner cannot append (no late commit record), and no second
 * recovery can take the journal meanwhile. On the local filesystem: the journal's OS lock.
 */
final class Fence implements Closeable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final FSDataOutputStream append;
    private final LocalLock localLock;

    private Fence(FSDataOutputStream append, LocalLock localLock) {
        this.append = append;
        this.localLock = localLock;
    }

    /**
     * Takes hold of {@code journal}.
     *
     * @param ownerGone whether the owner is known to be gone (its ZooKeeper lock was free)
     * @param wait how long to wait for the NameNode to finish a lease recovery
     * @return the hold, or null when the owner still runs (or the journal is gone)
     */
    static Fence take(ClusterFs cfs, Path journal, boolean ownerGone, Duration wait) throws IOException {
        if (cfs.kind() == ClusterFs.Kind.LOCAL) {
            LocalLock lock = LocalLock.tryLock(cfs, journal);
            return lock == null ? null : new Fence(null, lock);
        }
        if (!cfs.hasLeases()) {
            throw new IOException(cfs + " has no leases: a recovery cannot fence the owner of " + journal);
        }
        LeaseRecoverable leases = cfs.leases();
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            if (ownerGone && !leases.isFileClosed(journal)) {
                leases.recoverLease(journal);
                awaitClosed(leases, journal, deadline);
            }
            while (true) {
                try {
                    return new Fence(cfs.fs().append(journal), null);
                } catch (RemoteException e) {
                    String name = e.getClassName();
                    if (name.endsWith("AlreadyBeingCreatedException") && !ownerGone) {
                        return null; // the owner renews its lease: it runs
                    }
                    if (!name.endsWith("RecoveryInProgressException") && !name.endsWith("AlreadyBeingCreatedException")) {
                        throw e;
                    }
                    // The NameNode is recovering the lease (the owner stopped renewing it): wait.
                    if (ownerGone) {
                        leases.recoverLease(journal);
                    }
                    awaitClosed(leases, journal, deadline);
                }
            }
        } catch (FileNotFoundException e) {
            return null; // finished by its owner, or by another recovery, while we looked
        } catch (RemoteException e) {
            if (e.getClassName().endsWith("FileNotFoundException")) {
                return null;
            }
            throw e;
        }
    }

    private static void awaitClosed(LeaseRecoverable leases, Path journal, long deadline) throws IOException {
        while (!leases.isFileClosed(journal)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the NameNode did not close " + journal + " (lease recovery) in time");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the lease recovery of " + journal);
            }
        }
    }

    /** Gives the journal up (it is deleted right after, or left for a later recovery). */
    @Override
    public void close() throws IOException {
        try {
            if (append != null) {
                append.close();
            }
        } finally {
            if (localLock != null) {
                localLock.release();
            }
        }
    }

    /** Gives the journal up and deletes its local lock file. */
    void closeAndForget() throws IOException {
        if (localLock != null) {
            try {
                if (append != null) {
                    append.close();
                }
            } finally {
                localLock.releaseAndDelete();
            }
        } else {
            close();
        }
    }
}
