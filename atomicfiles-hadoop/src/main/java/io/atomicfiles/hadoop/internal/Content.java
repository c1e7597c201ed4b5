package io.atomicfiles.hadoop.internal;

import io.atomicfiles.ContentType;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.format.Schemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.Path;
import tools.jackson.databind.JsonNode;

/** Content as bytes, through core's codecs and schema validation, checked before any file is touched. */
public final class Content {
    private Content() {
    }

    /**
     * JSON and YAML take any Jackson-serialisable value, TEXT a {@link CharSequence} (UTF-8),
     * BYTES a {@code byte[]} (copied). Given a schema, structured content is validated first
     * (and text or bytes are parsed as the target's extension says, JSON by default).
     *
     * @throws io.atomicfiles.ValidationException when the content violates the schema
     */
    public static byte[] serialise(Path target, Object content, ContentType type, Object schema) throws IOException {
        if (content == null) {
            throw new IllegalArgumentException("write " + target + ": content is null");
        }
        switch (type) {
            case TEXT:
                if (!(content instanceof CharSequence)) {
                    throw new IllegalArgumentException("write " + target + ": TEXT content must be a CharSequence,"
                            + " not " + content.getClass().getName());
                }
                byte[] text = content.toString().getBytes(StandardCharsets.UTF_8);
                validateBytes(target, text, schema);
                return text;
            case BYTES:
                if (!(content instanceof byte[])) {
                    throw new IllegalArgumentException("write " + target + ": BYTES content must be a byte[], not "
                            + content.getClass().getName());
                }
                byte[] bytes = ((byte[]) content).clone();
                validateBytes(target, bytes, schema);
                return bytes;
            default:
                Object value = content;
                if (schema != null) {
                    JsonNode tree = Codecs.toTree(content);
                    Schemas.validate(schema, tree, Names.display(target));
                    value = tree;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                if (type == ContentType.JSON) {
                    Codecs.writeJson(value, 2, out);
                } else {
                    Codecs.writeYaml(value, out);
                }
                return out.toByteArray();
        }
    }

    private static void validateBytes(Path target, byte[] bytes, Object schema) throws IOException {
        if (schema != null) {
            DataFormat format = DataFormat.of(Names.display(target)).orElse(DataFormat.JSON);
            Schemas.validate(schema, Codecs.read(bytes, format, Names.display(target)), Names.display(target));
        }
    }
}
