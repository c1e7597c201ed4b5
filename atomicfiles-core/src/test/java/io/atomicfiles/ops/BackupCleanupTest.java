package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AuditEntry;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.internal.BackupCleanup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cleanupBackups} removes matching files strictly older than the limit, and nothing else. */
class BackupCleanupTest {
    @TempDir
    Path dir;

    private final AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(), WriteOptions.defaults());

    private Path file(String name, Instant modified) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, name);
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void removesOnlyBackupsOlderThanMaxAge() throws IOException {
        Instant now = Instant.now();
        file("old.json.backup", now.minus(Duration.ofHours(30)));
        file("older.txt.backup", now.minus(Duration.ofDays(9)));
        file("recent.json.backup", now.minus(Duration.ofHours(2)));
        file("old.json", now.minus(Duration.ofDays(9)));
        file("old.json.deleted_backup", now.minus(Duration.ofDays(9)));
        Files.createDirectory(dir.resolve("folder.backup"));
        Files.setLastModifiedTime(dir.resolve("folder.backup"), FileTime.from(now.minus(Duration.ofDays(9))));

        assertThat(ops.cleanupBackups(dir, Duration.ofHours(24))).isEqualTo(2);
        assertThat(names()).containsExactly("folder.backup", "old.json", "old.json.deleted_backup",
                "recent.json.backup");
        assertThat(ops.auditTrail().entries()).singleElement().extracting(AuditEntry::operation, AuditEntry::status)
                .containsExactly("cleanup_backups", "completed");
    }

    @Test
    void aGlobChoosesOtherFiles() throws IOException {
        Instant old = Instant.now().minus(Duration.ofDays(3));
        file("a.deleted_backup", old);
        file("b.backup", old);
        assertThat(ops.cleanupBackups(dir, Duration.ofDays(1), "*.deleted_backup")).isEqualTo(1);
        assertThat(names()).containsExactly("b.backup");
    }

    @Test
    void aFileExactlyAtTheLimitStaysAndOneAMillisecondOlderGoes() throws IOException {
        Instant cutoff = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofHours(1));
        file("at-limit.backup", cutoff);
        file("just-older.backup", cutoff.minusMillis(1));
        file("just-younger.backup", cutoff.plusMillis(1));
        assertThat(BackupCleanup.removeOlderThan(dir, "*.backup", cutoff)).isEqualTo(1);
        assertThat(names()).containsExactly("at-limit.backup", "just-younger.backup");
    }

    @Test
    void symbolicLinksAreNeverFollowedOrRemoved() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        Path target = outside.resolve("precious.backup");
        Files.writeString(target, "keep me");
        Files.setLastModifiedTime(target, FileTime.from(Instant.now().minus(Duration.ofDays(9))));
        Files.createSymbolicLink(dir.resolve("link.backup"), target);
        assertThat(ops.cleanupBackups(dir, Duration.ZERO)).isZero();
        assertThat(Files.readString(target)).isEqualTo("keep me");
        Files.delete(dir.resolve("link.backup"));
        Files.delete(target);
        Files.delete(outside);
    }

    @Test
    void aMissingFolderOrNegativeAgeIsAnError() {
        assertThatThrownBy(() -> ops.cleanupBackups(dir.resolve("nope"), Duration.ofHours(1)))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> ops.cleanupBackups(dir, Duration.ofHours(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
