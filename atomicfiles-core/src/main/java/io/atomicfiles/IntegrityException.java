package io.atomicfiles;

import java.nio.file.Path;
import java.util.Map;

/**
 * A checksum did not match: the bytes read back from a temp file differ from the bytes
 * written (their CRC32C, compared chunk by chunk), or a target no longer has the SHA-256 the
 * caller expected. Nothing was published.
 */
public class IntegrityException extends AtomicWriteException {
    private static final long serialVersionUID = 1L;

    private final String expected;
    private final String actual;
    private final String algorithm;

    /**
     * @param what what was checked, such as "temp file read back" or "target's current content"
     * @param expected hex SHA-256 that was expected
     * @param actual hex SHA-256 found, or {@code "absent"} where there was no file
     */
    public IntegrityException(String operation, Path path, String what, String expected, String actual) {
        this(operation, path, what, "SHA-256", expected, actual);
    }

    /**
     * A mismatch of a checksum other than SHA-256, such as the CRC32C with which a temp file's
     * read-back is compared with the bytes written.
     *
     * @param algorithm the checksum's name as people write it: {@code "SHA-256"}, {@code "CRC32C"}
     * @param expected the checksum expected, in hex
     * @param actual the checksum found, in hex, or {@code "absent"}
     */
    public IntegrityException(String operation, Path path, String what, String algorithm, String expected,
            String actual) {
        super(operation + " " + path + " failed: checksum mismatch on " + what + ": expected " + algorithm + " "
                + expected + " but found " + actual, null,
                withChecksums(operation, path, what, algorithm, expected, actual));
        this.expected = expected;
        this.actual = actual;
        this.algorithm = algorithm;
    }

    private static Map<String, Object> withChecksums(String operation, Path path, String what, String algorithm,
            String expected, String actual) {
        Map<String, Object> context = context(operation, path, what);
        if ("SHA-256".equals(algorithm)) {
            context.put("expectedSha256", expected);
            context.put("actualSha256", actual);
        } else {
            context.put("checksumAlgorithm", algorithm);
            context.put("expectedChecksum", expected);
            context.put("actualChecksum", actual);
        }
        return context;
    }

    /** The checksum that was expected, in hex: a SHA-256 unless {@link #getAlgorithm()} says otherwise. */
    public String getExpectedChecksum() {
        return expected;
    }

    /** The checksum found, in hex, or {@code "absent"} when the file did not exist. */
    public String getActualChecksum() {
        return actual;
    }

    /** The checksum compared: {@code "SHA-256"}, or {@code "CRC32C"} for a temp file's read-back. */
    public String getAlgorithm() {
        return algorithm;
    }
}
