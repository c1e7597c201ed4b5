package io.atomicfiles.format;

import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;
import tools.jackson.dataformat.yaml.util.StringQuotingChecker;

/**
 * JSON and YAML through Jackson, configured once: JSON indented two spaces by default
 * ({@code "key": value}, one array element per line, a final newline), YAML in block style
 * without a {@code ---} marker and with quotes only where needed; Unicode is written as is.
 *
 * <p>Jackson reports I/O failures as unchecked exceptions; every method here turns them back
 * into the {@link IOException} that caused them, and a parse error into a
 * {@link ValidationException} naming the file, line and column.
 */
public final class Codecs {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    // A key named << written plain would read back as a merge key: it is quoted.
                    .stringQuotingChecker(new MergeKeyQuoting()).build())
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            // Without this, MINIMIZE_QUOTES writes the string "123" bare, and it reads back as a number.
            .enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    private Codecs() {
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static ObjectMapper yaml() {
        return YAML;
    }

    public static ObjectMapper mapper(DataFormat format) {
        return format == DataFormat.JSON ? JSON : YAML;
    }

    /** Writes {@code value} as JSON, indented by {@code indent} spaces (0 or less: one compact line). */
    public static void writeJson(Object value, int indent, OutputStream out) throws IOException {
        ObjectWriter writer = indent > 0 ? JSON.writer().with(prettyPrinter(indent)) : JSON.writer();
        try {
            writer.writeValue(out, value);
            if (indent > 0) {
                out.write('\n');
            }
        } catch (JacksonException e) {
            throw unwrap(e);
        }
    }

    /** Writes {@code value} as block-style YAML. */
    public static void writeYaml(Object value, OutputStream out) throws IOException {
        try {
            YAML.writeValue(out, value);
        } catch (JacksonException e) {
            throw unwrap(e);
        }
    }

    /** Writes {@code value} in {@code format}, JSON with the default indent of 2. */
    public static void write(DataFormat format, Object value, OutputStream out) throws IOException {
        if (format == DataFormat.JSON) {
            writeJson(value, 2, out);
        } else {
            writeYaml(value, out);
        }
    }

    /** {@code value} as a Jackson tree (for validation and merging); a tree is returned as is. */
    public static JsonNode toTree(Object value) {
        if (value instanceof JsonNode) {
            return (JsonNode) value;
        }
        return JSON.valueToTree(value);
    }

    /**
     * Parses a file as {@code format}; an empty file is an empty object. YAML is read as its
     * meaning: aliases and merge keys ({@code <<}) resolved, a recursive alias or an alias bomb
     * refused (see {@link YamlTrees}); comments are not part of the tree.
     */
    public static JsonNode read(Path file, DataFormat format) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode node = format == DataFormat.YAML ? YamlTrees.read(in, file) : JSON.readTree(in);
            return node == null || node.isMissingNode() || node.isNull() ? JSON.createObjectNode() : node;
        } catch (JacksonException e) {
            throw parseError(file, format, e);
        }
    }

    /** Parses bytes as {@code format} (the file name is for error messages), YAML as {@link #read(Path, DataFormat)} does. */
    public static JsonNode read(byte[] content, DataFormat format, Path file) throws IOException {
        try {
            JsonNode node = format == DataFormat.YAML ? YamlTrees.read(content, file) : JSON.readTree(content);
            return node == null || node.isMissingNode() ? JSON.nullNode() : node;
        } catch (JacksonException e) {
            throw parseError(file, format, e);
        }
    }

    /** Parses a file whose top level must be an object, as an insertion-ordered map. */
    public static Map<String, Object> readMap(Path file, DataFormat format) throws IOException {
        JsonNode node = read(file, format);
        if (!node.isObject()) {
            throw new ValidationException(file, "the top level of " + file + " is " + node.getNodeType()
                    + ", expected an object", null);
        }
        return toMap((ObjectNode) node);
    }

    /** An object tree as a plain, insertion-ordered {@code Map} of Java values. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(ObjectNode node) {
        Map<String, Object> map = JSON.convertValue(node, LinkedHashMap.class);
        return map == null ? new LinkedHashMap<>() : map;
    }

    /** The I/O failure inside a Jackson exception, or the Jackson exception as an I/O failure. */
    public static IOException unwrap(JacksonException e) {
        if (e instanceof JacksonIOException && e.getCause() instanceof IOException) {
            return (IOException) e.getCause();
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return (IOException) t;
            }
        }
        return new IOException("cannot serialise value: " + e.getOriginalMessage(), e);
    }

    /**
     * Whether a YAML file has comments, which a read (and so any rewrite of it) does not keep;
     * false for a file that is not valid YAML.
     */
    public static boolean yamlHasComments(Path file) throws IOException {
        return YamlTrees.hasComments(file);
    }

    static IOException parseError(Path file, DataFormat format, JacksonException e) {
        if (e instanceof JacksonIOException) {
            return unwrap(e);
        }
        TokenStreamLocation where = e.getLocation();
        String position = where == null || where.getLineNr() < 0 ? ""
                : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
        String name = file == null ? "content" : file.toString();
        return new ValidationException(file, name + " is not valid " + format + position + ": "
                + e.getOriginalMessage(), e);
    }

    /** Jackson's quoting rules, and a key named {@code <<} quoted so that it does not read back as a merge key. */
    private static final class MergeKeyQuoting extends StringQuotingChecker.Default {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean needToQuoteName(String name) {
            return "<<".equals(name) || super.needToQuoteName(name);
        }
    }

    private static DefaultPrettyPrinter prettyPrinter(int indent) {
        DefaultIndenter indenter = new DefaultIndenter(" ".repeat(indent), "\n");
        Separators separators = Separators.createDefaultInstance()
                .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        return new DefaultPrettyPrinter(separators).withObjectIndenter(indenter).withArrayIndenter(indenter);
    }
}
