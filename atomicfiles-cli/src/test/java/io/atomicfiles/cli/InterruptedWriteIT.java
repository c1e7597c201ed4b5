package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C (SIGINT) or {@code kill} (SIGTERM) in the middle of {@code atomicfiles write}: the
 * shutdown hook removes the unpublished temp file (before it, an interrupted write of a large
 * stream left its gigabyte behind), and the file is as it was. Runs the real jar, as users do.
 */
class InterruptedWriteIT {
    private static final Path JAR = Path.of(System.getProperty("atomicfiles.jar", "target/atomicfiles.jar"));
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM"})
    void anInterruptedWriteLeavesNoTempFileAndTheFileAsItWas(String signal) throws Exception {
        Path big = Files.writeString(dir.resolve("big.bin"), "old");
        Process process = new ProcessBuilder(JAVA.toString(),
                "-Datomicfiles.stateDir=" + System.getProperty("atomicfiles.stateDir", dir.resolve("state").toString()),
                "-jar", JAR.toString(), "write", big.toString())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile())
                .start();
        try {
            Assumptions.assumeFalse(ignores(process.pid(), signal.equals("INT") ? 2 : 15),
                    "skipped: the test JVM was started with SIG" + signal + " ignored, and so is its child");
            OutputStream stdin = process.getOutputStream();
            byte[] chunk = new byte[1 << 20];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            // Feed content until part of it is in the temp file, keeping the pipe open: the write is under way.
            while (tempFiles().isEmpty() || Files.size(tempFiles().get(0)) == 0) {
                assertThat(System.nanoTime()).as("the write started within 120 s").isLessThan(deadline);
                stdin.write(chunk);
                stdin.flush();
            }

            int killed = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
            assertThat(killed).isZero();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process ended").isTrue();

            assertThat(tempFiles()).as("temp files after SIG%s; stderr: %s", signal,
                    Files.readString(dir.resolve("err.txt"))).isEmpty();
            assertThat(big).hasContent("old");
        } finally {
            process.destroyForcibly();
        }
    }

    /** Whether {@code pid} ignores signal {@code number} (its SigIgn mask in /proc). */
    private static boolean ignores(long pid, int number) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (mask & (1L << (number - 1))) != 0;
            }
        }
        return false;
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".big.bin.tmp-")).toList();
        }
    }
}
