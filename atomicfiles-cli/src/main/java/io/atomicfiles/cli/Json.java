package io.atomicfiles.cli;

import io.atomicfiles.format.Codecs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collection;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code --json} output of the commands: each result is one JSON object, printed compact on
 * one line (JSON Lines), so that {@code jq} and line-based tools read it alike.
 */
final class Json {
    private Json() {
    }

    static ObjectNode object() {
        return Codecs.json().createObjectNode();
    }

    static ArrayNode paths(Collection<Path> paths) {
        ArrayNode array = Codecs.json().createArrayNode();
        paths.forEach(path -> array.add(path.toString()));
        return array;
    }

    static ArrayNode strings(Collection<String> strings) {
        ArrayNode array = Codecs.json().createArrayNode();
        strings.forEach(array::add);
        return array;
    }

    /** {@code node} on one line. */
    static void print(PrintWriter out, JsonNode node) {
        out.println(Codecs.json().writeValueAsString(node));
        out.flush();
    }
}
