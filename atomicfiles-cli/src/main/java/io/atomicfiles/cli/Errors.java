package io.atomicfiles.cli;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** One-line descriptions of failures, for people: what failed, on which path, and why. */
public final class Errors {
    private Errors() {
    }

    /**
     * The failure in one line. The library's own exceptions already name the operation, the
     * path and the step; the JDK's file exceptions are worded here, since their messages are
     * often just a path.
     */
    public static String describe(Throwable failure) {
        Throwable e = unwrap(failure);
        if (e instanceof AtomicWriteException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return withReason("no such file: " + ((NoSuchFileException) e).getFile(), (FileSystemException) e);
        }
        if (e instanceof AccessDeniedException) {
            return withReason("permission denied: " + ((AccessDeniedException) e).getFile(), (FileSystemException) e);
        }
        if (e instanceof NotDirectoryException) {
            return withReason("not a folder: " + ((NotDirectoryException) e).getFile(), (FileSystemException) e);
        }
        if (e instanceof FileSystemException) {
            // "path: reason" or "path -> other: reason", as the JDK composes it
            return e.getMessage();
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        boolean selfExplaining = e instanceof IOException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException;
        return selfExplaining ? message : e.getClass().getSimpleName() + ": " + message;
    }

    /** "PATH: rejected by its schema, nothing written (2 violations):" */
    public static String rejectionHeadline(ValidationException e) {
        Object path = e.getOperationContext().getOrDefault("path", "content");
        int count = e.getViolations().size();
        return path + ": rejected, nothing written (" + count + " violation" + (count == 1 ? "" : "s") + "):";
    }

    private static String withReason(String text, FileSystemException e) {
        return e.getReason() == null ? text : text + " (" + e.getReason() + ")";
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable e = failure;
        while ((e instanceof UncheckedIOException || e instanceof CompletionException
                || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
