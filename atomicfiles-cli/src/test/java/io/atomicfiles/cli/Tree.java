package io.atomicfiles.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Everything under a folder, for "nothing changed" assertions: each path with its bytes, link target or "folder". */
final class Tree {
    private Tree() {
    }

    /** Relative path → "file:CONTENT" (Base64 when not text), "link:TARGET" or "folder"; links are not followed. */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return tree;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                String name = root.relativize(path).toString();
                if (path.getFileName() != null && path.getFileName().toString().equals(".atomicfiles.lock")) {
                    continue; // folders' lock files are there by design (and are never opened here)
                }
                if (Files.isSymbolicLink(path)) {
                    tree.put(name, "link:" + Files.readSymbolicLink(path));
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    tree.put(name, "folder");
                } else {
                    byte[] bytes = Files.readAllBytes(path);
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    boolean isText = java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes);
                    tree.put(name, "file:" + (isText ? text : Base64.getEncoder().encodeToString(bytes)));
                }
            }
        }
        return tree;
    }

    /** The names under {@code root} (any depth) that are hidden files of a transaction: {@code .NAME.tx-*}. */
    static Stream<String> transactionLeftovers(Path root) throws IOException {
        return snapshot(root).keySet().stream()
                .filter(name -> Path.of(name).getFileName().toString().startsWith(".")
                        && name.contains(".tx-"));
    }
}
