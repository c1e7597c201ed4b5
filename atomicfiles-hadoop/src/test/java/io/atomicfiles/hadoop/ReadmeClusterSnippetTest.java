package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the README's cluster section honest: its {@code ```java cluster} block is compiled
 * against this module (core's README test compiles and runs the plain {@code ```java} blocks,
 * which need no cluster). It is compiled, not run: running it needs a cluster at the names it
 * shows; the demo and the other tests of this module run the same calls.
 */
class ReadmeClusterSnippetTest {
    private static final String HEADER = String.join("\n",
            "import io.atomicfiles.*;",
            "import io.atomicfiles.hadoop.*;",
            "import java.time.*;",
            "import java.util.*;",
            "import org.apache.hadoop.conf.Configuration;",
            "import org.apache.hadoop.fs.FileSystem;",
            "import org.apache.hadoop.fs.Path;",
            "class Snippet {",
            "    void run(Configuration conf, Object part0) throws Exception {",
            "");

    @Test
    void theClusterSnippetCompiles(@TempDir Path out) throws IOException {
        Path readme = findReadme();
        List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        List<String> block = new ArrayList<>();
        boolean inside = false;
        for (String line : lines) {
            if (!inside && line.strip().equals("```java cluster")) {
                inside = true;
            } else if (inside && line.strip().equals("```")) {
                break;
            } else if (inside) {
                block.add(line);
            }
        }
        assertThat(block).as("the ```java cluster block of %s", readme).isNotEmpty();
        String source = HEADER + String.join("\n", block) + "\n    }\n}\n";
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///Snippet.java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            boolean ok = javac.getTask(null, files, diagnostics, List.of("-proc:none", "-d", out.toString(),
                    "-classpath", System.getProperty("java.class.path")), null, List.of(unit)).call();
            assertThat(ok).as("README cluster snippet:%n%s%n%s", diagnostics.getDiagnostics().stream()
                    .map(d -> "line " + (d.getLineNumber() - HEADER.lines().count()) + ": " + d.getMessage(Locale.ROOT))
                    .collect(Collectors.joining("\n")), source).isTrue();
        }
    }

    private static Path findReadme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("README.md")) && Files.exists(dir.resolve("atomicfiles-hadoop"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IllegalStateException("README.md not found above " + Path.of("").toAbsolutePath());
    }
}
