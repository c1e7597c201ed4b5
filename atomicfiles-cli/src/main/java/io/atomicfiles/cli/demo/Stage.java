package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.IORunnable;
import io.atomicfiles.cli.Errors;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where a {@link Scene} plays: its own empty folder, and the means to show what happened.
 *
 * <p>Everything printed is indented under the scene's title: {@link #say} for narration,
 * {@link #call} for the library call made, {@link #showFile} and {@link #showListing} for the
 * evidence, and {@link #check} for each claim the scene proves, marked {@code [ok]} or
 * {@code [FAILED]}.
 */
public final class Stage {
    private static final int MAX_SHOWN_BYTES = 2048;
    private static final int MAX_SHOWN_LINES = 14;

    private final PrintWriter out;
    private final Path folder;
    private int checks;
    private int failures;

    Stage(PrintWriter out, Path folder) {
        this.out = out;
        this.folder = folder;
    }

    /** The scene's own folder; it is empty when the scene begins. */
    public Path folder() {
        return folder;
    }

    /** A path inside the scene's folder. */
    public Path file(String relative) {
        return folder.resolve(relative);
    }

    /** A line of narration. */
    public void say(String text) {
        out.println("  " + text);
    }

    /** The library call the scene makes next, written the way a caller would. */
    public void call(String code) {
        out.println("  > " + code);
    }

    /** A file's name, size and SHA-256, and its content when it is short text. */
    public void showFile(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        out.println("    " + name(file) + "  (" + content.length + " bytes, sha256 " + shortSha(AtomicFiles.checksum(file))
                + ")");
        String text = content.length <= MAX_SHOWN_BYTES ? asText(content) : null;
        if (text == null) {
            out.println("      | (" + (content.length > MAX_SHOWN_BYTES ? "too long" : "not text") + " to show)");
            return;
        }
        List<String> lines = text.lines().collect(Collectors.toList());
        lines.stream().limit(MAX_SHOWN_LINES).forEach(line -> out.println("      | " + line));
        if (lines.size() > MAX_SHOWN_LINES) {
            out.println("      | ... (" + (lines.size() - MAX_SHOWN_LINES) + " more lines)");
        }
    }

    /** Every file and folder in the scene's folder, hidden ones (temp files) included. */
    public void showListing() throws IOException {
        out.println("    folder " + folder.getFileName() + "/:");
        List<Path> entries = entries();
        if (entries.isEmpty()) {
            out.println("      (empty)");
        }
        // Names in one column, as wide as the longest (transaction journals and hidden names are long).
        int width = Math.max(34, entries.stream().mapToInt(entry -> name(entry).length()).max().orElse(0));
        for (Path entry : entries) {
            out.println("      " + describe(entry, width));
        }
    }

    /** A map that keeps the order its entries are given in: {@code map("name", "api", "port", 8080)}. */
    public static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** The names of the transaction journals ({@code *.journal}) in {@code journalDir}, sorted. */
    public static List<String> journals(Path journalDir) throws IOException {
        try (Stream<Path> entries = Files.list(journalDir)) {
            return entries.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".journal"))
                    .sorted().collect(Collectors.toList());
        }
    }

    /** The first 16 hex digits of a SHA-256, enough to tell contents apart on screen. */
    public static String shortSha(String sha256) {
        return sha256.substring(0, 16) + "...";
    }

    /**
     * Records one claim the scene proves and prints it with its outcome.
     *
     * @return {@code holds}, so a scene can skip what depends on a failed claim
     */
    public boolean check(String claim, boolean holds) {
        checks++;
        if (!holds) {
            failures++;
        }
        out.println((holds ? "  [ok] " : "  [FAILED] ") + claim);
        return holds;
    }

    /** Checks that no temp file ({@code .NAME.tmp-*}) is left anywhere in the scene's folder. */
    public boolean checkNoTempFiles() throws IOException {
        List<String> leftovers = entries().stream().map(Path::getFileName).map(Path::toString)
                .filter(name -> name.startsWith(".") && name.contains(".tmp-"))
                .collect(Collectors.toList());
        return check("no temp file left behind" + (leftovers.isEmpty() ? "" : ": " + leftovers), leftovers.isEmpty());
    }

    /**
     * Checks that no hidden file of a transaction ({@code .NAME.tx-*}: staged contents, undo
     * links) is left anywhere in the scene's folder.
     */
    public boolean checkNoTransactionFiles() throws IOException {
        List<String> leftovers = entries().stream().map(Path::getFileName).map(Path::toString)
                .filter(name -> name.startsWith(".") && name.contains(".tx-"))
                .collect(Collectors.toList());
        return check("no hidden file of the transaction is left" + (leftovers.isEmpty() ? "" : ": " + leftovers),
                leftovers.isEmpty());
    }

    /**
     * Every file and folder in the scene's folder, by relative name: a file's SHA-256, a
     * folder's "folder", a link's target. Two snapshots are equal when nothing was added,
     * removed or changed. The folders' lock files ({@link AtomicFiles#LOCK_FILE_NAME}, one per
     * folder written into, holding no data) are left out: the first attempt in a folder makes
     * one, whether it succeeds or not.
     */
    public Map<String, String> snapshot() throws IOException {
        Map<String, String> snapshot = new LinkedHashMap<>();
        for (Path entry : entries()) {
            if (entry.getFileName().toString().equals(AtomicFiles.LOCK_FILE_NAME)) {
                continue;
            }
            String state;
            if (Files.isSymbolicLink(entry)) {
                state = "link to " + Files.readSymbolicLink(entry);
            } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                state = "folder";
            } else {
                state = AtomicFiles.checksum(entry);
            }
            snapshot.put(name(entry), state);
        }
        return snapshot;
    }

    /**
     * Runs {@code action}, which must fail with a {@code type}; prints the failure as the user
     * would read it, and checks {@code claim}.
     *
     * @return the failure, or null when the action did not fail as it should (the check failed)
     */
    public <E extends Exception> E expectFailure(String claim, Class<E> type, IORunnable action) {
        try {
            action.run();
        } catch (Exception e) {
            out.println("    -> " + e.getClass().getSimpleName() + ": " + relative(Errors.describe(e)));
            check(claim, type.isInstance(e));
            return type.isInstance(e) ? type.cast(e) : null;
        }
        check(claim + " (but it succeeded)", false);
        return null;
    }

    /** A failure of the scene itself (it threw), counted as a failed check. */
    void fail(Exception e) {
        check("the scene ran to its end; it failed with " + e.getClass().getSimpleName() + ": "
                + relative(Errors.describe(e)), false);
    }

    /** Whether every check held. */
    boolean passed() {
        return failures == 0;
    }

    int checks() {
        return checks;
    }

    int failures() {
        return failures;
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(path -> !path.equals(folder)).sorted().collect(Collectors.toList());
        }
    }

    /** A message with the scene folder's path taken out of the paths it names, for short lines. */
    public String relative(String message) {
        return message.replace(folder + File.separator, "");
    }

    private String name(Path file) {
        return file.startsWith(folder) ? folder.relativize(file).toString() : file.toString();
    }

    /** "notes.txt  12 B  rw-------", a folder with a slash, a link with its target. */
    private String describe(Path entry, int width) throws IOException {
        String name = name(entry);
        if (Files.isSymbolicLink(entry)) {
            return name + " -> " + Files.readSymbolicLink(entry);
        }
        BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isDirectory()) {
            return name + "/";
        }
        String line = String.format("%-" + width + "s %10d B", name, attributes.size());
        try {
            PosixFileAttributes posix = Files.readAttributes(entry, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            line += "  " + PosixFilePermissions.toString(posix.permissions());
        } catch (UnsupportedOperationException notPosix) {
            // Windows: no mode bits to show
        }
        return line;
    }

    /** The content as text when it is valid UTF-8 without control characters other than line breaks and tabs. */
    private static String asText(byte[] content) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        boolean printable = text.chars().allMatch(c -> c >= ' ' || c == '\n' || c == '\r' || c == '\t');
        return printable ? text : null;
    }
}
