package io.atomicfiles.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A place in a JSON or YAML document, as {@code atomicfiles update} names it.
 *
 * <pre>
 *   server.port             key "port" of the object under key "server"
 *   servers[0].host         key "host" of the first element of the array under "servers"
 *   hosts."api.example.com" a key with dots in it, quoted
 *   hosts.api\.example\.com the same, each dot escaped with a backslash
 * </pre>
 *
 * <p>A path starts with a key (the top level of the document is an object); keys are separated
 * by dots and array elements are addressed by {@code [N]}, counted from 0. A key is written as
 * it is, or between double quotes; a backslash takes the next character literally, in a quoted
 * key as well ({@code \"}, {@code \\}). In {@code --set PATH=VALUE} the path ends at the first
 * {@code =} that is neither quoted nor escaped.
 */
final class DocumentPath {

    /** One step of a path: a key of an object or an element of an array. */
    sealed interface Segment permits Key, Index {
    }

    /** The value under {@code name} in an object. */
    record Key(String name) implements Segment {
    }

    /** The element at {@code position} (from 0) of an array. */
    record Index(int position) implements Segment {
    }

    private final String text;
    private final List<Segment> segments;

    private DocumentPath(String text, List<Segment> segments) {
        this.text = text;
        this.segments = List.copyOf(segments);
    }

    /**
     * Parses a whole path, such as {@code servers[0].host}.
     *
     * @throws IllegalArgumentException naming what is wrong and where
     */
    static DocumentPath parse(String text) {
        Parser parser = new Parser(text, false);
        DocumentPath path = parser.path();
        if (!parser.atEnd()) {
            throw parser.problem("unexpected '" + text.charAt(parser.at) + "'");
        }
        return path;
    }

    /**
     * Parses {@code PATH=VALUE}: the path up to the first {@code =} outside quotes and not
     * escaped, and the text after it.
     *
     * @throws IllegalArgumentException when there is no such {@code =} or the path is malformed
     */
    static Assignment parseAssignment(String text) {
        Parser parser = new Parser(text, true);
        DocumentPath path = parser.path();
        if (parser.atEnd()) {
            throw new IllegalArgumentException("expected PATH=VALUE, such as server.port=8080, got '" + text
                    + "' (no '=' after the path; a key containing '=' is quoted or escaped: \"a=b\" or a\\=b)");
        }
        return new Assignment(path, text.substring(parser.at + 1));
    }

    /** A path and the text of the value to set there. */
    record Assignment(DocumentPath path, String value) {
    }

    /** The steps from the top of the document, never empty, the first one a key. */
    List<Segment> segments() {
        return segments;
    }

    /** The path of the first {@code count} segments, as text, such as {@code servers[0]}. */
    String prefix(int count) {
        StringBuilder out = new StringBuilder();
        for (Segment segment : segments.subList(0, count)) {
            if (segment instanceof Index index) {
                out.append('[').append(index.position()).append(']');
            } else {
                String name = ((Key) segment).name();
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(plain(name) ? name : quoted(name));
            }
        }
        return out.toString();
    }

    /** The path as the user wrote it. */
    @Override
    public String toString() {
        return text;
    }

    private static boolean plain(String name) {
        return !name.isEmpty() && name.chars().noneMatch(c -> c == '.' || c == '[' || c == '\\' || c == '=' || c == '"');
    }

    private static String quoted(String name) {
        return '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** A cursor over the text of a path. */
    private static final class Parser {
        private final String text;
        private final boolean stopAtEquals;
        private int at;

        Parser(String text, boolean stopAtEquals) {
            this.text = text;
            this.stopAtEquals = stopAtEquals;
        }

        DocumentPath path() {
            List<Segment> segments = new ArrayList<>();
            if (atEnd() || peek() == '[') {
                throw problem("a path starts with a key (the top level is an object), such as server.port or list[0]");
            }
            segments.add(key());
            while (!atEnd() && !(stopAtEquals && peek() == '=')) {
                char c = peek();
                if (c == '.') {
                    at++;
                    segments.add(key());
                } else if (c == '[') {
                    segments.add(index());
                } else {
                    throw problem("expected '.', '[' or the end after a key or an index, got '" + c + "'");
                }
            }
            int end = atEnd() ? text.length() : at;
            return new DocumentPath(text.substring(0, end), segments);
        }

        private Key key() {
            if (!atEnd() && peek() == '"') {
                return quotedKey();
            }
            StringBuilder name = new StringBuilder();
            while (!atEnd()) {
                char c = peek();
                if (c == '.' || c == '[' || (stopAtEquals && c == '=')) {
                    break;
                }
                at++;
                name.append(c == '\\' ? escaped() : c);
            }
            if (name.length() == 0) {
                throw problem("empty key (write an empty key as \"\")");
            }
            return new Key(name.toString());
        }

        private Key quotedKey() {
            int start = at;
            at++;
            StringBuilder name = new StringBuilder();
            while (true) {
                if (atEnd()) {
                    at = start;
                    throw problem("the quote that begins here is not closed");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return new Key(name.toString());
                }
                name.append(c == '\\' ? escaped() : c);
            }
        }

        /** The character after a backslash (the cursor is just past the backslash). */
        private char escaped() {
            if (atEnd()) {
                at--;
                throw problem("a backslash at the end escapes nothing");
            }
            return text.charAt(at++);
        }

        private Index index() {
            int start = at;
            at++;
            int close = text.indexOf(']', at);
            String digits = close < 0 ? "" : text.substring(at, close);
            if (close < 0 || digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
                at = start;
                throw problem("expected an array index such as [0] (a number from 0)");
            }
            at = close + 1;
            return new Index(Integer.parseInt(digits));
        }

        boolean atEnd() {
            return at >= text.length();
        }

        private char peek() {
            return text.charAt(at);
        }

        IllegalArgumentException problem(String what) {
            return new IllegalArgumentException("bad path '" + text + "' at character " + (at + 1) + ": " + what);
        }
    }
}
