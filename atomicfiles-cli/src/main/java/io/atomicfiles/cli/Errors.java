package io.atomicfiles.cli;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.LockTimeoutException;
import io.atomicfiles.ValidationException;
import io.atomicfiles.internal.StateDir;
import io.atomicfiles.internal.TempFiles;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * One-line descriptions of failures, for people: the user's file and the reason in plain words,
 * such as {@code permission denied: cannot create files in /srv/ro}.
 *
 * <p>Never in a message: the name of a temp file (the user never named it; its folder is what
 * matters), a Java class name ({@code AccessDeniedException}), a library option name where the
 * command line has a flag ({@code createNew} is {@code --create-new}).
 */
public final class Errors {
    /** The library's option names, as the command line spells them. */
    private static final Map<String, String> FLAGS = Map.of(
            "createNew", "--create-new",
            "expectedChecksum", "--expect-sha256",
            "maxFiles", "--keep",
            "journalDir", "--journal-dir");

    /** "AccessDeniedException", "OutOfMemoryError": a Java class name, which means nothing to a user. */
    private static final Pattern JAVA_CLASS = Pattern.compile("\\b[A-Z]\\w*(Exception|Error)\\b");

    private Errors() {
    }

    /** The failure in one line. */
    public static String describe(Throwable failure) {
        return inCommandLineWords(oneLine(describeUnwrapped(unwrap(failure))));
    }

    /** "PATH: rejected by its schema, nothing written (2 violations):" */
    public static String rejectionHeadline(ValidationException e) {
        Object path = e.getOperationContext().getOrDefault("path", "content");
        int count = e.getViolations().size();
        return path + ": rejected by its schema, nothing written (" + count + " violation" + (count == 1 ? "" : "s")
                + "):";
    }

    /** Whether {@code e} is the refusal of {@code --expect-sha256}: the target has another SHA-256. */
    static boolean isExpectedChecksumMismatch(Throwable e) {
        return e instanceof IntegrityException
                && String.valueOf(((IntegrityException) e).getOperationContext().get("step")).contains("expectedChecksum");
    }

