package io.atomicfiles.format;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * JSON Schema validation through networknt's validator.
 *
 * <p>A schema may be given as a {@code Map}, a Jackson {@code JsonNode}, a JSON string or a
 * {@code Path} to a schema file (JSON, or YAML by extension). A schema without {@code $schema}
 * is read as draft 2020-12. {@code format} is asserted, not just annotated: a value that claims
 * to be an {@code email} and is not one fails, which is what a caller who wrote the keyword means.
 * Nothing is fetched over the network: a {@code $ref} to a remote URL is an error.
 */
public final class Schemas {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .pathType(PathType.JSON_PATH)
                    .formatAssertionsEnabled(true)
                    .build())
                    // A schema is data: validating must never reach out to the network because
                    // a $schema or $ref names a URL. The drafts' meta-schemas ship in the jar.
                    .schemaLoader(loader -> loader.fetchRemoteResources(false)));

    private static final Map<SpecificationVersion, Schema> META_SCHEMAS = new ConcurrentHashMap<>();

    private Schemas() {
    }

    /**
     * Refuses, before any file is touched, a value that is none of the shapes a schema may
     * take: a {@code Map}, a {@code JsonNode}, a JSON string, a {@code Path} (or a compiled
     * {@code Schema}). Whether its content is a valid schema is checked when it is compiled.
     *
     * @throws IllegalArgumentException naming the type that was given
     */
    public static void requireSchemaShape(Object schema) {
        if (!(schema instanceof Map || schema instanceof JsonNode || schema instanceof CharSequence
                || schema instanceof Path || schema instanceof Schema)) {
            throw notASchemaShape(schema);
        }
    }

    private static IllegalArgumentException notASchemaShape(Object schema) {
        return new IllegalArgumentException("a schema must be a Map, a JsonNode, a JSON string or a Path, not "
                + (schema == null ? "null" : schema.getClass().getName()));
    }

    /** Reads and compiles a schema given in any of the accepted shapes. */
    public static Schema compile(Object schema) throws IOException {
        JsonNode node;
        if (schema instanceof Schema) {
            return (Schema) schema;
        } else if (schema instanceof JsonNode) {
            node = (JsonNode) schema;
        } else if (schema instanceof Map) {
            node = Codecs.toTree(schema);
        } else if (schema instanceof CharSequence) {
            try {
                node = Codecs.json().readTree(schema.toString());
            } catch (JacksonException e) {
                throw new IllegalArgumentException("schema string is not valid JSON: " + e.getOriginalMessage(), e);
            }
        } else if (schema instanceof Path) {
            Path file = (Path) schema;
            if (!Files.isRegularFile(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString(), null, "schema file not found");
            }
            node = Codecs.read(file, DataFormat.of(file).orElse(DataFormat.JSON));
        } else {
            throw notASchemaShape(schema);
        }
        if (!node.isObject() && !node.isBoolean()) {
            throw new IllegalArgumentException("a JSON Schema must be an object or a boolean, got " + node.getNodeType());
        }
        requireValidSchema(node);
        try {
            return REGISTRY.getSchema(node);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid JSON Schema: " + e.getMessage(), e);
        }
    }

    /**
     * Checks a schema against the meta-schema of its dialect (bundled with the validator, never
     * fetched), so that a mistake in the schema, such as {@code "type": "strnig"}, is reported as
     * the schema's and not blamed on the data it was meant to check.
     */
    private static void requireValidSchema(JsonNode node) {
        if (!node.isObject()) {
            return; // true and false are complete schemas
        }
        SpecificationVersion dialect = SpecificationVersion.fromSchemaNode(node)
                .orElse(SpecificationVersion.DRAFT_2020_12);
        Schema metaSchema = META_SCHEMAS.computeIfAbsent(dialect,
                d -> REGISTRY.getSchema(SchemaLocation.of(d.getDialectId())));
        List<Error> errors = metaSchema.validate(node);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid JSON Schema: " + errors.stream()
                    .map(e -> location(e) + ": " + e.getMessage())
                    .collect(Collectors.joining("; ")));
        }
    }

    /**
     * Checks {@code instance} against {@code schema}.
     *
     * @param target the file the content is for, named in the exception
     * @throws ValidationException listing every violation with its JSON path
     */
    public static void validate(Object schema, JsonNode instance, Path target) throws IOException {
        List<Error> errors = compile(schema).validate(instance);
        if (!errors.isEmpty()) {
            throw new ValidationException(target, errors.stream()
                    .map(e -> new ValidationException.Violation(location(e), e.getMessage()))
                    .collect(Collectors.toList()));
        }
    }

    private static String location(Error error) {
        String path = error.getInstanceLocation() == null ? "$" : error.getInstanceLocation().toString();
        return path.isEmpty() ? "$" : path;
    }
}
