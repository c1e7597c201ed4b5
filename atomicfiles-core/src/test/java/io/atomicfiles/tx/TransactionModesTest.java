package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.TransactionOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The modes a transaction publishes, on both ways a staged file gets its mode: created with the
 * published mode when that grants nobody more than the published file will (the umask strips
 * none of its bits, its group bits grant nothing its other bits do not), else created owner-only
 * and given the mode before its content is forced. Either way the staged file of a private file
 * is never wider than private while it holds unpublished content, and what is published has the
 * old file's mode (a replaced file), the source's (a copy) or the umask's (a new file).
 */
class TransactionModesTest {
    @TempDir
    Path dir;
    @TempDir
    Path journals;

    /** The mode of every staged file seen while the transaction ran, by name. */
    private final Map<String, String> stagedModes = new ConcurrentHashMap<>();

    @BeforeEach
    void posixOnly() {
        assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).as("POSIX file modes").contains("posix");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r--r--", "rw-------", "rw-rw-r--", "rw-r-----", "rwxr-xr-x", "r--r--r--", "rw-rw-rw-"})
    void aReplacedFileKeepsItsMode(String mode) throws IOException {
        Path file = Files.writeString(dir.resolve("f.txt"), "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));

        commit(tx -> tx.addWrite(file, "new".getBytes(), ContentType.BYTES));

        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(modeOf(file)).isEqualTo(mode);
        assertThat(Files.readString(dir.resolve("f.txt.backup"))).isEqualTo("old");
        // Seen after its content was written: the mode it is published with, never wider.
        assertThat(stagedModes).isNotEmpty().allSatisfy((name, seen) -> assertThat(seen).isEqualTo(mode));
    }

    @Test
    void manyFilesOfDifferentModesInOneTransaction() throws IOException {
        List<String> modes = List.of("rw-r--r--", "rw-------", "rw-rw-r--", "rw-r-----", "rwx------");
        for (int i = 0; i < 20; i++) {
            Path file = Files.writeString(dir.resolve("f" + i), "old " + i);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(modes.get(i % modes.size())));
        }

        commit(tx -> {
            for (int i = 0; i < 20; i++) {
                tx.addWrite(dir.resolve("f" + i), ("new " + i).getBytes(), ContentType.BYTES);
            }
        });

        for (int i = 0; i < 20; i++) {
            assertThat(Files.readString(dir.resolve("f" + i))).isEqualTo("new " + i);
            assertThat(modeOf(dir.resolve("f" + i))).isEqualTo(modes.get(i % modes.size()));
        }
        assertThat(TxFiles.hiddenLeftovers(dir)).isEmpty();
    }

    @Test
    void aNewFileGetsTheUmasksModeAndACopyTheSources() throws IOException {
        Path source = Files.writeString(dir.resolve("source.txt"), "copied");
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r-----"));
        // What open(2) gives a new file in this process: 0666 & ~umask.
        Path probe = Files.createFile(dir.resolve("probe"));
        String umasks = modeOf(probe);
        Files.delete(probe);

        commit(tx -> {
            tx.addWrite(dir.resolve("new.txt"), "fresh".getBytes(), ContentType.BYTES);
            tx.addCopy(source, dir.resolve("copy.txt"));
        });

        assertThat(Files.readString(dir.resolve("new.txt"))).isEqualTo("fresh");
        assertThat(modeOf(dir.resolve("new.txt"))).isEqualTo(umasks);
        assertThat(Files.readString(dir.resolve("copy.txt"))).isEqualTo("copied");
        assertThat(modeOf(dir.resolve("copy.txt"))).isEqualTo("rw-r-----");
    }

    private interface Adds {
        void to(FileTransaction tx) throws IOException;
    }

    private void commit(Adds adds) throws IOException {
        TransactionOptions options = TransactionOptions.builder().journalDir(journals).showProgress(true)
                .progressListener(new ProgressListener() {
                    @Override
                    public void started(String task, long total) {
                    }

                    @Override
                    public void progressed(long done) {
                        // Called after a staged file's content is written, forced and read back.
                        try (Stream<Path> files = Files.list(dir)) {
                            files.filter(p -> p.getFileName().toString().endsWith(".stage"))
                                    .forEach(p -> stagedModes.put(p.getFileName().toString(), modeOf(p)));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }

                    @Override
                    public void finished(boolean succeeded) {
                    }
                }).build();
        try (FileTransaction tx = new FileTransaction(options)) {
            adds.to(tx);
            tx.commit();
        }
    }

    private static String modeOf(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        } catch (java.nio.file.NoSuchFileException e) {
            return "gone"; // renamed meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