    static Throwable unwrap(Throwable failure) {
        Throwable e = failure;
        while ((e instanceof UncheckedIOException || e instanceof CompletionException
                || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String describeUnwrapped(Throwable e) {
        if (isExpectedChecksumMismatch(e)) {
            IntegrityException mismatch = (IntegrityException) e;
            Object path = mismatch.getOperationContext().get("path");
            String found = "absent".equals(mismatch.getActualChecksum()) ? path + " does not exist"
                    : path + " has changed: its SHA-256 is " + mismatch.getActualChecksum();
            return found + ", not " + mismatch.getExpectedChecksum() + " (--expect-sha256); nothing written";
        }
        if (e instanceof FileAlreadyExistsException && String.valueOf(((FileSystemException) e).getReason())
                .contains("createNew")) {
            return ((FileSystemException) e).getFile() + " already exists (--create-new); nothing written";
        }
        if (e instanceof LockTimeoutException) {
            Object path = ((LockTimeoutException) e).getOperationContext().get("path");
            Object waited = ((LockTimeoutException) e).getOperationContext().get("waited");
            return path + " is busy: another program held its lock for more than "
                    + String.valueOf(waited).replace("PT", "").toLowerCase(Locale.ROOT) + "; nothing changed";
        }
        if (e instanceof ValidationException && "parse".equals(((ValidationException) e).getOperationContext().get("step"))) {
            // "bad.yaml is not valid YAML at line 2, column 2: ..." (the parser's own words follow)
            return ((ValidationException) e).getViolations().get(0).message();
        }
        FileSystemException cause = fileSystemCause(e);
        if (cause != null && touchesStateFolder(cause)) {
            return "cannot use the state folder " + StateDir.location() + " (" + reason(cause) + "): atomicfiles keeps"
                    + " its journals there; point " + StateDir.ENVIRONMENT + " at a folder you can write,"
                    + " such as export " + StateDir.ENVIRONMENT + "=/tmp/atomicfiles-$USER";
        }
        if (e instanceof AtomicWriteException && cause != null && !plainWords(e.getMessage())) {
            return describeFileFailure((AtomicWriteException) e, cause);
        }
        if (e instanceof FileSystemException) {
            return describeFileSystem((FileSystemException) e);
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return "unexpected failure (run again with -v for the details)";
        }
        return message;
    }

    /**
     * A library operation that failed on a file: "REASON: cannot WHAT", with WHAT in terms of the
     * user's file (a temp file's failure is about its folder).
     */
    private static String describeFileFailure(AtomicWriteException e, FileSystemException cause) {
        Object pathValue = e.getOperationContext().get("path");
        Path path = pathValue == null ? null : Path.of(pathValue.toString());
        String step = String.valueOf(e.getOperationContext().get("step"));
        Path failed = cause.getFile() == null ? path : Path.of(cause.getFile());
        boolean onTempFile = failed != null && failed.getFileName() != null
                && TempFiles.isTempName(failed.getFileName().toString());
        Path folder = failed != null && failed.getParent() != null ? failed.getParent()
                : path != null && path.getParent() != null ? path.getParent() : Path.of(".");
        String reason = reason(cause);
        Object operation = e.getOperationContext().getOrDefault("operation", "write");
        if ("transaction".equals(operation)) {
            return "the transaction failed and changed nothing: " + reason + ": " + failed + " (" + step + ")";
        }
        String what;
        if (onTempFile || step.contains("temp file")) {
            what = "cannot create files in " + folder;
        } else if (step.startsWith("keep backup")) {
            what = "cannot keep the backup of " + path + " in " + folder;
        } else if (step.startsWith("publish")) {
            what = "cannot replace " + path;
        } else if (step.startsWith("fsync folder")) {
            what = "cannot force the folder of " + path + " to disk";
        } else if (path == null || path.equals(failed)) {
            what = "cannot " + operation + " " + failed + ("null".equals(step) ? "" : " (" + step + ")");
        } else {
            return reason + ": " + failed + " (" + operation + " " + path + ("null".equals(step) ? "" : ", " + step) + ")";
        }
        return reason + ": " + what;
    }

    /**
     * Whether the library's message can be shown as it is: it names no Java class (the library
     * quotes the JDK's exception, "AccessDeniedException: /x/.a.tmp-1") and no temp file.
     */
    private static boolean plainWords(String message) {
        return message != null && !JAVA_CLASS.matcher(message).find() && !message.contains(".tmp-");
    }

    /** A failure the JDK reported on a file, whose message is often just the path. */
    private static String describeFileSystem(FileSystemException e) {
        String file = e.getFile() + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile());
        boolean typed = e instanceof AccessDeniedException || e instanceof NoSuchFileException
                || e instanceof NotDirectoryException || e instanceof FileAlreadyExistsException;
        if (typed) {
            return reason(e) + ": " + file + (e.getReason() == null ? "" : " (" + e.getReason() + ")");
        }
        return file + ": " + reason(e);
    }

    /** The reason in plain words: "permission denied", "no such file", "no space left on device". */
    private static String reason(FileSystemException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return String.valueOf(e.getReason()).contains("folder") ? "no such folder" : "no such file";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        String reason = e.getReason();
        if (reason == null || reason.isBlank()) {
            return "cannot access the file";
        }
        return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
    }

    private static FileSystemException fileSystemCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException) {
                return (FileSystemException) t;
            }
        }
        return null;
    }

    /** Whether the failing file is the state folder, inside it, or a folder on the way to it (an unwritable home). */
    private static boolean touchesStateFolder(FileSystemException e) {
        if (e.getFile() == null) {
            return false;
        }
        Path state = StateDir.location().toAbsolutePath().normalize();
        Path failed = Path.of(e.getFile()).toAbsolutePath().normalize();
        return failed.startsWith(state) || (state.startsWith(failed) && failed.getNameCount() > 0);
    }

    /** The parser's multi-line explanations (YAML's show the line and a caret) folded into one line. */
    private static String oneLine(String message) {
        if (message.indexOf('\n') < 0) {
            return message;
        }
        List<String> parts = new ArrayList<>();
        for (String line : message.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("in reader") || trimmed.startsWith("^")
                    || line.startsWith("    ")) {
                continue; // a position (already given as line and column) or the quoted source
            }
            parts.add(trimmed);
        }
        return String.join("; ", parts).replace(":;", ":");
    }

    private static String inCommandLineWords(String message) {
        String result = message;
        for (Map.Entry<String, String> flag : FLAGS.entrySet()) {
            result = result.replaceAll("\\b" + flag.getKey() + "\\b", flag.getValue());
        }
        return result;
    }
}
