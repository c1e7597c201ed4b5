package io.atomicfiles;

/** How content handed to a {@link FileTransaction} is turned into bytes. */
public enum ContentType {
    /** Any Jackson-serialisable value, written as indented JSON. */
    JSON,
    /** Any Jackson-serialisable value, written as block-style YAML. */
    YAML,
    /** A {@link CharSequence}, written as UTF-8. */
    TEXT,
    /** A {@code byte[]}, written as is. */
    BYTES
}
