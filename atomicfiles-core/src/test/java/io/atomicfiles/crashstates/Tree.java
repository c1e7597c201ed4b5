package io.atomicfiles.crashstates;

import io.atomicfiles.internal.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The files under a folder as a user sees them: what the explorer compares after a recovery. */
final class Tree {
    /** Lock files (one per folder, when locks live beside the files) are no content of the user's. */
    static final String LOCK_FILE = ".atomicfiles.lock";

    private Tree() {
    }

    /**
     * Every entry under {@code root}: a file as its relative name → its content (short UTF-8 text
     * as itself, anything else as size and SHA-256), a folder as {@code "name/"} → "". Hidden
     * leftovers are included, so that comparing two trees catches them.
     */
    static Map<String, String> read(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return tree;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root)).toList()) {
                String name = root.relativize(p).toString();
                if (p.getFileName().toString().equals(LOCK_FILE)) {
                    continue;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    tree.put(name + "/", "");
                } else {
                    tree.put(name, describe(Files.readAllBytes(p)));
                }
            }
        }
        return tree;
    }

    static String describe(byte[] bytes) {
        if (bytes.length <= 200) {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException binary) {
                // shown by its hash below
            }
        }
        return "<" + bytes.length + " bytes, sha256 " + Hashing.sha256Hex(bytes) + ">";
    }

    /** Empties {@code root} (it stays). */
    static void empty(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(root)) {
                    Files.delete(p);
                }
            }
        }
    }
}
