package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the README honest: every {@code ```java} block of the repository's README.md is
 * compiled against the library and run, with a {@code Path dir} pointing at a fresh temp folder.
 * A snippet is a sequence of statements; it sees the imports below. A comment after a
 * {@code System.out.println(...)} is what that line prints, and is checked too.
 */
class ReadmeSnippetsTest {
    private static final List<String> HEADER = List.of(
            "import io.atomicfiles.*;",
            "import java.io.*;",
            "import java.nio.charset.*;",
            "import java.nio.file.*;",
            "import java.time.*;",
            "import java.util.*;",
            "import java.util.concurrent.*;",
            "");

    @TempDir
    Path work;

    /** One {@code ```java} block: its text and the README line its first line is on. */
    record Snippet(int index, int firstLine, String code) {
        String className() {
            return "ReadmeSnippet" + index;
        }

        String source() {
            List<String> lines = new ArrayList<>(HEADER);
            lines.add("public class " + className() + " {");
            lines.add("    public static void run(Path dir) throws Exception {");
            lines.add(code);
            lines.add("    }");
            lines.add("}");
            return String.join("\n", lines) + "\n";
        }

        /** The README line of a line of {@link #source()}. */
        long readmeLine(long sourceLine) {
            return firstLine + (sourceLine - (HEADER.size() + 3));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyJavaSnippetOfTheReadmeCompilesAndRuns() throws IOException {
        Path readme = findReadme();
        List<Snippet> snippets = javaBlocks(Files.readAllLines(readme, StandardCharsets.UTF_8));
        assertThat(snippets).as("```java blocks in %s", readme).isNotEmpty();

        Path classes = Files.createDirectory(work.resolve("classes"));
        List<Diagnostic<? extends JavaFileObject>> errors = compile(snippets, classes, "all");
        if (!errors.isEmpty()) {
            // javac writes no class at all when one source fails: compile the good ones again, alone.
            List<Snippet> good = snippets.stream().filter(s -> errors.stream().noneMatch(d -> isOf(d, s))).toList();
            if (!good.isEmpty()) {
                compile(good, classes, "good");
            }
        }

        return snippets.stream().map(snippet -> DynamicTest.dynamicTest("README.md line " + snippet.firstLine(),
                () -> {
                    // This snippet's errors, and those of no source at all (a bad class path, say).
                    List<String> own = errors.stream()
                            .filter(d -> d.getSource() == null || isOf(d, snippet))
                            .map(d -> (d.getSource() == null ? "javac" : "README.md:"
                                    + snippet.readmeLine(d.getLineNumber())) + ": " + d.getMessage(Locale.ROOT))
                            .toList();
                    if (!own.isEmpty()) {
                        fail("README snippet at line %d does not compile:%n%s%n%s", snippet.firstLine(),
                                String.join("\n", own), snippet.code());
                    }
                    run(snippet, classes);
                }));
    }

    private static boolean isOf(Diagnostic<? extends JavaFileObject> diagnostic, Snippet snippet) {
        return diagnostic.getSource() != null
                && diagnostic.getSource().getName().endsWith(snippet.className() + ".java");
    }

    private List<Diagnostic<? extends JavaFileObject>> compile(List<Snippet> snippets, Path classes, String round)
            throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler (tests need a JDK, not a JRE)").isNotNull();
        Path sources = Files.createDirectory(work.resolve("sources-" + round));
        List<Path> files = new ArrayList<>();
        for (Snippet snippet : snippets) {
            files.add(Files.writeString(sources.resolve(snippet.className() + ".java"), snippet.source()));
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", classes.toString(), "-classpath", testClassPath(),
                    "-proc:none", "-encoding", "UTF-8", "-implicit:none");
            javac.getTask(null, fileManager, diagnostics, options, null, fileManager.getJavaFileObjectsFromPaths(files))
                    .call();
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .collect(Collectors.toList());
    }

    private void run(Snippet snippet, Path classes) throws Exception {
        Path dir = Files.createDirectory(work.resolve("run-" + snippet.index()));
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader());
                PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            Method run = loader.loadClass(snippet.className()).getMethod("run", Path.class);
            System.setOut(capture);
            run.invoke(null, dir);
        } catch (InvocationTargetException e) {
            throw new AssertionError("README snippet at line " + snippet.firstLine() + " threw "
                    + e.getCause() + "\nit printed: " + printed.toString(StandardCharsets.UTF_8)
                    + "\n" + snippet.code(), e.getCause());
        } finally {
            System.setOut(out);
        }
        // A comment after a println says what it prints: hold the README to it.
        for (String promised : promisedOutput(snippet)) {
            assertThat(printed.toString(StandardCharsets.UTF_8))
                    .as("README snippet at line %d promises to print", snippet.firstLine())
                    .contains(promised);
        }
    }

    /** The comments of {@code System.out.println(...);   // what it prints} lines. */
    static List<String> promisedOutput(Snippet snippet) {
        List<String> promised = new ArrayList<>();
        for (String line : snippet.code().split("\n")) {
            int comment = line.indexOf("//");
            if (line.contains("System.out.println(") && comment > line.indexOf("System.out.println(")) {
                promised.add(line.substring(comment + 2).strip());
            }
        }
        return promised;
    }

    /** The class path of this test run, with what a manifest-only surefire jar refers to spelled out. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        String jvm = System.getProperty("java.class.path");
        return surefire == null || surefire.isBlank() ? jvm : surefire + File.pathSeparator + jvm;
    }

    /** The README.md of the repository: the nearest one above the working directory. */
    static Path findReadme() {
        for (Path folder = Path.of("").toAbsolutePath(); folder != null; folder = folder.getParent()) {
            Path readme = folder.resolve("README.md");
            if (Files.isRegularFile(readme) && Files.isRegularFile(folder.resolve("pom.xml"))) {
                return readme;
            }
        }
        throw new AssertionError("no README.md beside a pom.xml above " + Path.of("").toAbsolutePath());
    }

    /** The {@code ```java} blocks, in order, with the line each starts on. */
    static List<Snippet> javaBlocks(List<String> lines) {
        List<Snippet> snippets = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            int first = i + 1;
            int end = first;
            while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                end++;
            }
            if (end == lines.size()) {
                throw new AssertionError("README.md line " + (first) + ": ```java block is never closed");
            }
            snippets.add(new Snippet(snippets.size() + 1, first + 1, String.join("\n", lines.subList(first, end))));
            i = end;
        }
        return snippets;
    }
}
