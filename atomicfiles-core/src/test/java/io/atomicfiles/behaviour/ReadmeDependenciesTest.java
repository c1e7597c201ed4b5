package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's table of what the library brings along is the library's real runtime class path:
 * the same jars, versions and sizes (as listed by maven-dependency-plugin during the build).
 */
class ReadmeDependenciesTest {
    /** A row: | `group:artifact` | version | 1,234 KiB | what for |. */
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([^ |]+) \\| ([0-9,]+) KiB \\| .+ \\|$");
    /** The total: | **12 jars** | | **4,415 KiB** | |. */
    private static final Pattern TOTAL = Pattern.compile("^\\| \\*\\*(\\d+) jars\\*\\* \\| \\| \\*\\*([0-9,]+) KiB\\*\\* \\| \\|$");
    /** A line of {@code mvn dependency:list}: group:artifact:jar:version:scope:/path/to.jar[ -- module name]. */
    private static final Pattern LISTED =
            Pattern.compile("^\\s*([^:\\s]+:[^:]+):jar:([^:]+):(?:compile|runtime):(.+?\\.jar)(?: -- module .*)?$");

    record Jar(String name, String version, long kib) {
    }

    @Test
    void theReadmeListsEveryRuntimeDependencyWithItsVersionAndSize() throws IOException {
        String listing = System.getProperty("atomicfiles.runtimeDependencies");
        assertThat(listing).as("system property atomicfiles.runtimeDependencies (set by the POM)").isNotBlank();
        List<Jar> actual = new ArrayList<>();
        long totalBytes = 0;
        for (String line : Files.readAllLines(Path.of(listing), StandardCharsets.UTF_8)) {
            Matcher m = LISTED.matcher(line);
            if (m.matches()) {
                long bytes = Files.size(Path.of(m.group(3)));
                totalBytes += bytes;
                actual.add(new Jar(m.group(1), m.group(2), kib(bytes)));
            }
        }
        assertThat(actual).as("the runtime dependencies listed in %s", listing).isNotEmpty();

        List<Jar> readme = new ArrayList<>();
        Matcher total = null;
        for (String line : Files.readAllLines(ReadmeSnippetsTest.findReadme(), StandardCharsets.UTF_8)) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                readme.add(new Jar(row.group(1), row.group(2), number(row.group(3))));
            }
            Matcher t = TOTAL.matcher(line);
            if (t.matches()) {
                total = t;
            }
        }
        assertThat(readme).as("README.md's table of dependencies (what the library brings along)")
                .containsExactlyInAnyOrderElementsOf(actual);
        assertThat(total).as("the table's total row").isNotNull();
        assertThat(Integer.parseInt(total.group(1))).as("jars in the total row").isEqualTo(actual.size());
        assertThat(number(total.group(2))).as("KiB in the total row").isEqualTo(kib(totalBytes));
    }

    private static long kib(long bytes) {
        return Math.round(bytes / 1024.0);
    }

    private static long number(String text) {
        return Long.parseLong(text.replace(",", "").toLowerCase(Locale.ROOT));
    }
}
