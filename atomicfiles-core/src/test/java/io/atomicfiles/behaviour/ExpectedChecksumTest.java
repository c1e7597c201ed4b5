package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Optimistic concurrency: a write demands that the file still has the content it was read with. */
class ExpectedChecksumTest {
    @TempDir
    Path dir;

    @Test
    void matchingChecksumWrites() throws IOException {
        Path file = Files.writeString(dir.resolve("doc.txt"), "version 1");
        String read = sha256("version 1");

        AtomicFiles.writeText(file, "version 2", expecting(read));
        AtomicFiles.writeText(file, "version 3", expecting(sha256("version 2").toUpperCase(Locale.ROOT)));

        assertThat(Files.readString(file)).isEqualTo("version 3");
    }

    @Test
    void theResultOfOneWriteIsTheExpectationOfTheNext() throws IOException {
        Path file = dir.resolve("chain.txt");
        WriteResult first = AtomicFiles.writeText(file, "a");
        WriteResult second = AtomicFiles.writeText(file, "b", expecting(first.sha256()));

        assertThatThrownBy(() -> AtomicFiles.writeText(file, "c", expecting(first.sha256())))
                .as("a stale expectation").isInstanceOf(IntegrityException.class);
        AtomicFiles.writeText(file, "c", expecting(second.sha256()));

        assertThat(Files.readString(file)).isEqualTo("c");
    }

    @Test
    void mismatchThrowsWithExpectedAndActualAndWritesNothing() throws IOException {
        Path file = Files.writeString(dir.resolve("doc.txt"), "changed by someone");
        String stale = sha256("what I read earlier");

        assertThatThrownBy(() -> AtomicFiles.writeText(file, "mine", expecting(stale)))
                .isInstanceOfSatisfying(IntegrityException.class, e -> {
                    assertThat(e.getExpectedChecksum()).isEqualTo(stale);
                    assertThat(e.getActualChecksum()).isEqualTo(sha256("changed by someone"));
                    assertThat(e.getMessage()).contains(stale).contains(e.getActualChecksum()).contains("doc.txt");
                    assertThat(e.getOperationContext()).containsEntry("expectedSha256", stale);
                });

        assertThat(Files.readString(file)).isEqualTo("changed by someone");
        assertThat(Folders.names(dir)).containsExactly("doc.txt");
    }

    @Test
    void aChangeBetweenOpenAndCommitIsDetectedAtCommit() throws IOException {
        Path file = Files.writeString(dir.resolve("doc.txt"), "original");

        try (AtomicWriter writer = AtomicWriter.open(file, expecting(sha256("original")))) {
            writer.writeText("mine");
            Files.writeString(file, "edited by another program, which takes no lock");
            assertThatThrownBy(writer::commit).isInstanceOfSatisfying(IntegrityException.class, e ->
                    assertThat(e.getActualChecksum())
                            .isEqualTo(sha256("edited by another program, which takes no lock")));
        }

        assertThat(Files.readString(file)).isEqualTo("edited by another program, which takes no lock");
        assertThat(Folders.names(dir)).containsExactly("doc.txt");
    }

    @Test
    void aSameSizeChangeWithTheOldTimestampIsDetectedToo() throws IOException {
        // Timestamps are coarse on many filesystems (2 s on FAT, a jiffy on older Linux kernels),
        // and tools such as cp -p and rsync -t set them: size and time say nothing about content.
        Path file = Files.writeString(dir.resolve("doc.txt"), "original");
        FileTime before = Files.getLastModifiedTime(file);

        try (AtomicWriter writer = AtomicWriter.open(file, expecting(sha256("original")))) {
            writer.writeText("mine");
            Files.writeString(file, "ORIGINAL"); // same size, same file
            Files.setLastModifiedTime(file, before);
            assertThatThrownBy(writer::commit).isInstanceOf(IntegrityException.class);
        }

        assertThat(Files.readString(file)).isEqualTo("ORIGINAL");
        assertThat(Folders.names(dir)).containsExactly("doc.txt");
    }

    @Test
    void aTargetDeletedBetweenOpenAndCommitIsDetected() throws IOException {
        Path file = Files.writeString(dir.resolve("doc.txt"), "original");

        try (AtomicWriter writer = AtomicWriter.open(file, expecting(sha256("original")))) {
            writer.writeText("mine");
            Files.delete(file);
            assertThatThrownBy(writer::commit).isInstanceOfSatisfying(IntegrityException.class,
                    e -> assertThat(e.getActualChecksum()).isEqualTo("absent"));
        }

        assertThat(Folders.names(dir)).isEmpty();
    }

    @Test
    void anAbsentTargetFailsAnExpectation() throws IOException {
        Path file = dir.resolve("missing.txt");

        assertThatThrownBy(() -> AtomicFiles.writeText(file, "mine", expecting(sha256(""))))
                .isInstanceOfSatisfying(IntegrityException.class,
                        e -> assertThat(e.getActualChecksum()).isEqualTo("absent"));

        assertThat(Folders.names(dir)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "not a checksum",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
        "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        " 123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"})
    void malformedChecksumIsRejectedByTheBuilder(String malformed) {
        assertThatThrownBy(() -> WriteOptions.builder().expectedChecksum(malformed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expectedChecksum");
    }

    private static WriteOptions expecting(String sha256) {
        return WriteOptions.builder().expectedChecksum(sha256).build();
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
