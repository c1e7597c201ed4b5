package io.atomicfiles;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.format.Schemas;
import io.atomicfiles.internal.WriteProtocol;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;

/**
 * Writes one file atomically: readers, and the file after a crash or power loss, show either
 * the old content or the complete new content, never a mix.
 *
 * <pre>{@code
 * try (AtomicWriter writer = AtomicWriter.open(Path.of("config.json"))) {
 *     writer.writeJson(Map.of("version", 2));
 *     writer.commit();
 * } // without commit(), close() discards the new content and leaves config.json untouched
 * }</pre>
 *
 * <p>{@link #open} takes the path's lock, so other writers of the same file (threads of this
 * JVM and other processes using atomicfiles) wait until this one commits or closes. Content
 * goes to a private temp file beside the target; {@link #commit()} makes it durable, verifies
 * it and renames it over the target in one atomic step. The protocol is described step by step
 * in {@code io.atomicfiles.internal.WriteProtocol}.
 *
 * <p>Content accumulates: {@code writeText}, {@code writeBytes} and {@link #outputStream()} may
 * be mixed and called many times. {@code writeJson} and {@code writeYaml} write one whole
 * document and must be the only content. A schema in the options is checked before structured
 * content is written; other content is parsed and checked at {@link #commit()}, before it is
 * published. A writer is for one thread.
 */
public final class AtomicWriter implements Closeable {
    private final WriteProtocol protocol;
    private final WriteOptions options;
    private boolean structured;
    private boolean validated;
    /**
     * The encoder of the text written so far, kept across {@code writeText} calls so that pieces
     * encode like the whole: one byte-order mark (UTF-16), and a surrogate pair split between two
     * calls still joined into one character.
     */
    private Writer text;
    private Charset textCharset;

    private AtomicWriter(WriteProtocol protocol, WriteOptions options) {
        this.protocol = protocol;
        this.options = options;
    }

    /** Opens a writer for {@code path} with {@link WriteOptions#defaults()}. */
    public static AtomicWriter open(Path path) throws IOException {
        return open(path, WriteOptions.defaults());
    }

    /**
     * Opens a writer for {@code path}: resolves it, waits for its lock and creates the temp file.
     *
     * @throws AtomicWriteException if {@code path} is a folder or a special file (a FIFO, a
     *     device, a socket), if a symbolic link on the way may not be followed (see
     *     {@link #target()}), or if, with backup on, {@code NAME.backup} would be longer than a
     *     file name may be (over 255 bytes): nothing is written then
     * @throws java.nio.file.FileAlreadyExistsException with {@code createNew}, if the file exists
     * @throws IntegrityException with {@code expectedChecksum}, if the file has other content
     * @throws LockTimeoutException if another writer holds the file for longer than the lock timeout
     */
    public static AtomicWriter open(Path path, WriteOptions options) throws IOException {
        return open(path, options, "write", -1, false);
    }

    /** @param contentInHand see {@link WriteProtocol#begin(Path, WriteOptions, String, long, java.util.Set, boolean)} */
    static AtomicWriter open(Path path, WriteOptions options, String operation, long expectedSize,
            boolean contentInHand) throws IOException {
        return new AtomicWriter(WriteProtocol.begin(path, options, operation, expectedSize, null, contentInHand),
                options);
    }

    /**
     * The file that receives the content: the real path of the path given (its folders free of
     * symbolic links, {@code .} and {@code ..}), or of its link target when it is a symbolic link
     * that is followed. A link in a sticky folder that everyone may write to (like {@code /tmp})
     * is followed only when it belongs to this process's user or to the folder's owner, as
     * Linux's {@code fs.protected_symlinks} rule has it, whatever the system's setting; any other
     * is refused with an {@link AtomicWriteException} that says why.
     */
    public Path target() {
        return protocol.target();
    }

    /** Appends {@code text} as UTF-8. */
    public AtomicWriter writeText(String text) throws IOException {
        return writeText(text, StandardCharsets.UTF_8);
    }

    /**
     * Appends {@code text} in {@code charset}, encoded in chunks (no second copy of a large text).
     * Several calls in one charset write what one call with the joined text would.
     */
    public AtomicWriter writeText(String text, Charset charset) throws IOException {
        requireUnstructured("writeText");
        if (!charset.equals(textCharset)) {
            finishText();
            this.text = new OutputStreamWriter(protocol.content(), charset);
            this.textCharset = charset;
        }
        this.text.write(text);
        this.text.flush();
        return this;
    }

