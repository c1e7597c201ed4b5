package io.atomicfiles.hadoop.testing;

import java.io.IOException;
import java.util.EnumSet;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.LeaseRecoverable;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A delegating {@link FileSystem} over a real one (HDFS here) that calls a {@link Hook} before
 * every call the library makes: namespace calls, opens and creates, and {@code hsync} and
 * {@code close} of the streams it creates. Fault injection fails the k-th call from the hook;
 * other tests pause at a chosen call to do something to the cluster meanwhile.
 */
public final class HookedFileSystem extends FilterFileSystem implements LeaseRecoverable {
    /** Called before each call, with its name and path; may throw (a fault) or block (a pause). */
    @FunctionalInterface
    public interface Hook {
        void before(String call, Path path) throws IOException;
    }

    private volatile Hook hook = (call, path) -> { };

    public HookedFileSystem(FileSystem real) {
        super(real);
        setConf(real.getConf());
    }

    public void hook(Hook hook) {
        this.hook = hook == null ? (call, path) -> { } : hook;
    }

    private void before(String call, Path path) throws IOException {
        hook.before(call, path);
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        before("open", f);
        return super.open(f, bufferSize);
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, EnumSet<CreateFlag> flags, int bufferSize,
            short replication, long blockSize, Progressable progress, Options.ChecksumOpt checksumOpt)
            throws IOException {
        before("create", f);
        return hooked(f, super.create(f, permission, flags, bufferSize, replication, blockSize, progress,
                checksumOpt));
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
            short replication, long blockSize, Progressable progress) throws IOException {
        before("create", f);
        return hooked(f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
    }

    @Override
    public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) throws IOException {
        before("append", f);
        return hooked(f, super.append(f, bufferSize, progress));
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        before("rename", src);
        return super.rename(src, dst);
    }

    @Override
    protected void rename(Path src, Path dst, Options.Rename... options) throws IOException {
        before("rename", src);
        super.rename(src, dst, options);
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        before("delete", f);
        return super.delete(f, recursive);
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        before("getFileStatus", f);
        return super.getFileStatus(f);
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        before("listStatus", f);
        return super.listStatus(f);
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        before("mkdirs", f);
        return super.mkdirs(f, permission);
    }

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
        before("setPermission", p);
        super.setPermission(p, permission);
    }

    @Override
    public void setOwner(Path p, String username, String groupname) throws IOException {
        before("setOwner", p);
        super.setOwner(p, username, groupname);
    }

    @Override
    public boolean recoverLease(Path file) throws IOException {
        before("recoverLease", file);
        return ((LeaseRecoverable) getRawFileSystem()).recoverLease(file);
    }

    @Override
    public boolean isFileClosed(Path file) throws IOException {
        before("isFileClosed", file);
        return ((LeaseRecoverable) getRawFileSystem()).isFileClosed(file);
    }

    private FSDataOutputStream hooked(Path path, FSDataOutputStream out) throws IOException {
        return new FSDataOutputStream(out, null) {
            @Override
            public void hsync() throws IOException {
                before("hsync", path);
                super.hsync();
            }

            /** A failing close did its work first (the file is complete): nothing is left open. */
            @Override
            public void close() throws IOException {
                super.close();
                before("close", path);
            }
        };
    }
}
