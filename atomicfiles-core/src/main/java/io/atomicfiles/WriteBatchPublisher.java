package io.atomicfiles;

import io.atomicfiles.internal.WriteProtocol;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * How the files of one {@link WriteBatch#commit()} take turns between forcing their content and
 * publishing it (steps 2 and 3 of {@code WriteBatch}), each file's own thread calling
 * {@link #stage} and then {@link #publish}.
 *
 * <p>Why: on a journaled filesystem every fsync ends in a journal commit, and while a commit
 * writes the folder's and the inodes' metadata blocks, a rename or link that changes those
 * blocks waits for that write to finish. With fsyncs and renames interleaved, a commit was
 * almost always under way: the renames (the kernel makes one folder's changes one at a time)
 * waited on commit after commit, the files waiting to be renamed did no fsync, and each commit
 * carried few files (~5 of 1000 per commit on the 2-core test machine's journaled ext4). Here the
 * two take turns:
 * <ol>
 *   <li>Forcing and verifying (fsync, read-back) holds the read side of a fair read-write lock:
 *       any number at once, so their fsyncs share journal commits.</li>
 *   <li>Publishing (backup and rename) is done by one thread at a time for every file staged so
 *       far (the others wait parked, holding their own file's lock), under the write side: it
 *       starts once the fsyncs under way are over and no new one starts until it is done, so no
 *       commit is under way to hold the renames up; then every file that staged meanwhile
 *       forces its content at once, together. One thread renaming many files one after the
 *       other also spares a thread hand-over per file (files used to wait for one of a few
 *       renaming permits).</li>
 * </ol>
 * Neither side waits for a file's lock while holding the read-write lock, and the publishing
 * thread takes no file lock at all: no deadlock with other batches or writers. Each file's
 * protocol steps keep their order (forced and verified, then backup, then rename), and every
 * file's lock is taken and released by its own thread.
 */
final class WriteBatchPublisher {
    /** Fair: a publisher that waits keeps new fsyncs out, and fsyncs that waited go before the next publisher. */
    private final ReentrantReadWriteLock turns = new ReentrantReadWriteLock(true);
    private final ConcurrentLinkedQueue<Staged> queue = new ConcurrentLinkedQueue<>();
    /** Whether some thread is publishing the queue. */
    private final AtomicBoolean publishing = new AtomicBoolean();
    /** Told of a {@link Throwable} other than an {@link IOException} thrown while publishing a file. */
    private final java.util.function.Consumer<Throwable> fatal;

    /** @param fatal told of any {@link Error} or runtime failure thrown while a file is published */
    WriteBatchPublisher(java.util.function.Consumer<Throwable> fatal) {
        this.fatal = fatal;
    }

    /** A staged file waiting for its backup and rename. */
    private static final class Staged {
        final WriteProtocol write;
        final Thread owner;
        WriteResult result;
        IOException error;
        /** Written last by the publisher: reading it true makes result and error visible. */
        volatile boolean done;

        Staged(WriteProtocol write, Thread owner) {
            this.write = write;
            this.owner = owner;
        }
    }

    /** Steps 3 to 5 of the write (attributes, fsync, read-back), while nobody publishes. */
    void stage(WriteProtocol write) throws IOException {
        turns.readLock().lock();
        try {
            write.stageForBatch();
        } finally {
            turns.readLock().unlock();
        }
    }

    /**
     * Steps 6 and 7 of the staged {@code write} (backup, rename), made by this thread or by
     * another thread that publishes at the time; returns when they are done. The write's lock
     * stays held: the caller releases it with {@link WriteProtocol#close()}.
     */
    WriteResult publish(WriteProtocol write) throws IOException {
        Staged staged = new Staged(write, Thread.currentThread());
        queue.add(staged);
        publishQueued();
        boolean interrupted = false;
        while (!staged.done) {
            LockSupport.park(this);
            // An interrupt cannot stop a write that another thread may be renaming right now;
            // it is kept for the caller.
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (staged.error != null) {
            throw staged.error;
        }
        return staged.result;
    }

    /**
     * Publishes every queued file, unless another thread is at it. No file is left queued with
     * nobody publishing: a thread that stops publishing looks at the queue again after it lets go
     * of the role, and a thread that queued a file looks at the role after it queued (both
     * atomic, so at least one of the two sees the other).
     */
    private void publishQueued() {
        while (!queue.isEmpty() && publishing.compareAndSet(false, true)) {
            turns.writeLock().lock();
            try {
                for (Staged staged; (staged = queue.poll()) != null; ) {
                    publishOne(staged);
                }
            } finally {
                turns.writeLock().unlock();
                publishing.set(false);
            }
        }
    }

    private void publishOne(Staged staged) {
        try {
            staged.result = staged.write.publishStagedForBatch();
        } catch (IOException e) {
            // This file alone: before its rename, its temp file is deleted and its target as it was.
            staged.error = e;
        } catch (Throwable e) {
            // Even an Error is this file's: the other queued files are still published, and
            // every waiting thread is woken (none would be, were it thrown from here). The batch
            // throws it at the end (fatal). An Error after the rename (a listener's, in
            // finished(true)) leaves the file published: it is reported so, and its folder forced.
            fatal.accept(e);
            staged.result = staged.write.publishedResult();
            if (staged.result == null) {
                staged.error = new IOException("write " + staged.write.target() + ": publish failed: " + e
                        + "; the file is as it was");
            }
        } finally {
            staged.done = true;
            LockSupport.unpark(staged.owner);
        }
    }
}
