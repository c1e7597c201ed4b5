package io.atomicfiles.write;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.Durability;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.ChildSide;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The writer that {@link CrashKillTest} kills: rewrites one JSON file forever, version after
 * version, with the default options (backup, verification) at every durability level in turn.
 *
 * <p>Arguments: the target file, the commit log, the first version, a scratch file for warming
 * up. After each write returns, the version number is appended to the commit log. The content
 * of every version is a function of its number ({@link #document}), so the test can tell a
 * complete version from a torn or mixed one without being told what was written.
 */
public final class CrashWriterMain {
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
    private static final int MAX_SIZE_BITS = 20;
    /**
     * The defaults (backup, verification), at each durability in turn. A kill keeps the page
     * cache, so every level must survive it; and without fsyncs, which otherwise take most of
     * the time, the kills land more often in the other steps (writing, verifying, renaming).
     */
    private static final WriteOptions[] OPTIONS = Stream.of(Durability.values())
            .map(d -> WriteOptions.builder().durability(d).build()).toArray(WriteOptions[]::new);

    private CrashWriterMain() {
    }

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args[0]);
        Path commitLog = Path.of(args[1]);
        long version = Long.parseLong(args[2]);
        Path scratch = Path.of(args[3]);

        // Load and link the classes of a write before the test starts its clock, so that the kills
        // land in the writes of the target rather than in the JVM's start-up.
        AtomicFiles.writeJson(scratch, document(0));
        AtomicFiles.writeJson(scratch, document(1));

        // Unbuffered: each line is one write(2), in the kernel when write returns, so it survives
        // the SIGKILL (which, unlike a power loss, keeps what is in the page cache: no fsync needed).
        try (OutputStream log = new FileOutputStream(commitLog.toFile(), true)) {
            ChildSide.ready();
            while (true) {
                AtomicFiles.writeJson(target, document(version), OPTIONS[(int) (version % OPTIONS.length)]);
                log.write((version + "\n").getBytes(StandardCharsets.US_ASCII));
                version++;
            }
        }
    }

    /** Version {@code v} of the document: its number, its payload's size and the payload. */
    static Map<String, Object> document(long version) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("version", version);
        String payload = payload(version);
        document.put("size", payload.length());
        document.put("payload", payload);
        return document;
    }

    /**
     * The payload of version {@code v}: between 1 byte and 1 MiB (log-uniformly, so that small
     * writes and large ones alternate), characters that no other version has at the same places.
     */
    static String payload(long version) {
        long h = mix(version);
        int bits = (int) Long.remainderUnsigned(h, MAX_SIZE_BITS);
        int size = (1 << bits) + (int) Long.remainderUnsigned(h >>> 20, 1L << bits);
        size = Math.min(size, 1 << MAX_SIZE_BITS);
        char[] chars = new char[size];
        for (int i = 0; i < size; i += 10) {
            long block = mix(version * 0x5851F42D4C957F2DL + i);
            for (int j = 0; j < 10 && i + j < size; j++) {
                chars[i + j] = ALPHABET.charAt((int) (block >>> (6 * j)) & 63);
            }
        }
        return new String(chars);
    }

    private static long mix(long x) {
        long z = x * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
