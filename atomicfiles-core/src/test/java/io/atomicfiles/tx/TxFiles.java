package io.atomicfiles.tx;

import io.atomicfiles.internal.Hashing;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the transaction tests look at on disk: every file with its bytes, leftovers, journals. */
final class TxFiles {
    private TxFiles() {
    }

    /**
     * Every entry under {@code root}: a file as its relative name → its content (short UTF-8
     * text as itself, anything else as its size and SHA-256), a folder as {@code "name/"} → "".
     * Hidden leftovers and empty folders are included, so comparing two states catches them.
     * Folders' lock files ({@code .atomicfiles.lock}) are not: every folder written into has one
     * by design, and opening one would drop this JVM's locks in it when closed.
     */
    static Map<String, String> state(Path root) throws IOException {
        Map<String, String> state = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return state;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root) && !isLockFile(p)).toList()) {
                String name = root.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    state.put(name + "/", "");
                } else {
                    state.put(name, describe(Files.readAllBytes(p)));
                }
            }
        }
        return state;
    }

    static boolean isLockFile(Path p) {
        return p.getFileName().toString().equals(".atomicfiles.lock");
    }

    /** How {@link #state} shows content. */
    static String describe(byte[] bytes) {
        if (bytes.length <= 200) {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException binary) {
                // fall through to the hash
            }
        }
        return "<" + bytes.length + " bytes, sha256 " + Hashing.sha256Hex(bytes) + ">";
    }

    /** Files (not folders) directly in {@code dir}: name → SHA-256. */
    static Map<String, String> hashes(Path dir) throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.filter(Files::isRegularFile).filter(p -> !isLockFile(p)).toList()) {
                hashes.put(p.getFileName().toString(), Hashing.sha256Hex(p));
            }
        }
        return hashes;
    }

    /** Names under {@code root} that a transaction uses for its hidden files ({@code .NAME.tx-…}). */
    static List<String> hiddenLeftovers(Path root) throws IOException {
        List<String> hidden = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return hidden;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.getFileName().toString().contains(".tx-"))
                    .forEach(p -> hidden.add(root.relativize(p).toString()));
        }
        return hidden;
    }

    /** The journals in {@code journalDir}. */
    static List<String> journals(Path journalDir) throws IOException {
        if (!Files.isDirectory(journalDir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(journalDir)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".journal")).sorted().toList();
        }
    }

    /** Makes {@code root} an empty folder. */
    static void empty(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(root)) {
                        Files.delete(p);
                    }
                }
            }
        }
        Files.createDirectories(root);
    }

    /** Deletes {@code root} and everything under it, if it exists (a link itself, not its target). */
    static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Writes each name → text under {@code root} (creating folders). */
    static void write(Path root, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path p = root.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue());
        }
    }

    /** A folder on a filesystem other than {@code other}'s, for cross-filesystem moves, or null. */
    static Path otherFileSystemFolder(Path other) throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm) || !Files.isWritable(shm)) {
            return null;
        }
        if (Files.getFileStore(shm).equals(Files.getFileStore(other))) {
            return null;
        }
        return shm;
    }
}
