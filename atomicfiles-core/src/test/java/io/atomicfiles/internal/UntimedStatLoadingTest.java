package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a process loads JNA for {@link UntimedStat}: not for a short program (loading costs more
 * than a few writes could save), once it has made {@link UntimedStat#LOAD_AFTER} writes, and
 * never with {@code -Datomicfiles.statx=false}. Each case is a fresh JVM, whose class-loading log
 * shows whether any JNA class was loaded.
 */
class UntimedStatLoadingTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void onLinux() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "statx(2) is Linux's");
    }

    @Test
    void aProgramThatWritesAFewFilesNeverLoadsIt() throws Exception {
        assertThat(run(10)).containsExactly("not loaded");
        assertThat(jnaClassesLoaded()).isZero();
    }

    @Test
    void aProgramPastItsThousandthWriteLoadsItAndStatsWithoutTheTimes() throws Exception {
        assertThat(run(UntimedStat.LOAD_AFTER + 50)).containsExactly("ready", "statx answers");
        assertThat(jnaClassesLoaded()).isPositive();
    }

    @Test
    void theSystemPropertyKeepsItOut() throws Exception {
        assertThat(run(UntimedStat.LOAD_AFTER + 50, "-Datomicfiles.statx=false")).containsExactly("off");
        assertThat(jnaClassesLoaded()).isZero();
    }

    private List<String> run(int writes, String... jvmArgs) throws IOException {
        List<String> all = new ArrayList<>(List.of(jvmArgs));
        all.add("-Xlog:class+load=info:file=" + dir.resolve("classes.log"));
        // JDK 24 and later: without native access enabled JNA is never loaded (UntimedStat).
        all.add("--enable-native-access=ALL-UNNAMED");
        ChildJvm child = ChildJvm.builder(Writer.class).jvmArgs(all.toArray(String[]::new))
                .args(dir.resolve("files").toString(), Integer.toString(writes)).start();
        assertThat(child.awaitExit(Duration.ofSeconds(60))).as("the child's exit value").isZero();
        return child.readRemainingLines();
    }

    private long jnaClassesLoaded() throws IOException {
        try (var lines = Files.lines(dir.resolve("classes.log"))) {
            return lines.filter(line -> line.contains(" com.sun.jna.")).count();
        }
    }

    /**
     * Writes a file {@code args[1]} times, then prints whether JNA is loaded for the temp files'
     * stat (waiting while it loads) and, when it is, whether statx answers for that file.
     */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            Path folder = Files.createDirectories(Path.of(args[0]));
            Path target = folder.resolve("state.bin");
            WriteOptions lean = WriteOptions.builder().backup(false).verifyIntegrity(false).build();
            for (int i = 0, writes = Integer.parseInt(args[1]); i < writes; i++) {
                AtomicFiles.writeBytes(target, new byte[] {(byte) i}, lean);
            }
            for (long end = System.nanoTime() + 10_000_000_000L; UntimedStat.state().equals("loading")
                    && System.nanoTime() < end; ) {
                Thread.sleep(20);
            }
            System.out.println(UntimedStat.state());
            if (UntimedStat.state().equals("ready") && UntimedStat.of(target) != null) {
                System.out.println("statx answers");
            }
        }
    }
}
