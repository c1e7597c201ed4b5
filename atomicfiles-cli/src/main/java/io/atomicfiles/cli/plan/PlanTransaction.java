package io.atomicfiles.cli.plan;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.ValidationException;
import io.atomicfiles.cli.Errors;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Adds a plan's operations to a {@link FileTransaction}, in order. Every path is resolved inside
 * the root first; every content is read, converted and checked against its schema by the
 * transaction as it is added. Nothing is written: a failure here leaves every file as it was,
 * and is a {@link PlanException} naming the operation.
 */
public final class PlanTransaction {
    private final Plan plan;
    private final PlanRoot root;
    private final FileTransaction transaction;
    private final boolean backup;

    private PlanTransaction(Plan plan, PlanRoot root, FileTransaction transaction, boolean backup) {
        this.plan = plan;
        this.root = root;
        this.transaction = transaction;
        this.backup = backup;
    }

    /**
     * Adds every operation of {@code plan} to {@code transaction}.
     *
     * @param backup whether the transaction keeps backups (for the description only)
     * @return each operation as added, in order
     */
    public static List<Planned> addAll(Plan plan, PlanRoot root, FileTransaction transaction, boolean backup)
            throws IOException {
        PlanTransaction adder = new PlanTransaction(plan, root, transaction, backup);
        List<Planned> planned = new ArrayList<>();
        for (Plan.Operation operation : plan.operations()) {
            planned.add(adder.add(operation));
        }
        return planned;
    }

    private Planned add(Plan.Operation operation) throws IOException {
        String label = plan.name() + ": " + operation.label();
        try {
            if (operation instanceof Plan.Write) {
                return write((Plan.Write) operation, label);
            }
            if (operation instanceof Plan.Copy) {
                Plan.Copy copy = (Plan.Copy) operation;
                Path target = root.resolve(copy.target(), label + ": 'to'");
                Planned planned = replacing("copy", copy.source(), copy.target(), null, target);
                transaction.addCopy(root.resolve(copy.source(), label + ": 'copy'"), target);
                return planned;
            }
            if (operation instanceof Plan.Move) {
                Plan.Move move = (Plan.Move) operation;
                Path source = root.resolve(move.source(), label + ": 'move'");
                Path target = root.resolve(move.target(), label + ": 'to'");
                Planned planned = replacing("move", move.source(), move.target(), null, target);
                transaction.addMove(source, target);
                return planned;
            }
            Plan.Delete delete = (Plan.Delete) operation;
            Path target = root.resolve(delete.path(), label + ": 'delete'");
            transaction.addDelete(target);
            String keptAs = backup ? shown(target.resolveSibling(target.getFileName() + ".deleted_backup")) : null;
            return new Planned("delete", delete.path(), null, null, null, true, keptAs);
        } catch (PlanException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw rejected(label, e);
        }
    }

    private Planned write(Plan.Write write, String label) throws IOException {
        Path target = root.resolve(write.path(), label + ": 'write'");
        Object schema = schema(write.schema(), label);
        String checked = write.schema() == null ? ""
                : ", checked against " + (write.schema().isString() ? write.schema().asString() : "its schema");
        Plan.Content content = write.content();
        if (content instanceof Plan.Text) {
            Planned planned = replacing("write", write.path(), null, "text" + checked, target);
            transaction.addWrite(target, ((Plan.Text) content).text(), ContentType.TEXT, schema);
            return planned;
        }
        if (content instanceof Plan.Value) {
            JsonNode value = ((Plan.Value) content).value();
            if (write.format().isEmpty()) {
                Planned planned = replacing("write", write.path(), null, "text", target);
                transaction.addWrite(target, value.asString(), ContentType.TEXT);
                return planned;
            }
            DataFormat format = write.format().get();
            Planned planned = replacing("write", write.path(), null, format + checked, target);
            transaction.addWrite(target, value, typeOf(format), schema);
            return planned;
        }
        String from = ((Plan.FromFile) content).path();
        Path source = root.resolve(from, label + ": 'from'");
        if (!Files.isRegularFile(source)) {
            throw new NoSuchFileException(from, null, "'from' names no file");
        }
        byte[] bytes = Files.readAllBytes(source);
        if (write.format().isEmpty()) {
            Planned planned = replacing("write", write.path(), null, "bytes from " + from, target);
            transaction.addWrite(target, bytes, ContentType.BYTES);
            return planned;
        }
        // Structured content from a file: parsed as the source's extension says (else as the
        // target's format), so YAML can become JSON; checked against the schema like any other.
        DataFormat format = write.format().get();
        DataFormat parseAs = DataFormat.of(source).orElse(format);
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            throw new ValidationException(source, from + " is empty: expected a " + parseAs + " document", null);
        }
        JsonNode document = Codecs.read(bytes, parseAs, source);
        Planned planned = replacing("write", write.path(), null, format + " from " + from + checked, target);
        transaction.addWrite(target, document, typeOf(format), schema);
        return planned;
    }

    /** A schema file under the root (a Path the library reads), or the schema given inline. */
    private Object schema(JsonNode schema, String label) throws IOException {
        if (schema == null) {
            return null;
        }
        if (schema.isString()) {
            return root.resolve(schema.asString(), label + ": 'schema'");
        }
        return schema;
    }

    /** An operation that puts a file at {@code target}, replacing (and with backups, keeping) what is there. */
    private Planned replacing(String verb, String path, String to, String how, Path target) throws IOException {
        boolean replaces = Files.isRegularFile(target);
        String keptAs = null;
        if (replaces && backup) {
            // Through a symbolic link the library writes the link's target; its backup sits beside it.
            Path real = target.toRealPath();
            keptAs = shown(real.resolveSibling(real.getFileName() + ".backup"));
        }
        return new Planned(verb, path, to, how, target, replaces, keptAs);
    }

    /** A path as the user named it: relative to the root. */
    private String shown(Path path) {
        return path.startsWith(root.path()) ? root.path().relativize(path).toString() : path.toString();
    }

    /** The library's reason, worded for the plan, with the root taken out of the paths it names. */
    private PlanException rejected(String label, Exception e) {
        if (e instanceof ValidationException
                && "schema".equals(((ValidationException) e).getOperationContext().get("step"))) {
            List<ValidationException.Violation> violations = ((ValidationException) e).getViolations();
            return new PlanException(label + ": rejected by its schema (" + violations.size() + " violation"
                    + (violations.size() == 1 ? "" : "s") + ")",
                    violations.stream().map(ValidationException.Violation::toString).collect(Collectors.toList()), e);
        }
        String reason = Errors.describe(e).replace(root.path() + File.separator, "");
        return new PlanException(label + ": " + reason, List.of(), e);
    }

    private static ContentType typeOf(DataFormat format) {
        return format == DataFormat.JSON ? ContentType.JSON : ContentType.YAML;
    }
}
