package io.atomicfiles.cli;

import io.atomicfiles.cli.DocumentPath.Index;
import io.atomicfiles.cli.DocumentPath.Key;
import io.atomicfiles.cli.DocumentPath.Segment;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ContainerNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One change {@code atomicfiles update} makes to a document: {@code --set PATH=VALUE} or
 * {@code --delete PATH}.
 *
 * <p>Setting creates what is missing (or null) on the way, like {@code mkdir -p}: an object
 * for a key, an array for an index (which must then be 0). An index may be one past the end of an array,
 * which appends. Setting through a value of the wrong kind (a key of a string, an index of an
 * object) is refused. Deleting what is not there changes nothing and says so; deleting an
 * array element moves the later ones down.
 *
 * @param path where
 * @param value the value to set, or null to delete
 */
record DocumentEdit(DocumentPath path, JsonNode value) {
    private static final int SHOWN_VALUE_LENGTH = 60;

    /** What an edit did, for the line {@code atomicfiles update} prints about it. */
    /**
     * What an edit did.
     *
     * @param action "set" or "delete"
     * @param before the value at the path before the edit; null where there was none
     * @param after the value at the path after it; null once deleted
     */
    record Outcome(boolean changed, String description, String action, String path, JsonNode before,
            JsonNode after) {
    }

    static DocumentEdit set(String assignment) {
        DocumentPath.Assignment parsed = DocumentPath.parseAssignment(assignment);
        return new DocumentEdit(parsed.path(), InlineValue.parse(parsed.value()));
    }

    static DocumentEdit delete(String path) {
        return new DocumentEdit(DocumentPath.parse(path), null);
    }

    boolean isDelete() {
        return value == null;
    }

    /**
     * Applies the edit to {@code root}, changing it in place.
     *
     * @throws IllegalArgumentException when the path goes through a value of the wrong kind or
     *     past the end of an array; {@code root} may then be partly changed, so the caller discards it
     */
    Outcome applyTo(ObjectNode root) {
        return isDelete() ? delete(root) : set(root);
    }

    private Outcome set(ObjectNode root) {
        List<Segment> segments = path.segments();
        ContainerNode<?> container = root;
        for (int i = 0; i < segments.size() - 1; i++) {
            container = child(container, i, segments.get(i + 1) instanceof Index);
        }
        Segment last = segments.get(segments.size() - 1);
        JsonNode before;
        if (last instanceof Key key) {
            ObjectNode object = requireObject(container, segments.size() - 1);
            before = object.get(key.name());
            object.set(key.name(), value.deepCopy());
        } else {
            ArrayNode array = requireArray(container, segments.size() - 1);
            int position = requirePosition(array, segments.size() - 1);
            before = position < array.size() ? array.get(position) : null;
            if (before == null) {
                array.add(value.deepCopy());
            } else {
                array.set(position, value.deepCopy());
            }
        }
        if (before == null) {
            return new Outcome(true, "set " + path + " = " + shown(value) + " (new)", "set", path.toString(), null, value);
        }
        if (before.equals(value)) {
            return new Outcome(false, "set " + path + " = " + shown(value) + " (unchanged)", "set", path.toString(),
                    before, value);
        }
        return new Outcome(true, "set " + path + " = " + shown(value) + " (was " + shown(before) + ")", "set",
                path.toString(), before, value);
    }

    private Outcome delete(ObjectNode root) {
        List<Segment> segments = path.segments();
        JsonNode node = root;
        for (Segment segment : segments.subList(0, segments.size() - 1)) {
            node = segment instanceof Key key ? node.get(key.name()) : node.get(((Index) segment).position());
            if (node == null || !node.isContainer()) {
                return notThere();
            }
        }
        Segment last = segments.get(segments.size() - 1);
        JsonNode removed = null;
        if (last instanceof Key key && node.isObject()) {
            removed = ((ObjectNode) node).remove(key.name());
        } else if (last instanceof Index index && node.isArray() && index.position() < node.size()) {
            removed = ((ArrayNode) node).remove(index.position());
        }
        return removed == null ? notThere() : new Outcome(true, "deleted " + path + " (was " + shown(removed) + ")",
                "delete", path.toString(), removed, null);
    }

    private Outcome notThere() {
        return new Outcome(false, "deleted " + path + " (not there: nothing to delete)", "delete", path.toString(),
                null, null);
    }

    /**
     * The container under segment {@code i} of {@code parent}, created when missing: an array
     * when the next segment is an index, else an object.
     */
    private ContainerNode<?> child(ContainerNode<?> parent, int i, boolean arrayNext) {
        Segment segment = path.segments().get(i);
        JsonNode existing;
        if (segment instanceof Key key) {
            existing = requireObject(parent, i).get(key.name());
        } else {
            ArrayNode array = requireArray(parent, i);
            existing = array.get(requirePosition(array, i));
        }
        if (existing != null && !existing.isNull()) {
            if (!existing.isContainer()) {
                throw new IllegalArgumentException("cannot set " + path + ": " + path.prefix(i + 1) + " is "
                        + kind(existing) + ", not an " + (arrayNext ? "array" : "object"));
            }
            return (ContainerNode<?>) existing;
        }
        ContainerNode<?> created = arrayNext ? JsonNodeFactory.instance.arrayNode() : JsonNodeFactory.instance.objectNode();
        if (segment instanceof Key key) {
            ((ObjectNode) parent).set(key.name(), created);
        } else if (existing != null) {
            ((ArrayNode) parent).set(((Index) segment).position(), created);
        } else {
            ((ArrayNode) parent).add(created);
        }
        return created;
    }

    private ObjectNode requireObject(ContainerNode<?> container, int i) {
        if (!container.isObject()) {
            throw new IllegalArgumentException("cannot set " + path + ": " + path.prefix(i) + " is an array;"
                    + " address its elements as " + path.prefix(i) + "[N]");
        }
        return (ObjectNode) container;
    }

    private ArrayNode requireArray(ContainerNode<?> container, int i) {
        if (!container.isArray()) {
            throw new IllegalArgumentException("cannot set " + path + ": " + path.prefix(i) + " is an object, not an"
                    + " array; address its keys as " + path.prefix(i) + ".KEY");
        }
        return (ArrayNode) container;
    }

    /** The index of segment {@code i}: an element of {@code array}, or one past its end (append). */
    private int requirePosition(ArrayNode array, int i) {
        int position = ((Index) path.segments().get(i)).position();
        if (position > array.size()) {
            throw new IllegalArgumentException("cannot set " + path + ": " + path.prefix(i) + " has " + array.size()
                    + " element" + (array.size() == 1 ? "" : "s") + "; an index may be at most " + array.size()
                    + " (which appends)");
        }
        return position;
    }

    private static String kind(JsonNode node) {
        String type = node.isString() ? "string" : node.isNumber() ? "number" : node.isBoolean() ? "boolean" : "value";
        return "a " + type + " (" + shown(node) + ")";
    }

    /** The value as compact JSON, cut short when long. */
    static String shown(JsonNode node) {
        String json = node.toString();
        return json.length() <= SHOWN_VALUE_LENGTH ? json : json.substring(0, SHOWN_VALUE_LENGTH - 3) + "...";
    }

    /** {@code --set PATH=VALUE}; a malformed one is a usage error. */
    static final class SetConverter implements ITypeConverter<DocumentEdit> {
        @Override
        public DocumentEdit convert(String value) {
            try {
                return set(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --delete PATH}; a malformed one is a usage error. */
    static final class DeleteConverter implements ITypeConverter<DocumentEdit> {
        @Override
        public DocumentEdit convert(String value) {
            try {
                return delete(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
