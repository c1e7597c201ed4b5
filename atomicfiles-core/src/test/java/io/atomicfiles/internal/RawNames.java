package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
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
     * The file a {@code java.io.File} of {@code raw}'s text names, made and holding "decoy": what
     * a one-call {@code java.io} operation on that text would reach instead of {@code raw} (named
     * U+FFFD where the platform's encoding is UTF-8, "?" where it is ASCII).
     */
    static java.io.File decoyFor(Path raw) throws IOException {
        java.io.File decoy = new java.io.File(raw.toString());
        try (java.io.OutputStream out = new java.io.FileOutputStream(decoy)) {
            out.write("decoy".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return decoy;
    }

    static String read(java.io.File file) throws IOException {
        try (java.io.InputStream in = new java.io.FileInputStream(file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> names = Files.list(dir)) {
            return names.toList();
        }
    }
}
