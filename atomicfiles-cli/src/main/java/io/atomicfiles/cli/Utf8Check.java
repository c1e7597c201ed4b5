package io.atomicfiles.cli;

import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Passes bytes through unchanged while checking that they are UTF-8 text: what
 * {@code --format text} promises. Constant memory: the decoder sees each chunk once and keeps
 * at most the three bytes of a character split between chunks. Invalid input is a
 * {@link ValidationException} naming the byte offset; the write it belongs to is then discarded.
 */
final class Utf8Check extends OutputStream {
    private final OutputStream out;
    private final Path target;
    private final String source;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final CharBuffer discard = CharBuffer.allocate(8192);
    private ByteBuffer carry = ByteBuffer.allocate(0);
    /** Bytes decoded so far: where the next undecoded byte sits in the input. */
    private long offset;

    /** @param source the input as the user knows it: a file name, or "standard input" */
    Utf8Check(OutputStream out, Path target, String source) {
        this.out = out;
        this.target = target;
        this.source = source;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
        ByteBuffer input = ByteBuffer.wrap(bytes, off, len);
        if (carry.hasRemaining()) {
            input = ByteBuffer.allocate(carry.remaining() + len).put(carry).put(bytes, off, len).flip();
        }
        decode(input, false);
        carry = ByteBuffer.allocate(input.remaining()).put(input).flip();
        out.write(bytes, off, len);
    }

    /** Checks the end of the input: a character cut off at the end is not text. Does not close the stream. */
    void finish() throws IOException {
        decode(carry, true);
        decoder.flush(discard);
    }

    private void decode(ByteBuffer input, boolean endOfInput) throws ValidationException {
        while (true) {
            int start = input.position();
            CoderResult result = decoder.decode(input, discard, endOfInput);
            offset += input.position() - start;
            discard.clear();
            if (result.isError()) {
                throw new ValidationException(target, source + " is not UTF-8 text: invalid byte sequence at byte "
                        + offset + " (use --format bytes to copy it as it is); " + target + " was not written", null);
            }
            if (result.isUnderflow()) {
                return;
            }
        }
    }
}
