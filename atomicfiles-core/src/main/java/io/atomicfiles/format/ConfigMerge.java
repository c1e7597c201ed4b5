package io.atomicfiles.format;

import io.atomicfiles.internal.Log;
import io.atomicfiles.ArrayMerge;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.MergeStrategy;
import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Merges configuration documents (Jackson trees) by a {@link MergeStrategy}; reads the input
 * files ({@code .json}, {@code .yaml}, {@code .yml}, mixed freely).
 *
 * <p>Inputs are never modified: every merge builds a new tree. Where a later document gives a
 * key a value of another kind (an object where there was a scalar or an array, or the other
 * way round), the later value wins and a warning names the key path and the file it came from.
 */
public final class ConfigMerge {
    private static final Log LOG = Log.of(ConfigMerge.class);
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_$-]+");

    private ConfigMerge() {
    }

    /**
     * A merged document.
     *
     * @param document the result
     * @param warnings type conflicts and skipped inputs, in the order met
     * @param inputs the files merged (those that existed), in order
     * @param skipped the files that did not exist
     */
    public record Merged(ObjectNode document, List<String> warnings, List<Path> inputs, List<Path> skipped) {
    }

    /**
     * Reads {@code files} in order and merges each over the result of the ones before. Missing
     * files are skipped with a warning.
     *
     * @throws NoSuchFileException when none of the files exists
     * @throws ValidationException when a file is not valid JSON/YAML (naming file, line and
     *     column) or its top level is not an object
     * @throws IllegalArgumentException when a file's extension is not {@code .json}, {@code .yaml} or {@code .yml}
     */
    public static Merged mergeFiles(List<Path> files, MergeStrategy strategy, ArrayMerge arrays) throws IOException {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(arrays, "arrays");
        for (Path file : files) {
            DataFormat.require(file, "merge");
        }
        List<String> warnings = new ArrayList<>();
        List<Path> inputs = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        ObjectNode result = null;
        for (Path file : files) {
            if (!Files.exists(file)) {
                warn(warnings, "input " + file + " does not exist; skipped");
                skipped.add(file);
                continue;
            }
            ObjectNode document = readObject(file);
            inputs.add(file);
            result = result == null ? document : merge(result, document, strategy, arrays, file.toString(), warnings);
        }
        if (result == null) {
            throw new NoSuchFileException(files.isEmpty() ? "(no inputs)" : files.get(0).toString(), null,
                    "merge: none of the " + files.size() + " inputs exists: " + files);
        }
        return new Merged(result, warnings, inputs, skipped);
    }

    /**
     * {@code overlay} merged over {@code base} (neither is changed). Type conflicts are added to
     * {@code warnings} (and logged), naming {@code source} as the document that won.
     */
    public static ObjectNode merge(ObjectNode base, ObjectNode overlay, MergeStrategy strategy, ArrayMerge arrays,
            String source, List<String> warnings) {
        Context c = new Context(arrays, source, warnings);
        switch (strategy) {
            case DEEP:
                return (ObjectNode) deep(base, overlay, "", c);
            case SHALLOW:
                return shallow(base, overlay, c);
            case MERGE_PATCH:
                return (ObjectNode) patch(base, overlay, "", c);
            default:
                throw new IllegalArgumentException("unknown merge strategy " + strategy);
        }
    }

    private record Context(ArrayMerge arrays, String source, List<String> warnings) {
    }

    private static JsonNode deep(JsonNode base, JsonNode overlay, String path, Context c) {
        if (base.isObject() && overlay.isObject()) {
            ObjectNode out = (ObjectNode) base.deepCopy();
            for (Map.Entry<String, JsonNode> e : overlay.properties()) {
                JsonNode existing = out.get(e.getKey());
                out.set(e.getKey(), existing == null ? e.getValue().deepCopy()
                        : deep(existing, e.getValue(), child(path, e.getKey()), c));
            }
            return out;
        }
        return replace(base, overlay, path, c);
    }

    private static ObjectNode shallow(ObjectNode base, ObjectNode overlay, Context c) {
        ObjectNode out = base.deepCopy();
        for (Map.Entry<String, JsonNode> e : overlay.properties()) {
            JsonNode existing = out.get(e.getKey());
            out.set(e.getKey(), existing == null ? e.getValue().deepCopy()
                    : replace(existing, e.getValue(), child("", e.getKey()), c));
        }
        return out;
    }

    /** RFC 7396: an object patch merges key by key, null removes, anything else replaces. */
    private static JsonNode patch(JsonNode target, JsonNode patch, String path, Context c) {
        if (!patch.isObject()) {
            if (target != null && kind(target) != kind(patch)) {
                conflict(path, target, patch, c);
            }
            return patch.deepCopy();
        }
        ObjectNode out;
        if (target != null && target.isObject()) {
            out = (ObjectNode) target.deepCopy();
        } else {
            if (target != null) {
                conflict(path, target, patch, c);
            }
            out = Codecs.json().createObjectNode();
        }
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), patch(out.get(e.getKey()), e.getValue(), child(path, e.getKey()), c));
            }
        }
        return out;
    }

    /** Where the later value wins: arrays per the array option, a change of kind with a warning. */
    private static JsonNode replace(JsonNode base, JsonNode overlay, String path, Context c) {
        if (base.isArray() && overlay.isArray()) {
            return arrays((ArrayNode) base, (ArrayNode) overlay, c.arrays());
        }
        if (kind(base) != kind(overlay)) {
            conflict(path, base, overlay, c);
        }
        return overlay.deepCopy();
    }

    private static JsonNode arrays(ArrayNode base, ArrayNode overlay, ArrayMerge how) {
        if (how == ArrayMerge.REPLACE) {
            return overlay.deepCopy();
        }
        ArrayNode out = base.deepCopy();
        for (JsonNode element : overlay) {
            if (how == ArrayMerge.APPEND || !contains(out, element)) {
                out.add(element.deepCopy());
            }
        }
        return out;
    }

    private static boolean contains(ArrayNode array, JsonNode element) {
        for (JsonNode existing : array) {
            if (existing.equals(element)) {
                return true;
            }
        }
        return false;
    }

    private enum Kind { OBJECT, ARRAY, SCALAR }

    private static Kind kind(JsonNode node) {
        return node.isObject() ? Kind.OBJECT : node.isArray() ? Kind.ARRAY : Kind.SCALAR;
    }

    private static void conflict(String path, JsonNode earlier, JsonNode later, Context c) {
        warn(c.warnings(), "type conflict at '" + path + "': " + describe(earlier) + " replaced by " + describe(later)
                + " from " + c.source());
    }

    private static String describe(JsonNode node) {
        switch (kind(node)) {
            case OBJECT:
                return "an object";
            case ARRAY:
                return "an array";
            default:
                return node.isNull() ? "null" : "a " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                        + " (" + node + ")";
        }
    }

    private static void warn(List<String> warnings, String warning) {
        LOG.get().warn("merge: {}", warning);
        warnings.add(warning);
    }

    /** {@code a.b}, with keys that are not plain words quoted: {@code a."x.y"}. */
    private static String child(String path, String key) {
        String part = PLAIN_KEY.matcher(key).matches() ? key : Codecs.json().getNodeFactory().stringNode(key).toString();
        return path.isEmpty() ? part : path + "." + part;
    }

    private static ObjectNode readObject(Path file) throws IOException {
        JsonNode node;
        try {
            node = Codecs.read(file, DataFormat.require(file, "merge"));
        } catch (ValidationException e) {
            throw e;
        } catch (IOException e) {
            throw AtomicWriteException.failed("merge", file, "read input " + file, e);
        }
        if (!node.isObject()) {
            throw new ValidationException(file, "the top level of " + file + " is " + describe(node)
                    + ", expected an object (a mapping of keys to values)", null);
        }
        return (ObjectNode) node;
    }
}
