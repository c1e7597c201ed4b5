package io.atomicfiles.cli.plan;

import io.atomicfiles.format.DataFormat;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A transaction plan as read from its file, checked for shape but not yet for the files it
 * names: the operations in order, their paths as written (relative to the root, resolved by
 * {@link PlanRoot}).
 *
 * @param name the plan's name for messages: its file, or "standard input"
 * @param operations the operations, in the plan's order
 */
public record Plan(String name, List<Operation> operations) {

    public Plan {
        operations = List.copyOf(operations);
    }

    /** One entry of the plan's {@code operations} list. */
    public sealed interface Operation permits Write, Copy, Move, Delete {
        /** Where the entry sits in the plan. */
        Position position();

        /** "write config/app.json", "copy a.txt to b.txt". */
        String describe();

        /** "operation 3 (line 12, write config/app.json)": how messages name this operation. */
        default String label() {
            return position().label(describe());
        }
    }

    /**
     * Where an operation sits in the plan.
     *
     * @param number its position in the list, from 1
     * @param line the plan line it starts on, or -1 when unknown
     */
    public record Position(int number, int line) {
        String label(String what) {
            String where = line > 0 ? "line " + line : null;
            if (what == null) {
                return "operation " + number + (where == null ? "" : " (" + where + ")");
            }
            return "operation " + number + " (" + (where == null ? "" : where + ", ") + what + ")";
        }
    }

    /** Where a write's bytes come from: exactly one of these per write. */
    public sealed interface Content permits Value, Text, FromFile {
    }

    /** {@code content:} any value, serialised as the file's format says. */
    public record Value(JsonNode value) implements Content {
    }

    /** {@code text:} a string, written as it is in UTF-8. */
    public record Text(String text) implements Content {
    }

    /** {@code from:} the content of another file under the root. */
    public record FromFile(String path) implements Content {
    }

    /**
     * {@code write: PATH}.
     *
     * @param format the structured format the file is written in: the {@code format:} key, else
     *     the path's extension; empty for text and bytes
     * @param schema a schema file's path (a string node) or the schema itself (an object); null for none
     */
    public record Write(Position position, String path, Content content, Optional<DataFormat> format,
            JsonNode schema) implements Operation {
        @Override
        public String describe() {
            return "write " + path;
        }
    }

    /** {@code copy: SOURCE, to: TARGET}. */
    public record Copy(Position position, String source, String target) implements Operation {
        @Override
        public String describe() {
            return "copy " + source + " to " + target;
        }
    }

    /** {@code move: SOURCE, to: TARGET}. */
    public record Move(Position position, String source, String target) implements Operation {
        @Override
        public String describe() {
            return "move " + source + " to " + target;
        }
    }

    /** {@code delete: PATH}. */
    public record Delete(Position position, String path) implements Operation {
        @Override
        public String describe() {
            return "delete " + path;
        }
    }
}
