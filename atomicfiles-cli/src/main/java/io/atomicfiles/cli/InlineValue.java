package io.atomicfiles.cli;

import io.atomicfiles.ValidationException;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.StringNode;

/**
 * The VALUE of {@code atomicfiles update --set PATH=VALUE}: what a person typing it means, the
 * same whether the file is JSON or YAML.
 *
 * <ul>
 *   <li>{@code 8080}, {@code -1.5}, {@code 1e3}: a number (as JSON writes numbers);</li>
 *   <li>{@code true}, {@code false}: a boolean; {@code null}: null;</li>
 *   <li>{@code [a, b]}, {@code {port: 8080}}: a list or an object, in YAML flow syntax (JSON is
 *       that too); inside them YAML reads each item ({@code [1, x]} is a number and a string);</li>
 *   <li>{@code "8080"}, {@code 'it''s'}: a string, quoted as in YAML or JSON;</li>
 *   <li>anything else, the empty text included, is that text as a string: {@code x},
 *       {@code yes}, {@code 007}, {@code #fff}, {@code *.log}, {@code a: b}.</li>
 * </ul>
 *
 * <p>So only a value that starts with {@code [ { " '} is parsed, and it must then parse; YAML's
 * other syntax (anchors, tags, comments, block style) never turns plain text into something else.
 */
final class InlineValue {
    /** A number as JSON writes it: no leading zeros, no leading '+', no hex. */
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private InlineValue() {
    }

    /**
     * The value {@code text} stands for.
     *
     * @throws IllegalArgumentException when a list, object or quoted string does not parse
     */
    static JsonNode parse(String text) {
        if (text.startsWith("[") || text.startsWith("{")) {
            JsonNode value = read(text, DataFormat.YAML);
            if (!value.isContainer()) {
                throw new IllegalArgumentException("'" + text + "' is not one list or object");
            }
            return value;
        }
        if (text.startsWith("\"") || text.startsWith("'")) {
            JsonNode value = read(text, DataFormat.YAML);
            if (!value.isString()) {
                throw new IllegalArgumentException("'" + text + "' is not one quoted string (to set this text as it"
                        + " is, quote it as a whole: '\"" + text.replace("\"", "\\\"") + "\"')");
            }
            return value;
        }
        if (text.equals("true") || text.equals("false") || text.equals("null") || JSON_NUMBER.matcher(text).matches()) {
            return read(text, DataFormat.JSON);
        }
        return StringNode.valueOf(text);
    }

    private static JsonNode read(String text, DataFormat format) {
        try {
            return Codecs.read(text.getBytes(StandardCharsets.UTF_8), format, null);
        } catch (ValidationException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid value: " + problem(e)
                    + " (quote text that starts with [ { \" or ' to set it as a string)");
        } catch (IOException e) {
            throw new IllegalArgumentException("'" + text + "' could not be read: " + e.getMessage());
        }
    }

    /**
     * The parser's complaint without its multi-line excerpt of the input: the YAML parser writes
     * "while parsing ...", the position and a caret under it, then what it expected.
     */
    private static String problem(ValidationException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = cause instanceof tools.jackson.core.JacksonException
                ? ((tools.jackson.core.JacksonException) cause).getOriginalMessage() : cause.getMessage();
        if (message == null) {
            return e.getMessage();
        }
        return message.lines().filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .map(String::trim).collect(Collectors.joining(": "));
    }
}
