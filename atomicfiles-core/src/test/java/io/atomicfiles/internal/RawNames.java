package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** File names Java cannot decode, made as another program would make them (by the shell). */
final class RawNames {
    private RawNames() {
    }

    /**
     * Makes a file in {@code dir} whose name is the bytes of {@code octal} (printf's escapes, as
     * {@code \377}), and returns its path as Java lists it (raw bytes kept).
     */
    static Path make(Path dir, String octal) throws IOException, InterruptedException {
        Process shell = new ProcessBuilder("sh", "-c", "printf raw > \"$(printf '" + octal + "')\"")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(shell.waitFor()).as(new String(shell.getInputStream().readAllBytes())).isZero();
        List<Path> undecodable = list(dir).stream().filter(p -> p.getFileName().toString().contains("\uFFFD")).toList();
        assertThat(undecodable).hasSize(1);
        return undecodable.get(0);
    }

    /**
     * A file named U+FFFD itself, in the encoding of the platform, holding "decoy": what a
     * {@code java.io.File} of an undecodable name would name; null where the encoding has no
     * U+FFFD (ASCII), where no such mistake can happen.
     */
    static Path decoyFor(Path dir) throws IOException {
        try {
            return Files.writeString(dir.resolve("\uFFFD"), "decoy");
        } catch (InvalidPathException noSuchName) {
            return null;
        }
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> names = Files.list(dir)) {
            return names.toList();
        }
    }
}
