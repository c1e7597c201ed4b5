package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.IORunnable;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.internal.Hashing;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FIFO, a device or a socket where a file is expected is refused, with its type named, and
 * left as it is. Without the check a write silently replaced a named pipe other programs talk
 * through, and anything that reads the target (an expected checksum, a backup by copy, a copy's
 * source) would block for ever on a FIFO. Each test is bounded by a timeout in a thread of its
 * own, so a regression shows as a failure, not a hung build.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpecialFileTest {
    @TempDir
    Path dir;

    @Test
    void aFifoAtTheTargetIsRefusedAndKept() throws Exception {
        Path fifo = mkfifo(dir.resolve("pipe"));

        refused(() -> AtomicFiles.writeText(fifo, "x"), "a FIFO (named pipe)");
        refused(() -> AtomicFiles.writeText(fifo, "x", WriteOptions.builder().backup(false).build()), "FIFO");
        refused(() -> AtomicFiles.writeText(fifo, "x",
                WriteOptions.builder().expectedChecksum(Hashing.sha256Hex(new byte[0])).build()), "FIFO");
        refused(() -> AtomicFiles.writeText(fifo, "x", WriteOptions.builder().createNew(true).build()), "FIFO");

        assertThat(isFifo(fifo)).isTrue();
        assertThat(Folders.names(dir)).containsExactly("pipe");
    }

    @Test
    void aLinkToAFifoIsRefusedToo() throws Exception {
        Path fifo = mkfifo(dir.resolve("pipe"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), fifo.getFileName());

        refused(() -> AtomicFiles.writeText(link, "x"), "FIFO");

        assertThat(isFifo(fifo)).isTrue();
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void copyMoveAndRotateRefuseAFifo() throws Exception {
        Path fifo = mkfifo(dir.resolve("pipe"));
        Path file = Files.writeString(dir.resolve("file.txt"), "content");

        refused(() -> AtomicFiles.copy(fifo, dir.resolve("copy.txt")), "the source is a FIFO (named pipe)");
        refused(() -> AtomicFiles.copy(file, fifo), "FIFO");
        refused(() -> AtomicFiles.move(file, fifo), "FIFO");
        refused(() -> AtomicFiles.move(fifo, dir.resolve("moved")), "the source is a FIFO");
        refused(() -> AtomicFiles.rotate(fifo, 3), "FIFO");

        assertThat(isFifo(fifo)).isTrue();
        assertThat(file).hasContent("content");
        assertThat(Folders.names(dir)).containsExactly("file.txt", "pipe");
    }

    @Test
    void aSocketIsRefused() throws Exception {
        Path socket = dir.resolve("app.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));

            refused(() -> AtomicFiles.writeText(socket, "x"), "a socket");

            assertThat(Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).isTrue();
        }
    }

    @Test
    void aDeviceIsRefused() throws Exception {
        // The null device, made here (mknod needs root): never /dev/null itself.
        Path device = dir.resolve("null");
        Assumptions.assumeTrue(exec("mknod", device.toString(), "c", "1", "3") == 0,
                "skipped: mknod is not allowed here");

        refused(() -> AtomicFiles.writeText(device, "x"), "a character device");

        assertThat(Files.isRegularFile(device, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Folders.names(dir)).containsExactly("null");
    }

    /** The library's own refusal, naming the type (not some I/O error of a half-done attempt). */
    private static void refused(IORunnable operation, String type) {
        assertThatThrownBy(operation::run).isInstanceOf(AtomicWriteException.class).hasMessageContaining(type);
    }

    private static Path mkfifo(Path path) throws IOException, InterruptedException {
        Assumptions.assumeTrue(exec("mkfifo", path.toString()) == 0, "skipped: mkfifo failed");
        return path;
    }

    private static boolean isFifo(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0010000;
    }

    private static int exec(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return process.waitFor();
    }
}
