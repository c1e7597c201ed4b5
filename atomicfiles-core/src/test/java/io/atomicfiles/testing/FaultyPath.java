package io.atomicfiles.testing;

import java.io.File;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;

/** A path of a {@link FaultyFileSystem}: a real path, seen through the faulty provider. */
public final class FaultyPath implements Path {
    private final FaultyFileSystem fs;
    private final Path real;

    FaultyPath(FaultyFileSystem fs, Path real) {
        this.fs = fs;
        this.real = real;
    }

    /** The real path behind this one. */
    public Path real() {
        return real;
    }

    private Path wrap(Path p) {
        return p == null ? null : new FaultyPath(fs, p);
    }

    private static Path inner(Path other) {
        return other instanceof FaultyPath ? ((FaultyPath) other).real : other;
    }

    @Override
    public FileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return real.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return wrap(real.getRoot());
    }

    @Override
    public Path getFileName() {
        return wrap(real.getFileName());
    }

    @Override
    public Path getParent() {
        return wrap(real.getParent());
    }

    @Override
    public int getNameCount() {
        return real.getNameCount();
    }

    @Override
    public Path getName(int index) {
        return wrap(real.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return wrap(real.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        return real.startsWith(inner(other));
    }

    @Override
    public boolean endsWith(Path other) {
        return real.endsWith(inner(other));
    }

    @Override
    public Path normalize() {
        return wrap(real.normalize());
    }

    @Override
    public Path resolve(Path other) {
        return wrap(real.resolve(inner(other)));
    }

    @Override
    public Path relativize(Path other) {
        return wrap(real.relativize(inner(other)));
    }

    @Override
    public URI toUri() {
        return real.toUri();
    }

    @Override
    public Path toAbsolutePath() {
        return wrap(real.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws java.io.IOException {
        fs.tick("realpath " + real.getFileName());
        return wrap(real.toRealPath(options));
    }

    @Override
    public File toFile() {
        throw new UnsupportedOperationException("a faulty path has no java.io.File");
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int compareTo(Path other) {
        return real.compareTo(inner(other));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FaultyPath && ((FaultyPath) o).fs == fs && ((FaultyPath) o).real.equals(real);
    }

    @Override
    public int hashCode() {
        return Objects.hash(real);
    }

    @Override
    public String toString() {
        return real.toString();
    }
}
