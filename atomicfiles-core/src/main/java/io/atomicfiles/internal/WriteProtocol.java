package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.IOConsumer;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The single-file write protocol, one instance per write. Each step names the failure it prevents.
 *
 * <ol>
 *   <li>Resolve the path component by component, every symbolic link checked by the kernel's
 *       protected_symlinks rule before it is followed (a link planted by another user in a
 *       shared folder such as {@code /tmp} never redirects the write; {@link LinkRule}); make
 *       missing folders. Take the path's lock (JVM and OS) so writers queue, then look at the
 *       target under it: a symbolic link is written through (unless told not to) by locking its
 *       final target instead; a folder or a special file (FIFO, device, socket) is refused.</li>
 *   <li>Create the temp file {@code .NAME.tmp-<random>-<writer>} in the target's own folder
 *       (same filesystem, so the rename is atomic), {@code CREATE_NEW} (never follows a planted
 *       link), owner-only (nobody reads unpublished content), or, when that grants nobody
 *       anything the published file will not, with the mode it will be published with, which
 *       spares step 5 its {@code chmod} ({@link TempFileModes#finalModeAtCreation}). The first write of this process
 *       into a folder first removes temp files there whose writer is gone (a killed writer's
 *       leftovers). Until it is published or deleted, the temp file is known to
 *       {@link OpenTempFiles}, so a shutdown hook can remove it.</li>
 *   <li>Stream the content in chunks, hashing it in the same pass ({@link ContentSink}).</li>
 *   <li>Force the temp file to disk, so a power loss after the rename cannot leave an empty or
 *       torn file under the target's name; read it back and compare each chunk's CRC32C with the
 *       one taken as it was written ({@link ReadBack}), so corrupted bytes are never published.</li>
 *   <li>Give the temp file the old file's owner, group and mode (a new file gets the umask's
 *       mode), so a rewrite does not silently change who may read the file; where the owner or
 *       group cannot be kept, the mode is narrowed so that nobody gains access
 *       ({@link FileModes#copy}). Done after the content's last write (a stat before a write makes
 *       that write stamp a new mtime; see the comment in {@code stage}) and before step 4's fsync, which then
 *       covers them too.</li>
 *   <li>Keep the old content as {@code NAME.backup} by hard link; the target is never absent.
 *       A {@code NAME.backup} that already is a link of {@code NAME} is handled
 *       ({@link Backups}).</li>
 *   <li>Rename the temp file over the target with {@code ATOMIC_MOVE}: readers see the old file
 *       or the new, never a mix. There is no non-atomic fallback. With {@code createNew}, a hard
 *       link instead, which fails atomically when the name is taken ({@link Publication}).</li>
 *   <li>Force the folder, so the rename itself survives a power loss.</li>
 *   <li>On any failure before step 7, delete the temp file: the target was never touched. After
 *       step 7 the temp name is gone; it is never deleted again. A progress listener that throws
 *       is one more failure: it never leaves a temp file or a held lock behind.</li>
 * </ol>
 */
public final class WriteProtocol implements AutoCloseable {
    private enum State { OPEN, COMMITTED, DISCARDED }

    private final String operation;
    private final Path target;
    /** {@code target.getParent()}, asked once (its temp file, removal of leftovers, its fsync). */
    private final Path folder;
    private final WriteOptions options;
    private final PathLocks.Held lock;
    private final TempFiles.TempFile temp;
    private final ContentSink sink;
    private final ProgressListener progress;
    private final long startNanos;
    /** Step 5: the target as found under the lock, and what the temp file is given from it. */
    private final KeptAttributes attributes;
    /** What was published, from the rename on. */
    private WriteResult result;
    private State state = State.OPEN;
    /** The step being run, for the error of a failure. */
    private String step = "write temp file";
    /** Steps 3 to 5 done: the content is in the temp file, forced and verified; the channel is closed. */
    private ContentSink.Written staged;
    private boolean published;

    /** Made at the end of step 2, by {@link WriteOpening#open}. */
    WriteProtocol(String operation, Path target, Path folder, WriteOptions options, PathLocks.Held lock,
            TempFiles.TempFile temp, ProgressListener progress, long startNanos, FileModes.Found found,
            Set<PosixFilePermission> newFilePermissions, Set<PosixFilePermission> createdWith) {
        this.operation = operation;
        this.attributes = new KeptAttributes(operation, target, found, newFilePermissions, createdWith);
        this.target = target;
        this.folder = folder;
        this.options = options;
        this.lock = lock;
        this.temp = temp;
        this.progress = progress;
        this.startNanos = startNanos;
        this.sink = new ContentSink(temp.channel(), operation, target, options.durability().syncsFile(),
                options.verifyIntegrity(), progress);
    }

    /**
     * Steps 1 and 2 ({@link WriteOpening}): resolves and locks the target, checks {@code createNew} and
     * {@code expectedChecksum}, and creates the temp file.
     *
     * The content comes from the caller, who may take any time over it: the temp file is created
     * owner-only (see {@link #begin(Path, WriteOptions, String, long, Set, boolean)}).
     *
     * @param expectedSize the content's size when known, else -1 (for the progress display only)
     * @throws FileAlreadyExistsException with {@code createNew}, when the target exists
     * @throws IntegrityException with {@code expectedChecksum}, when the target has another checksum
     */
    public static WriteProtocol begin(Path requested, WriteOptions options, String operation, long expectedSize)
            throws IOException {
        return begin(requested, options, operation, expectedSize, null, false);
    }

    /**
     * {@link #begin(Path, WriteOptions, String, long)}, for a write that may give a new target
     * {@code newFilePermissions} instead of the umask's mode (a copy takes its source's; null:
     * the umask's), and says where its content comes from.
     *
     * @param contentInHand whether the library writes the whole content itself right after this
     *     call (a byte array, a document it serialises, a file it copies), with no code of the
     *     caller's running until the write is committed. Only such a temp file may be created with
     *     the mode it will be published with ({@link TempFileModes#finalModeAtCreation}), and then
     *     the write publishes the mode it found under the lock ({@link KeptAttributes#found()}). A
     *     temp file whose content a caller streams in, over any length of time, is created
     *     owner-only: a write that lasts looks at its target again, and a mode the owner narrowed
     *     meanwhile must not have been the temp file's wider one, which anyone could have opened
     *     then and kept reading through.
     */
    public static WriteProtocol begin(Path requested, WriteOptions options, String operation, long expectedSize,
            Set<PosixFilePermission> newFilePermissions, boolean contentInHand) throws IOException {
        long startNanos = System.nanoTime();
        try {
            return WriteOpening.open(requested, options, operation, expectedSize, startNanos, newFilePermissions,
                    contentInHand);
        } catch (IOException | RuntimeException | Error e) {
            report(operation, requested, "failed", -1, null, startNanos, Audited.message(e));
            throw e;
        }
    }

    /** The file being written (a symbolic link's target, when written through one). */
    public Path target() {
        return target;
    }

    /** The temp file receiving the content, for reading it back before commit. */
    public Path tempFile() {
        return temp.path();
    }

    /** Step 3: where the content goes. Closing it does not commit. */
    public OutputStream content() {
        requireOpen();
        return sink;
    }

    /** Bytes of content accepted so far. */
    public long size() {
        return sink.size();
    }

    /**
     * For a new target, the permissions to give it instead of the umask's (a copy takes its
     * source's). Before any content is written: a temp file created with another mode than these
     * ({@link TempFileModes#finalModeAtCreation}) is made owner-only here, before content could be
     * read under a mode that was not the one to publish. Prefer
     * {@link #begin(Path, WriteOptions, String, long, Set, boolean)}.
     */
    public void newFilePermissions(Set<PosixFilePermission> permissions) throws IOException {
        requireOpen();
        if (sink.size() > 0) {
            throw new IllegalStateException(operation + " " + target + ": newFilePermissions after content was written");
        }
        attributes.newFilePermissions(permissions, temp.path());
    }

    /** Steps 3 to 8: makes the content durable, verified and visible under the target's name. */
    public WriteResult commit() throws IOException {
        return commit(null);
    }

    /**
     * Like {@link #commit()}, with a check of the finished content (a schema, say) that runs
     * after it is complete and before anything is published; if the check throws, the write is
     * discarded. The check reads the content through the temp file's own open descriptor, never
     * by its name: someone who may rename entries of the folder could have put a link to a file
     * of their choosing there, and parse errors quote what they read.
     */
    public WriteResult commit(IOConsumer<InputStream> checkBeforePublish) throws IOException {
        requireOpen();
        WriteResult result;
        try {
            result = publishContent(checkBeforePublish);
        } catch (IOException | RuntimeException e) {
            report(operation, target, "failed", -1, null, startNanos, Audited.message(e));
            throw e;
        }
        report(operation, target, "completed", result.size(), result.sha256(), startNanos, null);
        return result;
    }

    private WriteResult publishContent(IOConsumer<InputStream> checkBeforePublish) throws IOException {
        try {
            stage(checkBeforePublish);
            return publishStaged(options.durability().syncsFolder());
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        } finally {
            lock.close();
        }
    }

    /**
     * For a {@code WriteBatch}: steps 3 to 5 (attributes, content forced and verified), on any
     * thread; the lock stays held by the thread that began the write. On failure the write is
     * discarded (its temp file deleted) and {@link #close()} releases the lock.
     */
    public void stageForBatch() throws IOException {
        requireOpen();
        try {
            stage(null);
        } catch (IOException | RuntimeException e) {
            IOException failure = failed(e);
            report(operation, target, "failed", -1, null, startNanos, Audited.message(failure));
            throw failure;
        }
    }

    /**
     * For a {@code WriteBatch}, after {@link #stageForBatch()}: steps 6 and 7 (backup, rename),
     * callable from any thread (a batch publishes many staged files one after the other from one
     * thread) and without releasing the lock: the thread that began the write releases it with
     * {@link #close()} afterwards (the JVM lock belongs to that thread). The caller orders this call after the others on the write (a hand-over through a
     * concurrent queue) and {@code close()} after it. Step 8 is left to the batch.
     */
    public WriteResult publishStagedForBatch() throws IOException {
        if (state != State.OPEN || staged == null) {
            throw new IllegalStateException(operation + " " + target + " is not staged");
        }
        WriteResult result;
        try {
            result = publishStaged(false);
        } catch (IOException | RuntimeException e) {
            IOException failure = failed(e);
            report(operation, target, "failed", -1, null, startNanos, Audited.message(failure));
            throw failure;
        }
        report(operation, target, "completed", result.size(), result.sha256(), startNanos, null);
        return result;
    }

    /** Steps 3 to 5: the content complete in the temp file, forced, verified and checked; the channel closed. */
    private void stage(IOConsumer<InputStream> checkBeforePublish) throws IOException {
        // The content's last bytes are written before the temp file's stat (keepAttributes), not
        // after it: on Linux since 6.13 (multigrain timestamps) a stat marks the file's times as
        // seen, so a write after it stamps a new, finer mtime and dirties the inode once more. On
        // a journaled ext4 that extra inode update made the commit that step 4's fsync waits for
        // ~50 us longer (BENCHMARKS.md, "W1 on the journaled ext4"). Written first, within the
        // clock tick of the create, the write leaves the times as the create set them. Nothing
        // else changes: the attributes are still set before the fsync, which covers them.
        step = "finish temp file";
        sink.writeOut();
        step = "copy file attributes";
        attributes.giveTo(temp.path());
        step = "finish temp file";
        ContentSink.Written written = sink.finish();
        if (checkBeforePublish != null) {
            step = "check content";
            checkBeforePublish.accept(contentFromTheStart());
        }
        temp.channel().close();
        staged = written;
    }

    /** Steps 6 to 8 (8 only when {@code syncFolder}), after {@link #stage}. */
    private WriteResult publishStaged(boolean syncFolder) throws IOException {
        ContentSink.Written written = staged;
        if (options.expectedChecksum().isPresent()) {
            // Programs that take no lock may have changed the target since open(). Its size
            // and time cannot tell (coarse timestamps, tools that restore them): hash again.
            step = "re-check expected checksum";
            TargetChecksum.require(target, options.expectedChecksum().get(), operation);
        }
        Path backup = null;
        if (options.backup() && !options.createNew() && attributes.found().regularFile()) {
            step = "keep backup";
            backup = Backups.keep(target, attributes.found().links(), options.durability(), operation);
        }
        step = "publish";
        // Step 7: the one instant at which the target changes, atomically (Publication).
        Publication.publish(temp, target, options.createNew(), operation);
        published = true;
        if (syncFolder) {
            step = "fsync folder";
            // Step 8: the rename (and the backup's) survive a power loss.
            Fsync.folder(folder, operation, target);
        }
        state = State.COMMITTED;
        result = new WriteResult(target, written.size(), written.sha256(), Optional.ofNullable(backup),
                Duration.ofNanos(System.nanoTime() - startNanos));
        finishProgress(true);
        return result;
    }

    /**
     * What this write published, once it did (null before): for a batch whose file's listener
     * threw an {@link Error} in {@code finished(true)}, after the rename, so that the file is
     * reported published (and its folder forced) all the same.
     */
    public WriteResult publishedResult() {
        return state == State.COMMITTED ? result : null;
    }

    /** Step 9 for a failure at {@link #step}: before the rename, the write is discarded; after it, nothing is undone. */
    private IOException failed(Exception e) {
        if (published) {
            // The new content is visible; only its durability is in doubt. Nothing to undo.
            state = State.COMMITTED;
            finishProgress(false);
        } else {
            discard();
        }
        return asAtomicWriteException(e, step);
    }

    /**
     * Tells the listener the work is over, exactly once. A listener that throws here cannot
     * change the outcome: the content is published (or discarded) already, and a write reported
     * as failed after it was published would invite a retry of something that happened.
     */
    private void finishProgress(boolean succeeded) {
        try {
            progress.finished(succeeded);
        } catch (RuntimeException e) {
            Log.of(WriteProtocol.class).get().warn("progress listener of {} {} failed in"
                    + " finished({}); ignored: {}", operation, target, succeeded, e.toString());
        }
    }

    /** The finished content, read from the start through the open temp file; closing it leaves the file open. */
    private InputStream contentFromTheStart() throws IOException {
        temp.channel().position(0);
        return new java.io.FilterInputStream(java.nio.channels.Channels.newInputStream(temp.channel())) {
            @Override
            public void close() {
                // The channel is closed by the protocol, after the check.
            }
        };
    }

    /** Step 9, for a write that is abandoned before commit: the target is untouched. */
    @Override
    public void close() {
        if (state == State.OPEN) {
            try {
                discard();
            } finally {
                lock.close();
            }
            report(operation, target, "failed", -1, null, startNanos, "discarded: closed without commit");
        } else {
            // A batch's write that failed in stageForBatch (on another thread) still holds its lock.
            lock.close();
        }
    }

    /**
     * The audit record of a write made through {@code AtomicWriter} itself. Inside a library
     * operation ({@code AtomicFiles.writeJson}, a copy, an update) the operation records itself,
     * so nothing is reported here: one record per operation.
     */
    private static void report(String operation, Path path, String status, long bytes, String sha256,
            long startNanos, String error) {
        if (Events.active() && !Audited.insideOperation()) {
            Events.emit(new Events.Event(operation, path, status, bytes, sha256,
                    Duration.ofNanos(System.nanoTime() - startNanos), error, Map.of()));
        }
    }

    /** Whether {@link #commit()} succeeded in publishing the content. */
    public boolean isCommitted() {
        return state == State.COMMITTED;
    }

    private void discard() {
        state = State.DISCARDED;
        sink.abandon();
        try {
            temp.channel().close();
        } catch (IOException e) {
            // The temp file is deleted next; a failed close changes nothing for the target.
        }
        TempFiles.deleteQuietly(temp.path());
        finishProgress(false);
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException(operation + " " + target + " is already "
                    + (state == State.COMMITTED ? "committed" : "discarded"));
        }
    }

    private IOException asAtomicWriteException(Exception e, String step) {
        if (e instanceof AtomicWriteException || e instanceof FileAlreadyExistsException) {
            return (IOException) e;
        }
        return AtomicWriteException.failed(operation, target, step, e);
    }
}
