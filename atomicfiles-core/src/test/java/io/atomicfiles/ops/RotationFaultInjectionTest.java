package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * For every k, a rotation whose k-th filesystem call fails loses no file it was meant to keep,
 * leaves no half-written {@code .gz} under a final name, and the next rotation ends in exactly
 * the state one undisturbed rotation reaches.
 */
class RotationFaultInjectionTest {
    private static final int MAX_FILES = 4;

    @TempDir
    Path dir;

    @TempDir
    Path reference;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    /** The rotated files before the rotation: number → content (slots 1..existing). */
    private static Map<Integer, String> history(int existing) {
        Map<Integer, String> h = new LinkedHashMap<>();
        for (int k = 1; k <= existing; k++) {
            h.put(k, "generation " + k + "\n".repeat(k * 50));
        }
        return h;
    }

    private static void setUp(Path folder, int existing, boolean compressed) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.writeString(folder.resolve("app.log"), "current\n".repeat(200));
        for (Map.Entry<Integer, String> e : history(existing).entrySet()) {
            if (compressed) {
                RotatedFiles.gzip(folder.resolve("app.log." + e.getKey() + ".gz"), e.getValue());
            } else {
                Files.writeString(folder.resolve("app.log." + e.getKey()), e.getValue());
            }
        }
    }

    @ParameterizedTest(name = "{0} rotated files before, compress={1}")
    @CsvSource({"3, false", "3, true", "1, true", "0, false"})
    void everyFailingCallLosesNothingAndTheNextRotationFinishesTheJob(int existing, boolean compress)
            throws IOException {
        setUp(reference, existing, compress);
        AtomicFiles.rotate(reference.resolve("app.log"), MAX_FILES, compress);
        Map<String, String> expected = RotatedFiles.contents(reference);

        // What must survive any failure: the log and every rotated file that still fits under the limit.
        Set<String> mustSurvive = new HashSet<>();
        mustSurvive.add("current\n".repeat(200));
        history(existing).forEach((k, content) -> {
            if (k < MAX_FILES - 1) {
                mustSurvive.add(content);
            }
        });

        setUp(dir, existing, compress);
        faulty.failAt(0);
        AtomicFiles.rotate(faulty.path(dir.resolve("app.log")), MAX_FILES, compress);
        int total = faulty.calls();
        assertThat(RotatedFiles.contents(dir)).isEqualTo(expected);
        assertThat(total).isGreaterThan(5);

        int failed = 0;
        for (int k = 1; k <= total; k++) {
            setUp(dir, existing, compress);
            faulty.record(true);
            faulty.failAt(k);
            try {
                AtomicFiles.rotate(faulty.path(dir.resolve("app.log")), MAX_FILES, compress);
            } catch (IOException e) {
                failed++;
            }
            java.util.List<String> calls = faulty.log();
            faulty.failAt(0);
            // Reading every .gz in full proves that none under a final name is cut short.
            Map<String, String> after = finalNames(RotatedFiles.contents(dir));
            assertThat(after.values()).as("k=%d of %d: contents kept, names %s, calls %s", k, total, after.keySet(), calls).containsAll(mustSurvive);

            AtomicFiles.rotate(dir.resolve("app.log"), MAX_FILES, compress);
            assertThat(RotatedFiles.contents(dir)).as("k=%d of %d: after the next rotation", k, total)
                    .isEqualTo(expected);
        }
        assertThat(failed).as("injected faults that surfaced").isGreaterThan(total / 2);
    }

    /** The files with final names (temp files of an interrupted compression are not kept content). */
    private static Map<String, String> finalNames(Map<String, String> contents) {
        Map<String, String> kept = new LinkedHashMap<>(contents);
        kept.keySet().removeIf(name -> name.startsWith("."));
        return kept;
    }

}
