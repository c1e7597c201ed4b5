package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.RecoveryManager;
import io.atomicfiles.RecoveryPoint;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code RecoveryManager}: undoes newest first, from backups, at most three times until cleared. */
class RecoveryManagerTest {
    @TempDir
    Path dir;

    private final RecoveryManager recovery = new RecoveryManager();

    private Path text(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void undoesNewestFirstSoTheOldestBackupWins() throws IOException {
        Path config = text("config.json", "v1");
        Path first = text("config.v1", "v1");
        recovery.addRecoveryPoint("write", config, first);
        Files.writeString(config, "v2");
        Path second = text("config.v2", "v2");
        recovery.addRecoveryPoint("update", config, second, Map.of("step", 2));
        Files.writeString(config, "v3");
        Path created = text("created.txt", "new");
        recovery.addRecoveryPoint("create", created, null);

        assertThat(recovery.attemptRecovery(new IOException("deploy failed"))).isTrue();
        // Restoring v2 and then v1 leaves v1; the other order would have left v2.
        assertThat(Files.readString(config)).isEqualTo("v1");
        assertThat(created).doesNotExist();
        assertThat(Files.readString(first)).as("backups are kept").isEqualTo("v1");
        assertThat(recovery.recoveryStack()).extracting(RecoveryPoint::operation)
                .containsExactly("write", "update", "create");
        assertThat(recovery.recoveryStack().get(1).metadata()).containsEntry("step", 2);
    }

    @Test
    void aDeletedFileComesBackFromItsBackup() throws IOException {
        Path data = text("data.csv", "a,b\n");
        WriteResult rewritten = AtomicFiles.writeText(data, "c,d\n");
        Path backup = rewritten.backup().orElseThrow();
        Files.delete(data);
        recovery.addRecoveryPoint("delete", data, backup);
        assertThat(recovery.attemptRecovery(null)).isTrue();
        assertThat(Files.readString(data)).isEqualTo("a,b\n");
        assertThat(Files.readString(backup)).isEqualTo("a,b\n");
    }

    @Test
    void givesUpAfterThreeAttemptsUntilCleared() throws IOException {
        Path file = text("file.txt", "changed");
        Path backup = text("file.bak", "original");
        recovery.addRecoveryPoint("write", file, backup);
        for (int attempt = 1; attempt <= 3; attempt++) {
            Files.writeString(file, "changed again");
            assertThat(recovery.attemptRecovery(new IOException("fail " + attempt))).isTrue();
            assertThat(Files.readString(file)).isEqualTo("original");
        }
        Files.writeString(file, "changed a fourth time");
        assertThat(recovery.attemptRecovery(new IOException("fail 4"))).isFalse();
        assertThat(Files.readString(file)).as("the fourth attempt does nothing").isEqualTo("changed a fourth time");
        assertThat(recovery.attempts()).isEqualTo(3);

        recovery.clear();
        assertThat(recovery.recoveryStack()).isEmpty();
        recovery.addRecoveryPoint("write", file, backup);
        assertThat(recovery.attemptRecovery(new IOException("after clear"))).isTrue();
        assertThat(Files.readString(file)).isEqualTo("original");
    }

    @Test
    void aMissingBackupFailsThatPointButTheOthersAreStillUndone() throws IOException {
        Path a = text("a.txt", "a changed");
        Path aBackup = text("a.bak", "a original");
        recovery.addRecoveryPoint("write", a, aBackup);
        Path b = text("b.txt", "b changed");
        recovery.addRecoveryPoint("write", b, dir.resolve("gone.bak"));
        assertThat(recovery.attemptRecovery(new IOException("x"))).isFalse();
        assertThat(Files.readString(a)).isEqualTo("a original");
        assertThat(Files.readString(b)).isEqualTo("b changed");
    }

    @Test
    void unknownOperationsAndMissingBackupsAreRefusedUpFront() {
        assertThatThrownBy(() -> recovery.addRecoveryPoint("rename", dir.resolve("x"), dir.resolve("y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rename");
        assertThatThrownBy(() -> recovery.addRecoveryPoint("write", dir.resolve("x"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backup");
        assertThat(recovery.recoveryStack()).isEmpty();
    }
}