    /** Appends {@code bytes} as they are. */
    public AtomicWriter writeBytes(byte[] bytes) throws IOException {
        requireUnstructured("writeBytes");
        finishText();
        protocol.content().write(bytes);
        return this;
    }

    /** Writes {@code data} as JSON indented by 2 spaces. */
    public AtomicWriter writeJson(Object data) throws IOException {
        return writeJson(data, 2);
    }

    /**
     * Writes {@code data} (maps, lists, records, beans: anything Jackson serialises) as the whole
     * content, in JSON indented by {@code indent} spaces (0 for one compact line).
     *
     * @throws ValidationException if a schema is set and {@code data} violates it; nothing is written
     * @throws IOException if {@code data} cannot be serialised; the write is then void (discarded)
     */
    public AtomicWriter writeJson(Object data, int indent) throws IOException {
        Object value = validateStructured(data, "writeJson");
        try {
            Codecs.writeJson(value, indent, protocol.content());
        } catch (IOException | RuntimeException e) {
            discardHalfDocument();
            throw e;
        }
        return this;
    }

    /**
     * Writes {@code data} as the whole content, in block-style YAML.
     *
     * @throws ValidationException if a schema is set and {@code data} violates it; nothing is written
     * @throws IOException if {@code data} cannot be serialised; the write is then void (discarded)
     */
    public AtomicWriter writeYaml(Object data) throws IOException {
        Object value = validateStructured(data, "writeYaml");
        try {
            Codecs.writeYaml(value, protocol.content());
        } catch (IOException | RuntimeException e) {
            discardHalfDocument();
            throw e;
        }
        return this;
    }

    /**
     * A stream for content of any size, written in chunks with constant memory. Closing it does
     * not commit; {@link #commit()} does.
     */
    public OutputStream outputStream() {
        if (structured) {
            throw new IllegalStateException("a JSON/YAML document is already the whole content of " + target());
        }
        try {
            finishText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return protocol.content();
    }

    /**
     * Publishes the content: checks the schema (for content not written by writeJson/writeYaml),
     * forces the temp file to disk, verifies it, keeps the backup and renames it over the target.
     * On failure the target is as it was and the temp file is gone.
     *
     * @return what was written, with its SHA-256
     */
    public WriteResult commit() throws IOException {
        finishText();
        if (options.schema().isPresent() && !validated) {
            return protocol.commit(this::validateWrittenContent);
        }
        return protocol.commit();
    }

    /** Discards the content if it was not committed; the target stays as it was. Idempotent. */
    @Override
    public void close() {
        protocol.close();
    }

    private Object validateStructured(Object data, String method) throws IOException {
        if (structured || protocol.size() > 0) {
            throw new IllegalStateException(method + " writes a whole document; " + target()
                    + " already has content in this writer");
        }
        Object value = data;
        if (options.schema().isPresent()) {
            JsonNode tree = Codecs.toTree(data);
            Schemas.validate(options.schema().get(), tree, target());
            value = tree;
            validated = true;
        }
        structured = true;
        return value;
    }

    /**
     * Ends the current run of text: a dangling half of a surrogate pair is written (as the
     * charset's replacement), so it cannot land after content written next by other means.
     */
    private void finishText() throws IOException {
        if (text != null) {
            Writer finished = text;
            text = null;
            textCharset = null;
            finished.close(); // flushes the encoder; the content stream itself ignores close()
        }
    }

    /**
     * A document that failed half-way may already be partly in the temp file (Jackson flushes
     * before it reports): the write is void, so that no later commit can publish half a document.
     */
    private void discardHalfDocument() {
        protocol.close();
    }

    private void requireUnstructured(String method) {
        if (structured) {
            throw new IllegalStateException(method + ": a JSON/YAML document is already the whole content of "
                    + target());
        }
    }

    /**
     * Content that came as text, bytes or a stream is parsed from the finished temp file (YAML for
     * .yaml/.yml, else JSON) and checked against the schema before it is published. It is read
     * through the temp file's open descriptor ({@link WriteProtocol#commit(IOConsumer)}); empty
     * content is an empty object, as an empty file is.
     */
    private void validateWrittenContent(InputStream content) throws IOException {
        DataFormat format = DataFormat.of(target()).orElse(DataFormat.JSON);
        JsonNode tree = Codecs.read(content.readAllBytes(), format, target());
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = Codecs.json().createObjectNode();
        }
        Schemas.validate(options.schema().get(), tree, target());
    }
}
