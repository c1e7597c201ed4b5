package io.atomicfiles.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * An open folder below a confinement root, reached from the root one component at a time
 * without following any symbolic link ({@code openat(O_NOFOLLOW)} through
 * {@link SecureDirectoryStream}), so that calls relative to it ({@code renameat},
 * {@code unlinkat}, {@code fstatat}) act in that very folder, whatever is swapped on the path
 * afterwards: a swap can no longer redirect them.
 */
final class FolderHandle implements Closeable {
    private final SecureDirectoryStream<Path> stream;

    private FolderHandle(SecureDirectoryStream<Path> stream) {
        this.stream = stream;
    }

    /** Thrown when a component on the way is a symbolic link. */
    static final class LinkOnTheWay extends IOException {
        private static final long serialVersionUID = 1L;
        final transient Path link;

        LinkOnTheWay(Path link) {
            super(link + " is a symbolic link");
            this.link = link;
        }
    }

    /**
     * Opens {@code folder}, which lies below {@code root}: the root by its path (its own path is
     * trusted, and checked by {@link Confinement#check} just before), every folder below it
     * relative to its parent's descriptor, never following a link.
     *
     * @return the open folder, or null when this cannot be done here: the filesystem has no
     *     {@link SecureDirectoryStream}, or a folder on the way may be passed but not opened
     *     (search permission without read permission)
     * @throws LinkOnTheWay when a folder on the way is a symbolic link
     * @throws NoSuchFileException when a folder on the way is missing
     */
    static FolderHandle open(Path root, Path folder) throws IOException {
        DirectoryStream<Path> top;
        try {
            top = Files.newDirectoryStream(root);
        } catch (AccessDeniedException e) {
            return null;
        }
        if (!(top instanceof SecureDirectoryStream)) {
            top.close();
            return null;
        }
        SecureDirectoryStream<Path> current = (SecureDirectoryStream<Path>) top;
        Path reached = root;
        try {
            for (Path name : folder.equals(root) ? java.util.List.<Path>of() : root.relativize(folder)) {
                reached = reached.resolve(name.toString());
                SecureDirectoryStream<Path> next;
                try {
                    next = current.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
                } catch (AccessDeniedException e) {
                    current.close();
                    return null;
                } catch (FileSystemException e) {
                    BasicFileAttributes seen = attributes(current, name);
                    if (seen != null && seen.isSymbolicLink()) {
                        throw new LinkOnTheWay(reached);
                    }
                    throw e;
                }
                current.close();
                current = next;
            }
            return new FolderHandle(current);
        } catch (IOException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /** {@code renameat(this, from, to folder, to)}: atomic, replacing {@code to} (Linux's rename). */
    void moveTo(Path fromName, FolderHandle toFolder, Path toName) throws IOException {
        stream.move(fromName, toFolder.stream, toName);
    }

    /** {@code openat(this, name, O_RDONLY | O_NOFOLLOW)}: the file in this very folder, never a link. */
    java.io.InputStream newInputStream(Path name) throws IOException {
        return java.nio.channels.Channels.newInputStream(stream.newByteChannel(name,
                java.util.Set.of(java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
    }

    /** {@code unlinkat(this, name)}; false when there was nothing. */
    boolean deleteIfExists(Path name) throws IOException {
        try {
            stream.deleteFile(name);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** {@code fstatat(this, name, AT_SYMLINK_NOFOLLOW)}, or null when there is nothing. */
    BasicFileAttributes attributes(Path name) throws IOException {
        return attributes(stream, name);
    }

    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> in, Path name) throws IOException {
        try {
            return in.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
