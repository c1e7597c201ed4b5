package io.atomicfiles.cli;

/**
 * Input that the command cannot use, found by the command itself rather than the library: an
 * {@code update} edit through a value of the wrong kind, a checksum list without a single
 * checksum line. Exit code {@link Main#INVALID}; nothing was changed.
 */
final class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    InvalidInputException(String message) {
        super(message);
    }
}
