package io.atomicfiles.write;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.testing.ChildSide;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.databind.JsonNode;

/**
 * A writer of {@link ConcurrentWritersTest}, in a thread of the test or in a process of its own
 * ({@link #main}). Each write is a complete JSON document naming its writer and sequence
 * number, with a payload that both define, and a global {@code count}: the count it found in
 * the file plus one, read while the write holds the file's lock. If writers were not
 * serialised, two of them would read the same count and one update would be lost.
 */
final class CountingWriter {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int MAX_PAYLOAD = 64 * 1024;

    private CountingWriter() {
    }

    /** A document as read back: who wrote it, its sequence number and the global count. */
    record Version(String writer, int seq, long count) {
    }

    /**
     * In a child process. Arguments: target, writer name, number of writes, a scratch file.
     * Says "ready" once warmed up, waits for the test's go (so that all writers start together),
     * writes, then prints the counts it wrote on one line.
     */
    public static void main(String[] args) throws IOException {
        Path target = Path.of(args[0]);
        String writer = args[1];
        int writes = Integer.parseInt(args[2]);
        AtomicFiles.writeJson(Path.of(args[3]), document("warm-up", 0, 0));
        ChildSide.ready();
        ChildSide.awaitGo();
        List<Long> counts = writeAll(target, writer, writes);
        StringBuilder line = new StringBuilder("counts");
        counts.forEach(c -> line.append(' ').append(c));
        ChildSide.say(line.toString());
    }

    /** Writes versions 1..writes of {@code writer}; returns the counts they got. */
    static List<Long> writeAll(Path target, String writer, int writes) throws IOException {
        List<Long> counts = new ArrayList<>();
        for (int seq = 1; seq <= writes; seq++) {
            int s = seq;
            long[] count = new long[1];
            AtomicFiles.write(target, writeSlot -> {
                // Under the file's lock: what we read is the latest version, and nobody else
                // writes until we commit.
                count[0] = parse(Files.readAllBytes(writeSlot.target()), "read under the lock").count() + 1;
                writeSlot.writeJson(document(writer, s, count[0]));
            });
            counts.add(count[0]);
            if (ThreadLocalRandom.current().nextInt(4) == 0) {
                Thread.yield();
            }
        }
        return counts;
    }

    static Map<String, Object> document(String writer, int seq, long count) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("writer", writer);
        document.put("seq", seq);
        document.put("count", count);
        document.put("payload", payload(writer, seq));
        return document;
    }

    /**
     * Parses and checks a complete document: JSON, its fields, and the payload its writer and
     * sequence number define.
     *
     * @throws AssertionError for anything else (a torn, mixed or foreign file)
     */
    static Version parse(byte[] bytes, String where) throws IOException {
        JsonNode node;
        try {
            node = Codecs.read(bytes, DataFormat.JSON, Path.of("concurrent.json"));
        } catch (IOException e) {
            throw new AssertionError(where + ": not JSON (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
        if (!node.isObject() || !node.path("writer").isString() || !node.path("seq").isInt()
                || !node.path("count").isIntegralNumber() || !node.path("payload").isString()) {
            throw new AssertionError(where + ": not a complete document: "
                    + new String(bytes, 0, Math.min(200, bytes.length), StandardCharsets.UTF_8));
        }
        Version version = new Version(node.get("writer").asString(), node.get("seq").asInt(),
                node.get("count").asLong());
        if (!node.get("payload").asString().equals(payload(version.writer(), version.seq()))) {
            throw new AssertionError(where + ": " + version + " carries another version's payload");
        }
        return version;
    }

    /** Up to 64 KiB, a function of writer and sequence number. */
    private static String payload(String writer, int seq) {
        int h = (writer.hashCode() * 31 + seq) * 0x9E3779B9;
        int size = Math.floorMod(h, MAX_PAYLOAD) >>> (Math.floorMod(h >>> 8, 8));
        StringBuilder payload = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            payload.append(ALPHABET.charAt(Math.floorMod(h + i * (seq + 7), ALPHABET.length())));
        }
        return payload.toString();
    }
}
