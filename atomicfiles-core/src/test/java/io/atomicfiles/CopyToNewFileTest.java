package io.atomicfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copying to a file that does not exist yet (the common case), and onto itself. */
class CopyToNewFileTest {
    @TempDir
    Path dir;

    @Test
    void copyCreatesANewTargetAndItsMissingFolders() throws IOException {
        Path source = dir.resolve("orders.csv");
        Files.writeString(source, "order,amount\nA-17,40.00\n");
        Path target = dir.resolve("mirror/2024/orders.csv");

        WriteResult result = AtomicFiles.copy(source, target);

        assertThat(Files.readString(target)).isEqualTo("order,amount\nA-17,40.00\n");
        assertThat(result.sha256()).isEqualTo(AtomicFiles.checksum(source));
        assertThat(result.backup()).isEmpty();
        assertThat(Files.readString(source)).isEqualTo("order,amount\nA-17,40.00\n");
    }

    @Test
    void copyOntoItselfIsRefusedAndLeavesTheFile() throws IOException {
        Path source = dir.resolve("orders.csv");
        Files.writeString(source, "A-17\n");

        assertThatThrownBy(() -> AtomicFiles.copy(source, source)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same file");
        assertThat(Files.readString(source)).isEqualTo("A-17\n");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".atomicfiles.lock")))
                    .containsExactly("orders.csv");
        }
    }
}
