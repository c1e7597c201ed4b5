package io.atomicfiles.hadoop.journal;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.hadoop.internal.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The journal's format, the same as core's: one record per line, {@code <checksum> <json>}, where
 * the checksum is the first 16 hex digits of the SHA-256 of the JSON. A line whose checksum does
 * not match was torn by a crash and ends the journal. Records: a header, one per {@link Step},
 * {@code planned} (the intent is complete), then {@code commit} (sealing the intent's SHA-256 and
 * every staged file's) and {@code done}. (Core's journals may also hold {@code rollback}: a cluster
 * transaction never writes one, since it never undoes work past its commit point.)
 *
 * <p>Unlike core's, a cluster journal is only ever appended to (HDFS has no writes in place), so
 * it has no reserved room: markers follow the intent.
 */
final class JournalRecords {
    static final String MAGIC = "atomicfiles-journal";
    static final int VERSION = 1;
    static final String SUFFIX = ".journal";
    private static final int CHECKSUM_CHARS = 16;

    private JournalRecords() {
    }

    static String line(ObjectNode record) {
        String json = Codecs.json().writeValueAsString(record);
        return checksum(json) + " " + json + "\n";
    }

    private static String checksum(String json) {
        return Sha256.of(json.getBytes(StandardCharsets.UTF_8)).substring(0, CHECKSUM_CHARS);
    }

    /**
     * What a journal says, read up to its first torn line.
     *
     * @param header the header, or null when even that is torn
     * @param steps the steps of the intent
     * @param planned whether the intent is complete (staging may have begun only then)
     * @param commit the commit record, or null before the commit point
     * @param commitValid whether the commit record seals exactly this intent
     * @param rolledBack whether a rollback was decided after the commit point
     * @param done whether the transaction finished
     */
    record Contents(ObjectNode header, List<Step> steps, boolean planned, ObjectNode commit, boolean commitValid,
            boolean rolledBack, boolean done) {

        String id() {
            return header == null ? null : header.path("id").asString();
        }

        String tag() {
            return header == null ? null : header.path("tag").asString();
        }
    }

    static Contents read(byte[] bytes) {
        ObjectNode header = null;
        List<Step> steps = new ArrayList<>();
        boolean planned = false;
        ObjectNode commit = null;
        boolean rolledBack = false;
        boolean done = false;
        int intentEnd = -1;
        int start = 0;
        while (start < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', start);
            if (end < 0) {
                break; // a last line without its newline was torn
            }
            String text = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            start = end + 1;
            if (text.isBlank()) {
                continue;
            }
            ObjectNode record = parse(text);
            if (record == null) {
                break; // torn or corrupt: the journal ends here
            }
            String type = record.path("type").asString();
            if (header == null) {
                if (!"header".equals(type) || !MAGIC.equals(record.path("magic").asString())) {
                    break;
                }
                header = record;
                continue;
            }
            switch (type) {
                case "planned":
                    planned = record.path("steps").asInt() == steps.size();
                    intentEnd = start;
                    break;
                case "commit":
                    // A commit after a rollback or done is not the commit point of this intent.
                    if (planned && commit == null && !rolledBack && !done) {
                        commit = record;
                    }
                    break;
                case "rollback":
                    rolledBack = true;
                    break;
                case "done":
                    done = true;
                    break;
                default:
                    Step step = Step.fromJson(record);
                    if (step != null && !planned) {
                        steps.add(step);
                    }
            }
        }
        boolean commitValid = false;
        if (commit != null && planned && intentEnd > 0) {
            String sealed = Sha256.of(Arrays.copyOf(bytes, intentEnd));
            commitValid = sealed.equals(commit.path("intentSha").asString());
        }
        return new Contents(header, steps, planned, commit, commitValid, rolledBack, done);
    }

    private static ObjectNode parse(String line) {
        int space = line.indexOf(' ');
        if (space != CHECKSUM_CHARS) {
            return null;
        }
        String json = line.substring(space + 1);
        if (!checksum(json).equals(line.substring(0, space))) {
            return null;
        }
        try {
            JsonNode node = Codecs.json().readTree(json);
            return node instanceof ObjectNode ? (ObjectNode) node : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
