package io.atomicfiles.format;

import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.io.IOContext;
import tools.jackson.core.util.BufferRecycler;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads a YAML document into a Jackson tree that is its meaning: aliases replaced by (copies of)
 * the values they name, merge keys ({@code <<}) merged as YAML 1.1 defines them.
 *
 * <p>Jackson's own tree reader turns an alias {@code *defaults} into the string
 * {@code "defaults"} and keeps {@code <<} as an ordinary key, so a read-modify-write silently
 * changed the document's meaning. Here the token stream still comes from Jackson's YAML parser
 * (scalars are typed exactly as before: numbers, booleans, null, strings), and only the
 * structure is built here, with the snakeyaml-engine event under each token telling its anchor,
 * whether it is an alias, and whether a {@code <<} key was written plain (only a plain,
 * untagged {@code <<}, or one tagged {@code !!merge}, is a merge key; {@code "<<"} is an
 * ordinary key).
 *
 * <p>The rules, each against a named failure:
 * <ol>
 *   <li>An alias becomes a deep copy of the value its anchor names (the most recent anchor of
 *       that name before it), so an edit of one place never shows up in another when written.</li>
 *   <li>An alias to an anchor whose value is not finished (it is inside that value) is refused:
 *       such a recursive document has no finite tree, and expanding it would never end.</li>
 *   <li>Aliases may repeat at most {@value #MAX_ALIASED_VALUES} values in all (objects, arrays
 *       and scalars, counted in the copies): a "billion laughs" document, a few lines that
 *       expand to billions of values, is refused before it exhausts memory.</li>
 *   <li>A merge key's value is a mapping, or a sequence of mappings (aliases or written in
 *       place); its keys are added to the mapping holding the {@code <<} unless that mapping
 *       sets them itself (wherever in the mapping), and of several merged mappings the earlier
 *       one wins (YAML 1.1, {@code https://yaml.org/type/merge.html}). Any other value is
 *       refused, as it has no meaning.</li>
 *   <li>Merged keys take the place of the {@code <<} key in the key order.</li>
 * </ol>
 * Every refusal is a {@link ValidationException} naming the file, line and column; nothing is
 * read, so nothing is written from it.
 *
 * <p>The tree, written back as YAML, is plain: no anchors, aliases or merge keys, and no
 * comments (a YAML parser does not keep them); {@link #hasComments} tells a caller whether there
 * were any, so it can say so.
 */
final class YamlTrees {
    /** The most values (objects, arrays, scalars) all aliases of one document may repeat. */
    static final int MAX_ALIASED_VALUES = 100_000;

    /** The tag of a merge key written with its tag ({@code !!merge <<}). */
    private static final String MERGE_TAG = "tag:yaml.org,2002:merge";
    private static final EventFactory FACTORY = new EventFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Jackson's tree reader for one scalar at a time (the tokens after it are read here). */
    private static final ObjectReader SCALARS = Codecs.yaml().reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private YamlTrees() {
    }

    /**
     * The document's meaning as a tree; a {@link MissingNode} for a stream with no document.
     *
     * @param file named in errors (may be null)
     * @throws ValidationException when the text is not valid YAML, or is refused by the rules above
     */
    static JsonNode read(InputStream in, Path file) throws IOException {
        try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), in)) {
            return new Builder((EventParser) parser, file).document();
        } catch (JacksonException e) {
            throw Codecs.parseError(file, DataFormat.YAML, e);
        }
    }

    /** Like {@link #read(InputStream, Path)}, from bytes. */
    static JsonNode read(byte[] content, Path file) throws IOException {
        try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), content)) {
            return new Builder((EventParser) parser, file).document();
        } catch (JacksonException e) {
            throw Codecs.parseError(file, DataFormat.YAML, e);
        }
    }

    /**
     * Whether YAML text has a comment ({@code # ...} outside a string), as snakeyaml-engine's
     * own parser sees it. Text that is not valid YAML has none as far as this can tell.
     */
    static boolean hasComments(byte[] content) {
        LoadSettings settings = LoadSettings.builder().setParseComments(true).build();
        try {
            Parser events = new ParserImpl(settings,
                    new StreamReader(settings, new String(content, StandardCharsets.UTF_8)));
            while (events.hasNext()) {
                if (events.next().getEventId() == Event.ID.Comment) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException notYaml) {
            return false;
        }
    }

    /** {@link #hasComments(byte[])} of a file's content. */
    static boolean hasComments(Path file) throws IOException {
        return hasComments(Files.readAllBytes(file));
    }

    /** The value an anchor names; {@code node} is null while that value is being read. */
    private static final class Anchored {
        private JsonNode node;
        private long size = -1;

        long size() {
            if (size < 0) {
                size = count(node);
            }
            return size;
        }
    }

    /** Builds the tree from the parser's tokens, one document. */
    private static final class Builder {
        private final EventParser parser;
        private final Path file;
        private final Map<String, Anchored> anchors = new HashMap<>();
        private long aliased;

        Builder(EventParser parser, Path file) {
            this.parser = parser;
            this.file = file;
        }

        JsonNode document() throws IOException {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return MissingNode.getInstance();
            }
            JsonNode root = value(first);
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw refused("a second document follows the first (only one document per file is read)");
            }
            return root;
        }

        private JsonNode value(JsonToken token) throws IOException {
            if (parser.isCurrentAlias()) {
                return alias(parser.getString());
            }
            Anchored anchored = null;
            String anchor = anchorOf(parser.lastEvent());
            if (anchor != null) {
                // Registered before the value is read: an alias inside it finds it unfinished (rule 2).
                anchored = new Anchored();
                anchors.put(anchor, anchored);
            }
            JsonNode node;
            if (token == JsonToken.START_OBJECT) {
                node = mapping();
            } else if (token == JsonToken.START_ARRAY) {
                node = sequence();
            } else {
                node = scalar(token);
            }
            if (anchored != null) {
                anchored.node = node;
            }
            return node;
        }

        private JsonNode scalar(JsonToken token) throws IOException {
            switch (token) {
                case VALUE_STRING:
                    return NODES.stringNode(parser.getString());
                case VALUE_TRUE:
                    return NODES.booleanNode(true);
                case VALUE_FALSE:
                    return NODES.booleanNode(false);
                case VALUE_NULL:
                    return NODES.nullNode();
                default:
                    // Numbers and embedded values, exactly as Jackson's own tree reader makes them.
                    return SCALARS.readTree(parser);
            }
        }

        /** Rule 1-3: a copy of the anchored value, within the budget. */
        private JsonNode alias(String name) throws IOException {
            Anchored anchored = anchors.get(name);
            if (anchored == null) {
                throw refused("alias *" + name + " names no anchor &" + name + " before it");
            }
            if (anchored.node == null) {
                throw refused("alias *" + name + " is inside the value anchored &" + name
                        + ": a recursive alias has no finite meaning");
            }
            aliased += anchored.size();
            if (aliased > MAX_ALIASED_VALUES) {
                throw refused("aliases repeat more than " + MAX_ALIASED_VALUES
                        + " values (an alias bomb, as in \"billion laughs\")");
            }
            return anchored.node.deepCopy();
        }

        private ArrayNode sequence() throws IOException {
            ArrayNode array = NODES.arrayNode();
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                array.add(value(token));
            }
            return array;
        }

        /** Rules 4-5. */
        private ObjectNode mapping() throws IOException {
            Map<String, JsonNode> explicit = new LinkedHashMap<>();
            List<Object> order = new ArrayList<>(); // a key set here (String), or the mappings of one << (List)
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String key = parser.currentName();
                Event keyEvent = parser.lastEvent();
                boolean merge = "<<".equals(key) && keyEvent instanceof ScalarEvent scalar
                        && (scalar.isPlain() && scalar.getTag().isEmpty() || scalar.getTag().filter(MERGE_TAG::equals)
                                .isPresent());
                String keyAnchor = anchorOf(keyEvent);
                if (keyAnchor != null) {
                    Anchored anchored = new Anchored();
                    anchored.node = NODES.stringNode(key);
                    anchors.put(keyAnchor, anchored);
                }
                TokenStreamLocation where = parser.currentTokenLocation();
                JsonNode value = value(parser.nextToken());
                if (merge) {
                    order.add(mergedMappings(value, where));
                } else {
                    if (!explicit.containsKey(key)) {
                        order.add(key);
                    }
                    explicit.put(key, value); // a key given twice: the last value, as Jackson's reader keeps it
                }
            }
            ObjectNode object = NODES.objectNode();
            for (Object entry : order) {
                if (entry instanceof String key) {
                    object.set(key, explicit.get(key));
                    continue;
                }
                @SuppressWarnings("unchecked")
                List<ObjectNode> merged = (List<ObjectNode>) entry;
                for (ObjectNode source : merged) {
                    for (Map.Entry<String, JsonNode> property : source.properties()) {
                        if (!explicit.containsKey(property.getKey()) && !object.has(property.getKey())) {
                            object.set(property.getKey(), property.getValue());
                        }
                    }
                }
            }
            return object;
        }

        private List<ObjectNode> mergedMappings(JsonNode value, TokenStreamLocation where) throws IOException {
            List<ObjectNode> mappings = new ArrayList<>();
            if (value.isObject()) {
                mappings.add((ObjectNode) value);
                return mappings;
            }
            if (value.isArray()) {
                for (JsonNode element : value) {
                    if (!element.isObject()) {
                        throw refused(where, "the merge key << takes a mapping or a list of mappings; this list holds "
                                + kind(element));
                    }
                    mappings.add((ObjectNode) element);
                }
                return mappings;
            }
            throw refused(where, "the merge key << takes a mapping or a list of mappings, not " + kind(value)
                    + " (write \"<<\" in quotes for a key named <<)");
        }

        private ValidationException refused(String problem) {
            return refused(parser.currentTokenLocation(), problem);
        }

        private ValidationException refused(TokenStreamLocation where, String problem) {
            String name = file == null ? "the YAML content" : file.toString();
            String position = where == null || where.getLineNr() < 0 ? ""
                    : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            return new ValidationException(file, name + " is refused" + position + ": " + problem
                    + "; nothing was read from it, so nothing was changed", null);
        }
    }

    private static String anchorOf(Event event) {
        if (event instanceof NodeEvent node) {
            Optional<Anchor> anchor = node.getAnchor();
            return anchor.map(Anchor::getValue).orElse(null);
        }
        return null;
    }

    private static String kind(JsonNode node) {
        return node.isArray() ? "a list" : node.isNull() ? "null" : "a scalar (" + node + ")";
    }

    /** The number of values in a tree: the node itself and everything under it. */
    private static long count(JsonNode node) {
        long n = 1;
        for (JsonNode child : node) {
            n += count(child);
        }
        return n;
    }

    /** Jackson's YAML parser, showing the snakeyaml-engine event under its current token. */
    private static final class EventParser extends YAMLParser {
        // The constructor that takes the snakeyaml-engine LoadSettings the event view is built
        // with; deprecated in Jackson 3.3. Revisit when upgrading Jackson.
        @SuppressWarnings("deprecation")
        EventParser(ObjectReadContext readContext, IOContext io, BufferRecycler recycler, int streamFeatures,
                int formatFeatures, LoadSettings settings, Reader reader) {
            super(readContext, io, recycler, streamFeatures, formatFeatures, settings, reader);
        }

        Event lastEvent() {
            return _lastEvent;
        }
    }

    /** A YAML factory whose parsers are {@link EventParser}s (only for the reads above). */
    private static final class EventFactory extends YAMLFactory {
        private static final long serialVersionUID = 1L;

        @Override
        protected YAMLParser _createParser(ObjectReadContext context, IOContext io, InputStream in) {
            int streamFeatures = context.getStreamReadFeatures(_streamReadFeatures);
            return new EventParser(context, io, _getBufferRecycler(), streamFeatures,
                    context.getFormatReadFeatures(_formatReadFeatures), _loadSettings,
                    _createReader(in, null, io, streamFeatures));
        }

        @Override
        protected YAMLParser _createParser(ObjectReadContext context, IOContext io, byte[] data, int offset,
                int length) {
            return new EventParser(context, io, _getBufferRecycler(), context.getStreamReadFeatures(_streamReadFeatures),
                    context.getFormatReadFeatures(_formatReadFeatures), _loadSettings,
                    _createReader(data, offset, length, null, io));
        }

        @Override
        protected YAMLParser _createParser(ObjectReadContext context, IOContext io, Reader reader) {
            return new EventParser(context, io, _getBufferRecycler(), context.getStreamReadFeatures(_streamReadFeatures),
                    context.getFormatReadFeatures(_formatReadFeatures), _loadSettings, reader);
        }
    }
}
