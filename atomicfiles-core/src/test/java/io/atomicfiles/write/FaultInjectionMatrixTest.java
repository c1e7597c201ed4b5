package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.Durability;
import io.atomicfiles.IORunnable;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.internal.ScriptedTempNames;
import io.atomicfiles.testing.FaultSweep;
import io.atomicfiles.testing.FaultSweep.Fault;
import io.atomicfiles.testing.FaultyFileSystem;
import io.atomicfiles.testing.GeneratedBytes;
import io.atomicfiles.testing.OpenFiles;
import io.atomicfiles.testing.TmpfsMount;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault injection across the write operations: for every k, an operation whose k-th filesystem
 * call fails (with a plain I/O error, or with "No space left on device") leaves every file it
 * touches in its old or its new state, byte for byte, with its permissions, no temp file
 * ({@code .NAME.tmp-*}, also the backup's) anywhere and no file left open; the thrown exception
 * carries the injected one. A run that returns normally must have done all of its work: the new
 * content, and the backup holding exactly the replaced content. A moved file is, at every k, in
 * one place at least, intact.
 *
 * <p>This test found that copying to a new file always failed, and that a stat that failed was
 * taken for "no such file": a link replaced by a regular file, a mode reset to the umask's, a
 * backup skipped, a missing source reported (see the commit "core fix: I/O errors taken for
 * absent").
 *
 * <p>On this filesystem (not the default one) every write walks its folder component by
 * component (each link checked) and looks for a killed writer's temp files, as the first write
 * of a process into a folder does on the default filesystem, so those calls fail in turn too.
 */
class FaultInjectionMatrixTest {
    private static final Set<PosixFilePermission> OLD_MODE = PosixFilePermissions.fromString("rw-r-----");
    private static final Set<PosixFilePermission> SOURCE_MODE = PosixFilePermissions.fromString("rw----r--");
    private static final byte[] OLDER = bytes("older content, in the backup before the write");
    private static final byte[] OLD = bytes("old content");
    private static final byte[] NEW = bytes("new content, longer than the old one");

    private static long started;
    private static int runs;

    @TempDir
    Path dir;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    @BeforeAll
    static void startClock() {
        started = System.nanoTime();
    }

    @AfterAll
    static void printTotals() {
        System.out.printf("FaultInjectionMatrixTest: %d faulty runs in %d ms%n", runs,
                (System.nanoTime() - started) / 1_000_000);
    }

    static Stream<Arguments> durabilitiesAndFaults() {
        return Stream.of(Durability.values())
                .flatMap(d -> Stream.of(Fault.values()).map(f -> Arguments.of(d, f)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("durabilitiesAndFaults")
    void writeBytesOverAnExistingFile(Durability durability, Fault fault) throws IOException {
        Path target = dir.resolve("target.bin");
        WriteOptions options = WriteOptions.builder().durability(durability).build();
        sweep(fault, () -> existing(target, OLD), () -> AtomicFiles.writeBytes(faulty.path(target), NEW, options),
                (k, failure) -> assertReplaced(k, target, OLD, NEW, failure));
    }

    /** Content of several chunks, streamed: each chunk is its own write call that may fail. */
    @ParameterizedTest
    @EnumSource(Fault.class)
    void streamSeveralChunks(Fault fault) throws IOException {
        Path target = dir.resolve("stream.bin");
        byte[] large = GeneratedBytes.of(7, 1_300_000).readAllBytes();
        sweep(fault, () -> existing(target, OLD), () -> AtomicFiles.write(faulty.path(target), WriteOptions.defaults(),
                writer -> {
                    try (OutputStream out = writer.outputStream()) {
                        for (int at = 0; at < large.length; at += 100_000) {
                            out.write(large, at, Math.min(100_000, large.length - at));
                        }
                    }
                }), (k, failure) -> assertReplaced(k, target, OLD, large, failure));
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void writeJsonWithASchema(Fault fault) throws IOException {
        Path target = dir.resolve("user.json");
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("name", "age"),
                "properties", Map.of("name", Map.of("type", "string"), "age", Map.of("type", "integer")));
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("name", "Zoë");
        user.put("age", 42);
        WriteOptions options = WriteOptions.builder().schema(schema).build();
        byte[] oldJson = bytes("{\n  \"name\": \"Old\",\n  \"age\": 1\n}\n");
        byte[][] newJson = new byte[1][];
        sweep(fault, () -> existing(target, oldJson), () -> AtomicFiles.writeJson(faulty.path(target), user, options),
                (k, failure) -> {
                    if (k == 0) {
                        // The fault-free run defines the new bytes; they must be the document.
                        newJson[0] = Files.readAllBytes(target);
                        assertThat(Codecs.readMap(target, DataFormat.JSON)).isEqualTo(user);
                    }
                    assertReplaced(k, target, oldJson, newJson[0], failure);
                });
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void writeANewFile(Fault fault) throws IOException {
        Path target = dir.resolve("new.bin");
        sweep(fault, this::emptyFolder, () -> AtomicFiles.writeBytes(faulty.path(target), NEW),
                (k, failure) -> assertCreated(k, target, NEW, failure, plainNewFileMode()));
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void writeANewFileInFoldersThatDoNotExistYet(Fault fault) throws IOException {
        Path target = dir.resolve("a").resolve("b").resolve("new.bin");
        sweep(fault, this::emptyFolder, () -> AtomicFiles.writeBytes(faulty.path(target), NEW),
                (k, failure) -> assertCreated(k, target, NEW, failure, plainNewFileMode()));
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void writeThroughASymbolicLink(Fault fault) throws IOException {
        Path real = dir.resolve("real.txt");
        Path link = dir.resolve("link.txt");
        sweep(fault, () -> {
            existing(real, OLD);
            Files.createSymbolicLink(link, real.getFileName());
        }, () -> AtomicFiles.writeBytes(faulty.path(link), NEW), (k, failure) -> {
            assertThat(Files.isSymbolicLink(link)).as("k=%d: the link is still a link", k).isTrue();
            assertThat(Files.readSymbolicLink(link)).as("k=%d: and points where it did", k)
                    .isEqualTo(real.getFileName());
            assertReplaced(k, real, OLD, NEW, failure);
        });
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void copyOverAnExistingFile(Fault fault) throws IOException {
        Path source = dir.resolve("source.bin");
        Path target = dir.resolve("target.bin");
        sweep(fault, () -> {
            existing(target, OLD);
            source(source);
        }, () -> AtomicFiles.copy(faulty.path(source), faulty.path(target)), (k, failure) -> {
            assertThat(Files.readAllBytes(source)).as("k=%d: the source is untouched", k).isEqualTo(NEW);
            assertReplaced(k, target, OLD, NEW, failure);
        });
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void copyToANewFile(Fault fault) throws IOException {
        Path source = dir.resolve("source.bin");
        Path target = dir.resolve("copy.bin");
        sweep(fault, () -> {
            emptyFolder();
            source(source);
        }, () -> AtomicFiles.copy(faulty.path(source), faulty.path(target)), (k, failure) -> {
            assertThat(Files.readAllBytes(source)).as("k=%d: the source is untouched", k).isEqualTo(NEW);
            assertCreated(k, target, NEW, failure, SOURCE_MODE);
        });
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void moveOverAnExistingFile(Fault fault) throws IOException {
        Path source = dir.resolve("source.bin");
        Path target = dir.resolve("target.bin");
        sweep(fault, () -> {
            existing(target, OLD);
            source(source);
        }, () -> AtomicFiles.move(faulty.path(source), faulty.path(target)), (k, failure) -> {
            assertMovedOrNot(source, target, k, failure);
            assertThat(Files.exists(target, LinkOption.NOFOLLOW_LINKS)).as("k=%d: the target is never absent", k)
                    .isTrue();
            byte[] now = Files.readAllBytes(target);
            assertThat(now).as("k=%d: the target is old or moved", k)
                    .satisfiesAnyOf(b -> assertThat(b).isEqualTo(OLD), b -> assertThat(b).isEqualTo(NEW));
            assertBackup(k, target, OLD, failure);
        });
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void moveToANewFile(Fault fault) throws IOException {
        Path source = dir.resolve("source.bin");
        Path target = dir.resolve("sub").resolve("moved.bin");
        sweep(fault, () -> {
            emptyFolder();
            source(source);
        }, () -> AtomicFiles.move(faulty.path(source), faulty.path(target)), (k, failure) -> {
            assertMovedOrNot(source, target, k, failure);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                assertThat(Files.readAllBytes(target)).as("k=%d: the new file is the moved one", k).isEqualTo(NEW);
            }
            assertThat(target.resolveSibling("moved.bin.backup")).as("k=%d: no backup of nothing", k)
                    .doesNotExist();
        });
    }

    /**
     * {@code NAME.backup} is a hard link of {@code NAME}: the state a crash between a write's two
     * renames leaves. The backup's rename is then a no-op (POSIX), and its temp link must go.
     */
    @ParameterizedTest
    @EnumSource(Fault.class)
    void writeOverAFileWhoseBackupIsAHardLinkOfIt(Fault fault) throws IOException {
        Path target = dir.resolve("target.bin");
        Path backup = dir.resolve("target.bin.backup");
        sweep(fault, () -> {
            existing(target, OLD);
            Files.delete(backup);
            Files.createLink(backup, target);
        }, () -> AtomicFiles.writeBytes(faulty.path(target), NEW), (k, failure) -> {
            byte[] actual = Files.readAllBytes(target);
            if (failure == null) {
                assertThat(actual).as("k=%d: a write that returned normally published the new content", k)
                        .isEqualTo(NEW);
            } else {
                assertThat(actual).as("k=%d: after %s", k, failure)
                        .satisfiesAnyOf(b -> assertThat(b).isEqualTo(OLD), b -> assertThat(b).isEqualTo(NEW));
            }
            assertThat(Files.readAllBytes(backup)).as("k=%d: the backup holds the old content", k).isEqualTo(OLD);
            assertThat(Files.getPosixFilePermissions(target)).isEqualTo(OLD_MODE);
        });
    }

    /** The first write into a folder removes what a killed writer left there; that step may fail too. */
    @ParameterizedTest
    @EnumSource(Fault.class)
    void firstWriteIntoAFolderWithAKilledWritersTempFile(Fault fault) throws IOException {
        Path target = dir.resolve("target.bin");
        Path leftover = dir.resolve(ScriptedTempNames.tempNameOfAGoneWriter("target.bin", "zzzzzzzzzzzz"));
        sweep(fault, () -> {
            existing(target, OLD);
            Files.write(leftover, NEW);
        }, () -> AtomicFiles.writeBytes(faulty.path(target), NEW), (k, failure) -> {
            assertReplaced(k, target, OLD, NEW, failure);
            if (k == 0) {
                assertThat(leftover).as("a fault-free first write removes the leftover").doesNotExist();
            }
        }, leftover);
    }

    /**
     * Across filesystems no rename can move the file: it is copied through the write protocol,
     * then the source is deleted. Whatever call fails, the file is in one place at least.
     */
    @ParameterizedTest
    @EnumSource(Fault.class)
    void moveAcrossFilesystems(Fault fault, @TempDir Path elsewhere) throws Exception {
        try (TmpfsMount other = TmpfsMount.mountOrSkip(elsewhere.resolve("tmpfs"), "size=1m")) {
            Path source = other.folder().resolve("source.bin");
            Path target = dir.resolve("target.bin");
            sweep(fault, () -> {
                existing(target, OLD);
                Files.deleteIfExists(source);
                source(source);
            }, () -> AtomicFiles.move(faulty.path(source), faulty.path(target)), (k, failure) -> {
                assertMovedOrNot(source, target, k, failure);
                byte[] now = Files.readAllBytes(target);
                assertThat(now).as("k=%d: the target is old or moved", k)
                        .satisfiesAnyOf(b -> assertThat(b).isEqualTo(OLD), b -> assertThat(b).isEqualTo(NEW));
                assertBackup(k, target, OLD, failure);
                assertThat(OpenFiles.under(other.folder())).as("k=%d: files left open (%s)", k, failure).isEmpty();
                try (Stream<Path> files = Files.list(other.folder())) {
                    assertThat(files.map(Path::getFileName).map(Path::toString).filter(n -> !n.equals("source.bin")))
                            .as("k=%d: nothing else on the source's filesystem", k).isEmpty();
                }
            });
        }
    }

    // ------------------------------------------------------------------ the sweep and its checks

    private void sweep(Fault fault, IORunnable prepare, IORunnable operation, FaultSweep.Check check)
            throws IOException {
        sweep(fault, prepare, operation, check, null);
    }

    /** {@code mayRemain}: a killed writer's temp file, whose removal is best effort (a fault there lets the write go on). */
    private void sweep(Fault fault, IORunnable prepare, IORunnable operation, FaultSweep.Check check, Path mayRemain)
            throws IOException {
        FaultSweep.Summary summary = FaultSweep.everyCall(faulty, fault, prepare, operation, (k, failure) -> {
            runs++;
            check.after(k, failure);
            assertThat(tempFiles()).as("k=%d: temp files left behind (%s)", k, failure)
                    .allMatch(p -> p.equals(mayRemain));
            assertThat(OpenFiles.under(dir)).as("k=%d: files left open (%s)", k, failure).isEmpty();
        });
        // Most calls of a write are essential: when they fail, the write must fail too.
        assertThat(summary.failedRuns()).as("runs that failed, of %d calls", summary.calls())
                .isGreaterThan(summary.calls() / 2);
    }

    /**
     * {@code target} was {@code old} (mode {@link #OLD_MODE}, its backup {@link #OLDER}) and is
     * now old or new; new, with the old content as backup, when the write returned normally.
     */
    private static void assertReplaced(int k, Path target, byte[] old, byte[] now, IOException failure)
            throws IOException {
        byte[] actual = Files.readAllBytes(target);
        if (failure == null) {
            assertThat(actual).as("k=%d: a write that returned normally published the new content", k)
                    .isEqualTo(now);
        } else {
            assertThat(actual).as("k=%d: after %s", k, failure)
                    .satisfiesAnyOf(b -> assertThat(b).isEqualTo(old), b -> assertThat(b).isEqualTo(now));
        }
        assertThat(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.getPosixFilePermissions(target)).as("k=%d: the mode of the file is kept (after %s)", k,
                failure).isEqualTo(OLD_MODE);
        assertBackup(k, target, old, failure);
    }

    /** The backup holds the replaced content after a success; the older or the replaced one after a failure. */
    private static void assertBackup(int k, Path target, byte[] old, IOException failure) throws IOException {
        Path backup = target.resolveSibling(target.getFileName() + ".backup");
        byte[] actual = Files.readAllBytes(backup);
        if (failure == null) {
            assertThat(actual).as("k=%d: a write that returned normally kept the replaced content as backup", k)
                    .isEqualTo(old);
        } else {
            assertThat(actual).as("k=%d: backup after %s", k, failure)
                    .satisfiesAnyOf(b -> assertThat(b).isEqualTo(OLDER), b -> assertThat(b).isEqualTo(old));
        }
    }

    /** {@code target} did not exist and is now absent or new (with {@code mode}); new after a success. */
    private static void assertCreated(int k, Path target, byte[] now, IOException failure,
            Set<PosixFilePermission> mode) throws IOException {
        if (failure == null) {
            assertThat(target).as("k=%d: a write that returned normally created the file", k).exists();
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            assertThat(Files.readAllBytes(target)).as("k=%d: after %s", k, failure).isEqualTo(now);
            assertThat(Files.getPosixFilePermissions(target)).as("k=%d: mode of the new file (after %s)", k, failure)
                    .isEqualTo(mode);
        }
        assertThat(target.resolveSibling(target.getFileName() + ".backup")).doesNotExist();
    }

    /** The moved file is in one place at least, intact; only in the target after a success. */
    private static void assertMovedOrNot(Path source, Path target, int k, IOException failure) throws IOException {
        boolean atSource = Files.exists(source, LinkOption.NOFOLLOW_LINKS);
        boolean atTarget = Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                && Arrays.equals(Files.readAllBytes(target), NEW);
        assertThat(atSource || atTarget).as("k=%d: the file is somewhere (after %s)", k, failure).isTrue();
        if (atSource) {
            assertThat(Files.readAllBytes(source)).as("k=%d: the source is intact", k).isEqualTo(NEW);
        }
        if (failure == null) {
            assertThat(atSource).as("a move that returned normally removed the source").isFalse();
            assertThat(atTarget).as("a move that returned normally published the file").isTrue();
        }
    }

    // ------------------------------------------------------------------ files

    private void emptyFolder() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }

    /** An empty folder holding {@code target} with {@code content}, mode {@link #OLD_MODE}, and an older backup. */
    private void existing(Path target, byte[] content) throws IOException {
        emptyFolder();
        Files.write(target, content);
        Files.setPosixFilePermissions(target, OLD_MODE);
        Files.write(target.resolveSibling(target.getFileName() + ".backup"), OLDER);
    }

    private static void source(Path source) throws IOException {
        Files.write(source, NEW);
        Files.setPosixFilePermissions(source, SOURCE_MODE);
    }

    /** The mode that a plain file creation in this folder gets (0666 minus the umask). */
    private Set<PosixFilePermission> plainNewFileMode() throws IOException {
        Path probe = dir.resolve("mode-probe");
        try {
            Files.write(probe, new byte[0]);
            return Files.getPosixFilePermissions(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> p.getFileName().toString().contains(".tmp-")).toList();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
