package io.atomicfiles.behaviour;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What a user sees in a folder: the names in it, and any temp file a write left behind. */
final class Folders {
    private Folders() {
    }

    /**
     * The names directly in {@code dir}, sorted (hidden ones included), but for the folder's lock
     * file {@code .atomicfiles.lock}, which every folder written into has by design.
     */
    static List<String> names(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".atomicfiles.lock"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every temp file ({@code .NAME.tmp-*}) anywhere under {@code dir}. */
    static List<Path> tempFilesUnder(Path dir) {
        try (Stream<Path> entries = Files.walk(dir)) {
            return entries.filter(p -> isTempName(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The temp files directly in {@code dir}: those of a write in progress there. */
    static List<Path> tempFilesIn(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> isTempName(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isTempName(String name) {
        return name.startsWith(".") && name.contains(".tmp-");
    }
}
