package io.atomicfiles;

import java.nio.file.Path;
import java.util.Map;

/**
 * A checksum did not match: the bytes read back from a temp file differ from the bytes
 * written, or a target no longer has the SHA-256 the caller expected. Nothing was published.
 */
public class IntegrityException extends AtomicWriteException {
    private static final long serialVersionUID = 1L;

    private final String expected;
    private final String actual;

    /**
     * @param what what was checked, such as "temp file read back" or "target's current content"
     * @param expected hex SHA-256 that was expected
     * @param actual hex SHA-256 found, or {@code "absent"} where there was no file
     */
    public IntegrityException(String operation, Path path, String what, String expected, String actual) {
        super(operation + " " + path + " failed: checksum mismatch on " + what + ": expected SHA-256 " + expected
                + " but found " + actual, null, withChecksums(operation, path, what, expected, actual));
        this.expected = expected;
        this.actual = actual;
    }

    private static Map<String, Object> withChecksums(String operation, Path path, String what, String expected,
            String actual) {
        Map<String, Object> context = context(operation, path, what);
        context.put("expectedSha256", expected);
        context.put("actualSha256", actual);
        return context;
    }

    /** The hex SHA-256 that was expected. */
    public String getExpectedChecksum() {
        return expected;
    }

    /** The hex SHA-256 found, or {@code "absent"} when the file did not exist. */
    public String getActualChecksum() {
        return actual;
    }
}
