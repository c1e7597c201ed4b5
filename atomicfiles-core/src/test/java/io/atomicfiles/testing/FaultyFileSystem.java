package io.atomicfiles.testing;

import io.atomicfiles.IORunnable;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A filesystem that delegates to the default one and fails the k-th call.
 *
 * <p>Every call that reaches the disk counts: each provider operation (open, create, delete,
 * move, link, read attributes, ...) and each operation on a channel it opened (write, read,
 * force, size, close). {@link #failAt(int)} arms a single failure: call number k throws an
 * {@link IOException} (by default "injected fault"; see {@link #failWith}), every other call
 * goes through. Tests first count the calls of a successful run, then repeat it once per k.
 *
 * <p>Paths of this filesystem wrap real paths; {@link #path(Path)} wraps one, {@link
 * FaultyPath#real()} unwraps. The scheme is {@code faulty}, so the library treats it as a
 * non-default filesystem: locks are JVM-only, a folder fsync that cannot be opened is skipped.
 */
public final class FaultyFileSystem extends FileSystem {
    private final FileSystem delegate;
    private final Provider provider;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> log = new ArrayList<>();
    private volatile int failAt;
    private volatile Supplier<IOException> fault = () -> new IOException("injected fault");
    private volatile boolean recording;
    private volatile boolean crash;

    /**
     * Thrown instead of an IOException by {@link #crashAt}: an Error, which the library does not
     * catch, so it unwinds like a process killed at that call (locks are released, nothing is
     * cleaned up).
     */
    public static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(String message) {
            super(message);
        }
    }

    private FaultyFileSystem(FileSystem delegate) {
        this.delegate = delegate;
        this.provider = new Provider(this, delegate.provider());
    }

    /** A faulty view of the default filesystem. */
    public static FaultyFileSystem overDefault() {
        return new FaultyFileSystem(java.nio.file.FileSystems.getDefault());
    }

    /** The faulty twin of a real path. */
    public FaultyPath path(Path real) {
        return new FaultyPath(this, real);
    }

    /** Arms one failure at call number {@code k} (1-based) counted from now; 0 disarms. */
    public void failAt(int k) {
        arm(k, false);
    }

    /** Arms a simulated crash ({@link SimulatedCrash}) at call number {@code k}; 0 disarms. */
    public void crashAt(int k) {
        arm(k, true);
    }

    private void arm(int k, boolean crash) {
        this.crash = crash;
        calls.set(0);
        synchronized (log) {
            log.clear();
        }
        failAt = k;
    }

    /** The exception injected, such as a disk-full one. */
    public void failWith(Supplier<IOException> fault) {
        this.fault = fault;
    }

    /**
     * Makes every positional read ({@code pread}) of a file whose name starts with
     * {@code namePrefix} return the byte at {@code offset} flipped, as a disk or a driver that
     * returns other bytes than it was given would; {@code null} stops it. Nothing counts as a call.
     */
    public void corruptReads(String namePrefix, long offset) {
        this.corruptPrefix = namePrefix;
        this.corruptOffset = offset;
    }

    private volatile String corruptPrefix;
    private volatile long corruptOffset;

    /** Flips the byte at the corrupted offset if {@code dst} received it, for a file of that name. */
    void corrupt(String name, java.nio.ByteBuffer dst, int start, long position, int n) {
        String prefix = corruptPrefix;
        long at = corruptOffset;
        if (prefix != null && n > 0 && name.startsWith(prefix) && at >= position && at < position + n) {
            int index = start + (int) (at - position);
            dst.put(index, (byte) (dst.get(index) ^ 0x01));
        }
    }

    /** Calls counted since the last {@link #failAt}. */
    public int calls() {
        return calls.get();
    }

    /** Whether call names are kept in {@link #log()}, for diagnosing a failing k. */
    public void record(boolean recording) {
        this.recording = recording;
    }

    /** The names of the calls counted since the last {@link #failAt}, when recording. */
    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /**
     * Runs {@code action} once, just before the first call whose description (as in
     * {@link #log()}, such as {@code "move app.log.1 -> app.log.2"}) starts with {@code prefix}:
     * to make another program's change land between two steps of an operation.
     */
    public void beforeCall(String prefix, IORunnable action) {
        synchronized (log) {
            beforePrefix = prefix;
            beforeAction = action;
        }
    }

    private String beforePrefix;
    private IORunnable beforeAction;
    private volatile int runAtCall;
    private volatile IORunnable runAtAction;

    /**
     * Runs {@code action} just before call number {@code k} (1-based, counted as
     * {@link #failAt} counts, from the last arming) is carried out, then lets the call go on:
     * another program's change landing at every possible moment of an operation. 0 disarms.
     */
    public void runBefore(int k, IORunnable action) {
        runAtAction = action;
        runAtCall = k;
    }

    /**
     * A call that changed the filesystem, reported after it succeeded, with real (unwrapped)
     * paths: for recorders such as the crash-state explorer. {@code kind} is one of {@code open}
     * ({@code channel} is the new channel), {@code mkdir}, {@code symlink}, {@code link}
     * ({@code path} the new name, {@code other} the existing one), {@code delete}, {@code copy} and
     * {@code move} ({@code path} the source, {@code other} the target), and, on a channel
     * ({@code path} the name it was opened by), {@code write}, {@code truncate}, {@code force},
     * {@code close}.
     */
    public record Change(String kind, Path path, Path other, Object channel) {
    }

    private volatile java.util.function.Consumer<Change> changes;
    private volatile java.util.function.Predicate<Path> droppedForces = p -> false;

    /** Reports every change to {@code listener} (null: to nobody), from the thread that made it. */
    public void onChange(java.util.function.Consumer<Change> listener) {
        this.changes = listener;
    }

    /**
     * Makes {@code force} of a channel opened by a path that {@code which} accepts do nothing and
     * report nothing, as if the code had never asked for it (a skipped fsync, such as a missing
     * folder fsync): to show that a checker finds what such a defect would cause.
     */
    public void dropForce(java.util.function.Predicate<Path> which) {
        this.droppedForces = which;
    }

    boolean dropsForce(Path real) {
        return droppedForces.test(real);
    }

    void changed(String kind, Path path, Path other, Object channel) {
        java.util.function.Consumer<Change> listener = changes;
        if (listener != null) {
            listener.accept(new Change(kind, path, other, channel));
        }
    }

    private void runBefore(String what) throws IOException {
        IORunnable action = null;
        synchronized (log) {
            if (beforeAction != null && what.startsWith(beforePrefix)) {
                action = beforeAction;
                beforeAction = null;
            }
        }
        if (action != null) {
            action.run();
        }
    }

    /** Counts one call, and throws when it is the armed one. */
    void tick(String what) throws IOException {
        runBefore(what);
        int n = calls.incrementAndGet();
        IORunnable atThisCall = runAtAction;
        if (n == runAtCall && atThisCall != null) {
            runAtCall = 0;
            atThisCall.run();
        }
        if (recording) {
            synchronized (log) {
                log.add(n + " " + what);
            }
        }
        if (n == failAt && crash) {
            throw new SimulatedCrash("simulated crash at call " + n + ": " + what);
        }
        if (n == failAt) {
            IOException e = fault.get();
            e.addSuppressed(new IOException("(fault injected at call " + n + ": " + what + ")"));
            throw e;
        }
    }

    FileSystem delegate() {
        return delegate;
    }

    static Path unwrap(Path path) {
        if (path instanceof FaultyPath) {
            return ((FaultyPath) path).real();
        }
        throw new java.nio.file.ProviderMismatchException("not a faulty path: " + path);
    }

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return delegate.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        List<Path> roots = new ArrayList<>();
        delegate.getRootDirectories().forEach(r -> roots.add(path(r)));
        return roots;
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return delegate.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return delegate.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return path(delegate.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher matcher = delegate.getPathMatcher(syntaxAndPattern);
        return p -> matcher.matches(unwrap(p));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return delegate.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException();
    }

    /** The provider: every operation ticks, then delegates with unwrapped paths. */
    static final class Provider extends FileSystemProvider {
        private final FaultyFileSystem fs;
        private final FileSystemProvider real;

        Provider(FaultyFileSystem fs, FileSystemProvider real) {
            this.fs = fs;
            this.real = real;
        }

        @Override
        public String getScheme() {
            return "faulty";
        }

        @Override
        public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileSystem getFileSystem(URI uri) {
            return fs;
        }

        @Override
        public Path getPath(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                FileAttribute<?>... attrs) throws IOException {
            return newFileChannel(path, options, attrs);
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            fs.tick("open " + unwrap(path).getFileName() + " " + options);
            FaultyFileChannel channel = new FaultyFileChannel(fs, real.newFileChannel(unwrap(path), options, attrs),
                    unwrap(path));
            fs.changed("open", unwrap(path), null, channel);
            return channel;
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
                throws IOException {
            fs.tick("list " + unwrap(dir));
            DirectoryStream<Path> stream = real.newDirectoryStream(unwrap(dir), p -> filter.accept(fs.path(p)));
            return new DirectoryStream<>() {
                @Override
                public java.util.Iterator<Path> iterator() {
                    java.util.Iterator<Path> it = stream.iterator();
                    return new java.util.Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Path next() {
                            return fs.path(it.next());
                        }
                    };
                }

                @Override
                public void close() throws IOException {
                    stream.close();
                }
            };
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            fs.tick("mkdir " + unwrap(dir).getFileName());
            real.createDirectory(unwrap(dir), attrs);
            fs.changed("mkdir", unwrap(dir), null, null);
        }

        @Override
        public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
            fs.tick("symlink " + unwrap(link).getFileName());
            real.createSymbolicLink(unwrap(link), target instanceof FaultyPath ? unwrap(target) : target, attrs);
            fs.changed("symlink", unwrap(link), null, null);
        }

        @Override
        public void createLink(Path link, Path existing) throws IOException {
            fs.tick("link " + unwrap(link).getFileName() + " -> " + unwrap(existing).getFileName());
            real.createLink(unwrap(link), unwrap(existing));
            fs.changed("link", unwrap(link), unwrap(existing), null);
        }

        @Override
        public Path readSymbolicLink(Path link) throws IOException {
            fs.tick("readlink " + unwrap(link).getFileName());
            return fs.path(real.readSymbolicLink(unwrap(link)));
        }

        @Override
        public void delete(Path path) throws IOException {
            fs.tick("delete " + unwrap(path).getFileName());
            real.delete(unwrap(path));
            fs.changed("delete", unwrap(path), null, null);
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) throws IOException {
            fs.tick("copy " + unwrap(source).getFileName() + " -> " + unwrap(target).getFileName());
            real.copy(unwrap(source), unwrap(target), options);
            fs.changed("copy", unwrap(source), unwrap(target), null);
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            fs.tick("move " + unwrap(source).getFileName() + " -> " + unwrap(target).getFileName());
            real.move(unwrap(source), unwrap(target), options);
            fs.changed("move", unwrap(source), unwrap(target), null);
        }

        @Override
        public boolean isSameFile(Path path, Path path2) throws IOException {
            fs.tick("same " + unwrap(path).getFileName());
            return real.isSameFile(unwrap(path), unwrap(path2));
        }

        @Override
        public boolean isHidden(Path path) throws IOException {
            return real.isHidden(unwrap(path));
        }

        @Override
        public FileStore getFileStore(Path path) throws IOException {
            fs.tick("store " + unwrap(path).getFileName());
            return real.getFileStore(unwrap(path));
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            fs.tick("access " + unwrap(path).getFileName());
            real.checkAccess(unwrap(path), modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            V view = real.getFileAttributeView(unwrap(path), type, options);
            if (view == null || !type.isInterface()) {
                return view;
            }
            String name = String.valueOf(unwrap(path).getFileName());
            // Every method of a view that may touch the disk (they all declare IOException) counts.
            Object proxy = java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (self, method, args) -> {
                        if (java.util.Arrays.asList(method.getExceptionTypes()).contains(IOException.class)) {
                            fs.tick("view." + method.getName() + " " + name);
                        }
                        try {
                            return method.invoke(view, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            return type.cast(proxy);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
                throws IOException {
            fs.tick("stat " + unwrap(path).getFileName());
            return real.readAttributes(unwrap(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
                throws IOException {
            fs.tick("stat " + unwrap(path).getFileName() + " " + attributes);
            return real.readAttributes(unwrap(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
                throws IOException {
            fs.tick("setattr " + unwrap(path).getFileName() + " " + attribute);
            real.setAttribute(unwrap(path), attribute, value, options);
        }

        @Override
        public java.nio.channels.AsynchronousFileChannel newAsynchronousFileChannel(Path path,
                Set<? extends OpenOption> options, ExecutorService executor, FileAttribute<?>... attrs) {
            throw new UnsupportedOperationException();
        }
    }
}
