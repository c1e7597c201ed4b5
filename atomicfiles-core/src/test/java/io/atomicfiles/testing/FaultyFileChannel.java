package io.atomicfiles.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** A channel of a {@link FaultyFileSystem}: every I/O call counts and may be the failing one. */
final class FaultyFileChannel extends FileChannel {
    private final FaultyFileSystem fs;
    private final FileChannel real;
    private final String name;
    /** The real path the channel was opened by (null when not known), for {@link FaultyFileSystem#onChange}. */
    private final java.nio.file.Path path;

    FaultyFileChannel(FaultyFileSystem fs, FileChannel real, String name) {
        this.fs = fs;
        this.real = real;
        this.name = name;
        this.path = null;
    }

    FaultyFileChannel(FaultyFileSystem fs, FileChannel real, java.nio.file.Path path) {
        this.fs = fs;
        this.real = real;
        this.name = String.valueOf(path.getFileName());
        this.path = path;
    }

    /** Reports a change made through this channel; returns {@code result}. */
    private <T> T changed(String kind, T result) {
        fs.changed(kind, path, null, this);
        return result;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        fs.tick("read " + name);
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        fs.tick("read " + name);
        return real.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        fs.tick("write " + name);
        return changed("write", real.write(src));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        fs.tick("write " + name);
        return changed("write", real.write(srcs, offset, length));
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        fs.tick("size " + name);
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        fs.tick("truncate " + name);
        real.truncate(size);
        return changed("truncate", this);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        fs.tick("force " + name);
        if (path != null && fs.dropsForce(path)) {
            return;
        }
        real.force(metaData);
        changed("force", null);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        fs.tick("transferTo " + name);
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        fs.tick("transferFrom " + name);
        return changed("write", real.transferFrom(src, position, count));
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        fs.tick("pread " + name);
        int start = dst.position();
        int n = real.read(dst, position);
        fs.corrupt(name, dst, start, position, n);
        return n;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        fs.tick("pwrite " + name);
        return changed("write", real.write(src, position));
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        fs.tick("map " + name);
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        fs.tick("lock " + name);
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        fs.tick("trylock " + name);
        return real.tryLock(position, size, shared);
    }

    /**
     * A failing close reports its error but releases the file all the same, as close(2) does:
     * the descriptor is gone whatever close returns. (Keeping the real channel open would be
     * a leak of this test filesystem, not of the code under test.)
     */
    @Override
    protected void implCloseChannel() throws IOException {
        try {
            fs.tick("close " + name);
        } finally {
            real.close();
            changed("close", null);
        }
    }
}
