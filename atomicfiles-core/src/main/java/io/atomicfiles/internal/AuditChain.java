package io.atomicfiles.internal;

import io.atomicfiles.format.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hash chain of an audit trail: how a record is sealed into a line, and how a run of files
 * is checked.
 *
 * <p>A line is one JSON object whose last two fields are {@code "prev"} (the hash of the record
 * before it) and {@code "hash"}, the hex SHA-256 of the line's own text up to the
 * {@code ,"hash":"} that introduces it. Any edit of a line breaks its own hash; a removed,
 * inserted or reordered line breaks the {@code prev} link of the line after it. The check works
 * on the text as written, so no re-serialisation (number formats, key order) can disturb it.
 *
 * <p>Every file of a trail begins with a {@value #FILE_START} record. In a trail's first file
 * its {@code prev} is {@link #GENESIS}; in a file begun after a rotation it is the last hash of
 * the rotated file before it, so a chain runs unbroken across rotated files.
 */
public final class AuditChain {
    /** The operation of the record that begins every audit file. */
    public static final String FILE_START = "audit_file_start";
    /** The {@code prev} of the first record of a new trail. */
    public static final String GENESIS = "0".repeat(64);

    private static final String HASH_INTRO = ",\"hash\":\"";
    /** {@code ,"hash":"} + 64 hex digits + {@code "}}. */
    private static final int SUFFIX_LENGTH = HASH_INTRO.length() + 64 + 2;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private AuditChain() {
    }

    /** One file's lines, oldest file first in a list; {@code file} is null for a trail kept in memory. */
    public record FileLines(Path file, List<String> lines) {
    }

    /**
     * The outcome of a check: {@code ok}, or the first bad line ({@code file}, 1-based
     * {@code line}, {@code reason}). {@code lastHash} is the hash of the last good record.
     */
    public record Outcome(boolean ok, Path file, long line, long records, String reason, String lastHash) {
    }

    /** The line for {@code record} chained after {@code prev} (without the newline). */
    public static String seal(ObjectNode record, String prev) {
        record.remove("hash");
        record.put("prev", prev);
        String body;
        try {
            body = Codecs.json().writeValueAsString(record);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("audit record cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        String prefix = body.substring(0, body.length() - 1);
        return prefix + HASH_INTRO + sha256(prefix) + "\"}";
    }

    /** The hash a line declares, or null when the line does not end the way a sealed line does. */
    public static String declaredHash(String line) {
        if (line.length() <= SUFFIX_LENGTH || !line.endsWith("\"}")) {
            return null;
        }
        int at = line.length() - SUFFIX_LENGTH;
        if (!line.startsWith(HASH_INTRO, at)) {
            return null;
        }
        String hash = line.substring(at + HASH_INTRO.length(), line.length() - 2);
        return HEX64.matcher(hash).matches() ? hash : null;
    }

    /**
     * The hash the next record links to after {@code line}: its declared hash, or for a line that
     * is not a sealed record (damaged by hand) the SHA-256 of its text, so the chain goes on and
     * the damage stays visible to {@link #verify}.
     */
    public static String linkAfter(String line) {
        String declared = declaredHash(line);
        return declared != null ? declared : sha256(line);
    }

    /**
     * Checks files given oldest first. The first file's opening link cannot be checked (its
     * predecessor may have been rotated away) unless it is {@link #GENESIS}; every later file
     * must begin by linking to the last hash of the file before it.
     */
    public static Outcome verify(List<FileLines> files) {
        String last = null;
        long records = 0;
        for (FileLines file : files) {
            long number = 0;
            for (String line : file.lines()) {
                number++;
                String problem = check(line, number, last, file.file());
                if (problem != null) {
                    return new Outcome(false, file.file(), number, records, problem, last);
                }
                last = declaredHash(line);
                records++;
            }
        }
        return new Outcome(true, null, 0, records, null, last);
    }

    /** What is wrong with one line, or null. */
    private static String check(String line, long number, String last, Path file) {
        String declared = declaredHash(line);
        if (declared == null) {
            return "not a sealed audit record (incomplete, or its end was edited)";
        }
        if (!declared.equals(sha256(line.substring(0, line.length() - SUFFIX_LENGTH)))) {
            return "edited: the record's content does not match its hash";
        }
        JsonNode record;
        try {
            record = Codecs.json().readTree(line);
        } catch (JacksonException e) {
            return "not valid JSON: " + e.getOriginalMessage();
        }
        String prev = record.path("prev").asString("");
        if (number == 1) {
            if (!FILE_START.equals(record.path("op").asString(""))) {
                return "the file does not begin with its " + FILE_START + " record (its first lines were removed)";
            }
            if (last != null && !prev.equals(last)) {
                return "does not continue the file before it: a rotated file is missing, or the files are out of order";
            }
            return null;
        }
        if (!prev.equals(last)) {
            return "does not follow line " + (number - 1) + " of " + (file == null ? "the trail" : file.getFileName())
                    + ": a line before it was removed, or lines were reordered";
        }
        return null;
    }

    private static String sha256(String text) {
        return Hashing.sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }
}
