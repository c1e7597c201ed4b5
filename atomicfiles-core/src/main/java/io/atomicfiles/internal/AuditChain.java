package io.atomicfiles.internal;

import io.atomicfiles.format.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *
 * <p>A chain alone cannot show that its newest records were cut off: what is left is a shorter
 * chain, intact. So a trail in a file keeps a {@link Head} beside it ({@code NAME.head}): the
 * hash of the last record and its line, replaced atomically after each append. {@link
 * #verify(List, Path, Head, boolean)} requires the head's hash in the chain with at most the lines of one
 * append after it (the record, preceded by a file-start record when the append began a new file):
 * that is the state a crash between an append's record and its head leaves, and the next append
 * makes the head exact again. Every file-start record of such a trail says {@code "head": true} in
 * its metadata, so a head file that was removed is missed, not taken for a trail that never had one.
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

    /**
     * The anchor of a trail's end, kept in {@code NAME.head}: the hash of the last record, and
     * its line number in its file when it was written (for messages; a rotation renames the file).
     */
    public record Head(String hash, long line) {
        /** The head file's content: one JSON object and a newline. */
        public byte[] toBytes(Path trail) {
            ObjectNode node = Codecs.json().createObjectNode();
            node.put("trail", trail.getFileName().toString());
            node.put("line", line);
            node.put("hash", hash);
            return (node + "\n").getBytes(StandardCharsets.UTF_8);
        }

        /** A head file's content, or null when it is not one. */
        public static Head parse(byte[] content) {
            try {
                JsonNode node = Codecs.json().readTree(content);
                String hash = node.path("hash").asString("");
                long line = node.path("line").asLong(-1);
                return HEX64.matcher(hash).matches() && line > 0 ? new Head(hash, line) : null;
            } catch (JacksonException e) {
                return null;
            }
        }
    }

    /** Whether a file-start line declares that its trail keeps a head file. */
    public static boolean declaresHead(String line) {
        try {
            return Codecs.json().readTree(line).path("metadata").path("head").asBoolean(false);
        } catch (JacksonException e) {
            return false;
        }
    }

    /**
     * {@link #verify(List)}, and then the end of the chain against its head: {@code head} is the
     * content of {@code headFile}, null when there is none ({@link Head#parse} gave null for an
     * unreadable one: pass {@code unreadable = true}).
     */
    public static Outcome verify(List<FileLines> files, Path headFile, Head head, boolean unreadable) {
        Outcome chain = verify(files);
        if (!chain.ok()) {
            return chain;
        }
        List<Position> all = new ArrayList<>();
        boolean declared = false;
        for (FileLines file : files) {
            long number = 0;
            for (String line : file.lines()) {
                number++;
                all.add(new Position(file.file(), number, declaredHash(line)));
                declared |= number == 1 && declaresHead(line);
            }
        }
        FileLines lastFile = files.isEmpty() ? null : files.get(files.size() - 1);
        Path endFile = lastFile == null ? null : lastFile.file();
        long endLine = lastFile == null ? 1 : lastFile.lines().size() + 1;
        String name = headFile.getFileName().toString();
        if (unreadable) {
            return broken(chain, endFile, endLine, name + " is not a head record (it was edited or replaced),"
                    + " so the end of the trail cannot be confirmed");
        }
        if (head == null) {
            // A trail begun before heads were kept has none; the first append's crash window has none yet.
            boolean firstAppend = files.size() == 1 && all.size() == 2;
            if (!declared || firstAppend) {
                return chain;
            }
            return broken(chain, endFile, endLine, name + " is missing: this trail keeps one, so its end cannot be"
                    + " confirmed (the head file was removed, and the last records may have been too)");
        }
        int at = all.size() - 1;
        while (at >= 0 && !all.get(at).hash().equals(head.hash())) {
            at--;
        }
        if (at < 0) {
            return broken(chain, endFile, endLine, "the last records were removed: " + name + " records line "
                    + head.line() + " with hash " + head.hash().substring(0, 12) + "..., which the trail no longer has");
        }
        int after = all.size() - 1 - at;
        boolean oneAppend = after == 0
                || after == 1 && all.get(at + 1).line() > 1
                || after == 2 && all.get(at + 1).line() == 1 && all.get(at + 2).line() == 2;
        if (!oneAppend) {
            Position first = all.get(at + 1);
            return broken(chain, first.file(), first.line(), name + " is " + after + " lines behind the end of the"
                    + " trail, more than one append: it was replaced by an older copy, or lines were added without it");
        }
        return chain;
    }

    private record Position(Path file, long line, String hash) {
    }

    private static Outcome broken(Outcome chain, Path file, long line, String reason) {
        return new Outcome(false, file, line, chain.records(), reason, chain.lastHash());
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
