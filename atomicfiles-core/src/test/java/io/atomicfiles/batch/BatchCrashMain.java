package io.atomicfiles.batch;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.WriteBatch;
import io.atomicfiles.testing.ChildSide;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The batch writer that {@link WriteBatchCrashTest} kills: commits batches over the same files
 * forever, generation after generation. Arguments: the folder, the number of files, the commit
 * log, the first generation. After each commit returns, the generation is appended to the log.
 * File {@code i} of generation {@code g} holds {@link #content(long, int)}, so a torn or mixed
 * file can be told from a complete one.
 */
public final class BatchCrashMain {
    private BatchCrashMain() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args[0]);
        int files = Integer.parseInt(args[1]);
        Path commitLog = Path.of(args[2]);
        long generation = Long.parseLong(args[3]);
        // Warm up on other files, so that the kills land in batches of the real ones.
        commit(folder.resolveSibling(folder.getFileName() + "-warm-up"), files, 0);
        // Unbuffered: each line is one write(2), kept by the kernel across a SIGKILL.
        try (OutputStream log = new FileOutputStream(commitLog.toFile(), true)) {
            ChildSide.ready();
            while (true) {
                commit(folder, files, generation);
                log.write((generation + "\n").getBytes(StandardCharsets.US_ASCII));
                generation++;
            }
        }
    }

    private static void commit(Path folder, int files, long generation) throws IOException {
        try (WriteBatch batch = AtomicFiles.batch()) {
            for (int i = 0; i < files; i++) {
                batch.addWrite(folder.resolve(name(i)), content(generation, i), ContentType.TEXT);
            }
            batch.commit();
        }
    }

    static String name(int i) {
        return "file-" + i + ".txt";
    }

    /** File {@code i} of generation {@code g}: a header, then a body whose length and letters depend on both. */
    static String content(long generation, int i) {
        StringBuilder text = new StringBuilder("generation " + generation + " file " + i + "\n");
        int length = (int) ((generation * 7919 + i * 104729) % 20000);
        for (int n = 0; n < length; n++) {
            text.append((char) ('a' + (generation + i + n) % 26));
        }
        return text.append("\nend\n").toString();
    }
}
