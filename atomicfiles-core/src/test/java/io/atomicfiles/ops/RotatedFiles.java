package io.atomicfiles.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Reads a folder of rotated files as name → content (gzip files unpacked). */
final class RotatedFiles {
    private RotatedFiles() {
    }

    /**
     * Every file in {@code dir}: name → its text, {@code .gz} files decompressed (throws if one is
     * damaged). The folder's lock file ({@code .atomicfiles.lock}) is not a rotated file, and is
     * never opened: closing a descriptor of it would drop this JVM's locks in it.
     */
    static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> result = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().equals(".atomicfiles.lock")).toList()) {
                result.put(f.getFileName().toString(), read(f));
            }
        }
        return result;
    }

    static String read(Path f) throws IOException {
        if (!f.getFileName().toString().endsWith(".gz")) {
            return Files.readString(f);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void gzip(Path f, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
