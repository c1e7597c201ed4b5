package io.atomicfiles.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test JVM's log, kept out of the build's output and shown where it helps: with a failure.
 *
 * <p>The POM sends this JVM's SLF4J log to a file ({@code target/tests.log}), so that the
 * warnings of the many tests that provoke failures on purpose do not fill the build's output.
 * This listener (registered in {@code META-INF/services}) marks the start of every test in that
 * log, and when a test fails it prints on standard error what was logged while the test ran,
 * right after the failure: the report of a failing test still holds everything needed to debug it.
 *
 * <p>Where the log goes to standard error anyway (no {@code org.slf4j.simpleLogger.logFile}
 * set to a file, as when a test runs from an IDE), it does nothing.
 */
public final class TestLogEcho implements TestExecutionListener {
    /** At most this much of a failing test's log is printed: its end, where the failure is. */
    private static final int MAX_ECHO_BYTES = 256 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger("test");

    private final Path log = logFile();
    /** Where each running test's part of the log begins. */
    private final Map<String, Long> starts = new ConcurrentHashMap<>();

    private static Path logFile() {
        String file = System.getProperty("org.slf4j.simpleLogger.logFile");
        if (file == null || file.equals("System.err") || file.equals("System.out")) {
            return null;
        }
        return Path.of(file);
    }

    @Override
    public void executionStarted(TestIdentifier test) {
        if (log == null || !test.isTest()) {
            return;
        }
        LOG.info("---- {}", name(test));
        starts.put(test.getUniqueId(), size());
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        Long start = log == null ? null : starts.remove(test.getUniqueId());
        if (start == null || result.getStatus() != TestExecutionResult.Status.FAILED) {
            return;
        }
        long end = size();
        if (end <= start) {
            return;
        }
        long from = Math.max(start, end - MAX_ECHO_BYTES);
        PrintStream err = System.err;
        err.println("---- what " + name(test) + " logged (" + log + (from > start ? ", its last "
                + MAX_ECHO_BYTES / 1024 + " KiB" : "") + "):");
        try (InputStream in = Files.newInputStream(log)) {
            in.skipNBytes(from);
            err.print(new String(in.readNBytes((int) (end - from)), StandardCharsets.UTF_8));
        } catch (IOException e) {
            err.println("(cannot read " + log + ": " + e + ")");
        }
        err.println("---- end of the log of " + name(test));
        err.flush();
    }

    private long size() {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return 0;
        }
    }

    /** "AuditTrailTest.summaryCounts()", with the invocation's name for a parameterized or property test. */
    private static String name(TestIdentifier test) {
        if (test.getSource().orElse(null) instanceof MethodSource) {
            MethodSource method = (MethodSource) test.getSource().get();
            String className = method.getClassName();
            String name = className.substring(className.lastIndexOf('.') + 1) + "." + method.getMethodName() + "()";
            return test.getDisplayName().startsWith(method.getMethodName()) ? name
                    : name + " " + test.getDisplayName();
        }
        return test.getUniqueId();
    }
}
