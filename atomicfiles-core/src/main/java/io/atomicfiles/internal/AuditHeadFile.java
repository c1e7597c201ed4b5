package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The head file of an audit trail, {@code NAME.head} beside {@code NAME}: where it is, how it is
 * read, and how an append replaces it ({@link AuditLog} holds the trail's lock around both).
 */
final class AuditHeadFile {
    /** A head is one short JSON line; anything longer is not one. */
    private static final int MAX_BYTES = 4096;

    private AuditHeadFile() {
    }

    /** The head file beside a trail's file: {@code NAME.head}. */
    static Path of(Path file) {
        return file.resolveSibling(file.getFileName() + ".head");
    }

    /**
     * Replaces the head of the trail in {@code file} whole (step 2 of an append), by the write
     * protocol's own steps. The trail's lock, held by the caller, already keeps every other head
     * writer out, so the protocol's lock, backup and read-back are left out (the full
     * {@link WriteProtocol} doubled the cost of an append):
     * <ol>
     *   <li>a private temp file beside the head ({@link TempFiles#createBeside}: {@code CREATE_NEW},
     *       so a planted link is never followed; removed by a shutdown hook if the JVM exits
     *       first);</li>
     *   <li>the content written, and for a durable trail forced: the name never points at a torn
     *       head after a power loss;</li>
     *   <li>renamed over the head with {@code ATOMIC_MOVE}: a reader sees the old head or the new
     *       (no non-atomic fallback);</li>
     *   <li>for a durable trail, the folder forced: the rename survives a power loss.</li>
     * </ol>
     * On any failure before the rename the temp file is deleted and the old head stays.
     */
    static void write(Path file, AuditChain.Head head, boolean durable) throws IOException {
        Path target = of(file);
        TempFiles.TempFile temp = TempFiles.createBeside(target, durable, "audit");
        boolean renamed = false;
        try {
            try (FileChannel channel = temp.channel()) {
                ByteBuffer content = ByteBuffer.wrap(head.toBytes(file));
                for (long at = 0; content.hasRemaining(); ) {
                    at += channel.write(content, at);
                }
                if (durable) {
                    Fsync.file(channel, "audit", target, "fsync audit head");
                }
            }
            try {
                Files.move(temp.path(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw AtomicWriteException.failed("audit", target, "publish audit head (this filesystem cannot"
                        + " rename atomically; atomicfiles never falls back to a non-atomic replace)", e);
            }
            renamed = true;
            TempFiles.published(temp.path());
            if (durable) {
                Fsync.folder(target.getParent(), "audit", target);
            }
        } finally {
            if (!renamed) {
                TempFiles.deleteQuietly(temp.path());
            }
        }
    }

    /** A head file's content; null when there is none, or it is not a head record. */
    static AuditChain.Head read(Path head) throws IOException {
        byte[] content = readBytes(head);
        return content == null ? null : AuditChain.Head.parse(content);
    }

    /**
     * A head file's bytes, or null when there is none. Read without following a link: a link, a
     * FIFO or a device put there (or anything over {@value #MAX_BYTES} bytes) is no head, and
     * reads as empty content, which {@link AuditChain.Head#parse} rejects, rather than hanging or
     * reading something else.
     */
    static byte[] readBytes(Path head) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(head, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException none) {
            return null;
        }
        if (!attributes.isRegularFile() || attributes.size() > MAX_BYTES) {
            return new byte[0];
        }
        try (SeekableByteChannel channel = Files.newByteChannel(head, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer content = ByteBuffer.allocate(MAX_BYTES + 1);
            while (content.hasRemaining() && channel.read(content) >= 0) {
                // until the end, or more than a head can hold
            }
            return content.position() > MAX_BYTES ? new byte[0]
                    : java.util.Arrays.copyOf(content.array(), content.position());
        } catch (NoSuchFileException gone) {
            return null;
        }
    }
}
