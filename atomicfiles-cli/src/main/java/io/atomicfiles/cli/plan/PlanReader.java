package io.atomicfiles.cli.plan;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.NullNode;

/**
 * Reads a transaction plan (YAML or JSON) and checks its shape completely: every key known,
 * every required key present, every value of the right type. The files it names are not looked
 * at here ({@link PlanRoot} does that). The first problem found is a {@link PlanException}
 * naming the operation, its line and the key.
 *
 * <p>A key given twice is an error too (YAML and JSON would silently keep the last one).
 */
public final class PlanReader {
    private static final List<String> KINDS = List.of("write", "copy", "move", "delete");
    private static final List<String> CONTENT_KEYS = List.of("content", "text", "from");
    private static final Set<String> WRITE_KEYS = Set.of("write", "content", "text", "from", "schema", "format");

    private final String name;
    private final ObjectReader reader;

    private PlanReader(String name, DataFormat format) {
        this.name = name;
        // Each operation is read as a tree from the middle of the list: what follows it is the
        // next operation, not trailing garbage.
        this.reader = Codecs.mapper(format).reader()
                .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * Parses and checks a plan.
     *
     * @param name what messages call the plan: its file name, or "standard input"
     * @throws PlanException for invalid syntax (with line and column) or a plan of the wrong shape
     */
    public static Plan read(byte[] plan, DataFormat format, String name) throws PlanException {
        return new PlanReader(name, format).read(plan, format);
    }

    private Plan read(byte[] plan, DataFormat format) throws PlanException {
        try (JsonParser parser = reader.createParser(plan)) {
            return new Plan(name, operations(parser));
        } catch (JacksonException e) {
            throw syntaxError(e, format);
        }
    }

    /**
     * Walks the top level by hand, so that each operation's line is known; each operation is
     * then read as a tree.
     */
    private List<Plan.Operation> operations(JsonParser parser) throws PlanException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new PlanException(name + " is empty: expected a mapping with the key 'operations'");
        }
        if (first != JsonToken.START_OBJECT) {
            int line = line(parser);
            throw new PlanException(name + ": line " + line + ": expected a mapping with the key 'operations' at the"
                    + " top level, found " + typeOf(readValue(parser)));
        }
        List<Plan.Operation> operations = null;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = parser.currentName();
            int line = line(parser);
            parser.nextToken();
            if (!key.equals("operations")) {
                throw new PlanException(name + ": line " + line + ": unknown key '" + key + "' at the top level"
                        + " (a plan has one key: operations)");
            }
            if (parser.currentToken() != JsonToken.START_ARRAY) {
                throw new PlanException(name + ": line " + line + ": 'operations' must be a list, found "
                        + typeOf(readValue(parser)));
            }
            operations = new ArrayList<>();
            for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
                if (next == null) {
                    throw new PlanException(name + ": the 'operations' list has no end");
                }
                Plan.Position position = new Plan.Position(operations.size() + 1, line(parser));
                operations.add(operation(readValue(parser), position));
            }
        }
        if (operations == null) {
            throw new PlanException(name + ": no 'operations' list");
        }
        if (parser.nextToken() != null) {
            throw new PlanException(name + ": line " + line(parser) + ": a second document; a plan is one mapping");
        }
        return operations;
    }

    private Plan.Operation operation(JsonNode node, Plan.Position position) throws PlanException {
        if (!node.isObject()) {
            throw problem(position, null, "expected a mapping such as 'delete: PATH', found " + typeOf(node));
        }
        List<String> kinds = KINDS.stream().filter(node::has).collect(Collectors.toList());
        if (kinds.isEmpty()) {
            throw problem(position, null, node.isEmpty() ? "is empty: expected write, copy, move or delete"
                    : "says neither write, copy, move nor delete (its keys: " + String.join(", ", keys(node)) + ")");
        }
        if (kinds.size() > 1) {
            throw problem(position, null, "has both '" + kinds.get(0) + "' and '" + kinds.get(1)
                    + "': one operation per entry");
        }
        String kind = kinds.get(0);
        String path = path(node, kind, position, null);
        String what = kind + " " + path;
        switch (kind) {
            case "write":
                requireOnly(node, WRITE_KEYS, position, what, "a write takes content, text or from, and optionally"
                        + " schema and format");
                return write(node, position, path);
            case "copy":
            case "move":
                requireOnly(node, Set.of(kind, "to"), position, what, "a " + kind + " takes only 'to'");
                if (!node.has("to")) {
                    throw problem(position, what, "a " + kind + " needs 'to: PATH', the file to " + kind + " it to");
                }
                String target = path(node, "to", position, what);
                return kind.equals("copy") ? new Plan.Copy(position, path, target) : new Plan.Move(position, path, target);
            default:
                requireOnly(node, Set.of("delete"), position, what, "a delete takes no other key");
                return new Plan.Delete(position, path);
        }
    }

    private Plan.Write write(JsonNode node, Plan.Position position, String path) throws PlanException {
        String what = "write " + path;
        List<String> given = CONTENT_KEYS.stream().filter(node::has).collect(Collectors.toList());
        if (given.isEmpty()) {
            throw problem(position, what, "a write needs its content: one of content, text or from");
        }
        if (given.size() > 1) {
            throw problem(position, what, "give only one of content, text or from (found " + given.get(0) + " and "
                    + given.get(1) + ")");
        }
        Optional<DataFormat> explicit = format(node, position, what);
        Optional<DataFormat> format = explicit.isPresent() ? explicit : DataFormat.of(Path.of(path));
        Plan.Content content;
        switch (given.get(0)) {
            case "content":
                JsonNode value = node.get("content");
                if (value.isNull()) {
                    throw problem(position, what, "'content' is empty");
                }
                if (format.isEmpty() && !value.isString()) {
                    throw problem(position, what, path + " is not a .json, .yaml or .yml file, so its content must be"
                            + " a string (written as UTF-8 text), found " + typeOf(value) + "; add 'format: json' or"
                            + " 'format: yaml' to write it as structured data");
                }
                content = new Plan.Value(value);
                break;
            case "text":
                if (!node.get("text").isString()) {
                    throw problem(position, what, "'text' must be a string, found " + typeOf(node.get("text"))
                            + " (for structured data use 'content')");
                }
                if (explicit.isPresent()) {
                    throw problem(position, what, "'format' applies to content and from; 'text' is written as it is");
                }
                content = new Plan.Text(node.get("text").asString());
                break;
            default:
                content = new Plan.FromFile(path(node, "from", position, what));
                break;
        }
        JsonNode schema = node.get("schema");
        if (schema != null) {
            if (!(schema.isString() && !schema.asString().isBlank()) && !schema.isObject() && !schema.isBoolean()) {
                throw problem(position, what, "'schema' must be the path of a schema file or the schema itself"
                        + " (a mapping), found " + typeOf(schema));
            }
            if (format.isEmpty()) {
                throw problem(position, what, "'schema' applies to JSON and YAML content, and " + path + " is written"
                        + " as " + (content instanceof Plan.FromFile ? "bytes" : "text")
                        + " (add 'format: json' or 'format: yaml')");
            }
        }
        return new Plan.Write(position, path, content, format, schema);
    }

    private Optional<DataFormat> format(JsonNode node, Plan.Position position, String what) throws PlanException {
        JsonNode format = node.get("format");
        if (format == null) {
            return Optional.empty();
        }
        String value = format.isString() ? format.asString().toLowerCase(Locale.ROOT) : "";
        if (value.equals("json")) {
            return Optional.of(DataFormat.JSON);
        }
        if (value.equals("yaml") || value.equals("yml")) {
            return Optional.of(DataFormat.YAML);
        }
        throw problem(position, what, "'format' must be json or yaml, found "
                + (format.isString() ? "'" + format.asString() + "'" : typeOf(format))
                + " (text: and from: write other files as they are)");
    }

    /** The value of {@code key}: a non-empty string that the platform accepts as a path. */
    private String path(JsonNode node, String key, Plan.Position position, String what) throws PlanException {
        JsonNode value = node.get(key);
        if (!value.isString()) {
            throw problem(position, what, "'" + key + "' must be a path (a string), found " + typeOf(value));
        }
        String path = value.asString();
        if (path.isBlank()) {
            throw problem(position, what, "'" + key + "' is empty");
        }
        try {
            Path.of(path);
        } catch (InvalidPathException e) {
            throw problem(position, what, "'" + key + "' is not a valid path: " + e.getMessage());
        }
        return path;
    }

    private void requireOnly(JsonNode node, Set<String> allowed, Plan.Position position, String what, String hint)
            throws PlanException {
        for (String key : keys(node)) {
            if (!allowed.contains(key)) {
                throw problem(position, what, "unknown key '" + key + "' (" + hint + ")");
            }
        }
    }

    private PlanException problem(Plan.Position position, String what, String message) {
        return new PlanException(name + ": " + position.label(what) + ": " + message);
    }

    private JsonNode readValue(JsonParser parser) {
        JsonNode node = reader.readTree(parser);
        return node == null ? NullNode.getInstance() : node;
    }

    /**
     * The parser's complaint in one line. SnakeYAML's messages span several lines: what it was
     * doing, each position as "in reader, line N, column M:" followed by the source line and a
     * caret under the spot. The line and column are given once, up front; the rest is dropped.
     * Jackson's own messages are one line already.
     */
    private PlanException syntaxError(JacksonException e, DataFormat format) {
        TokenStreamLocation where = e.getLocation();
        String position = where == null || where.getLineNr() < 0 ? ""
                : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
        List<String> lines = String.valueOf(e.getOriginalMessage()).lines().collect(Collectors.toList());
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            // Jackson names the start of an unclosed list as "[Source: REDACTED ...]": noise here.
            String line = lines.get(i).replaceAll(" \\(start marker at \\[Source:.*?\\]\\)", "").trim();
            boolean quotesSource = i + 1 < lines.size() && lines.get(i + 1).trim().startsWith("^");
            if (!line.isEmpty() && !quotesSource && !line.startsWith("^") && !line.startsWith("in reader")) {
                kept.add(line);
            }
        }
        return new PlanException(name + " is not valid " + format + position + ": " + String.join("; ", kept),
                List.of(), e);
    }

    private static List<String> keys(JsonNode node) {
        return new ArrayList<>(node.propertyNames());
    }

    private static int line(JsonParser parser) {
        TokenStreamLocation location = parser.currentTokenLocation();
        return location == null ? -1 : location.getLineNr();
    }

    /** "a string", "a mapping", ... for messages. */
    static String typeOf(JsonNode node) {
        switch (node.getNodeType()) {
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "true/false";
            case ARRAY:
                return "a list";
            case OBJECT:
                return "a mapping";
            case NULL:
            case MISSING:
                return "nothing";
            default:
                return node.getNodeType().toString().toLowerCase(Locale.ROOT);
        }
    }
}
