package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Keeps "Add it to your build" in README.md and the consumer projects of {@code src/it} the same:
 * the build runs those projects against the installed artifacts (maven-invoker-plugin), and this
 * test makes sure that what they declare and run is what the README tells a user to write.
 */
class ReadmeConsumerProjectsTest {
    private static final Path README = ReadmeSnippetsTest.findReadme();
    private static final Path PROJECTS = README.resolveSibling("atomicfiles-core").resolve("src/it");
    /** The project's version, from the POM (Surefire sets it). */
    private static final String VERSION = System.getProperty("atomicfiles.version");

    @Test
    void theReadmeGivesTheDependencyAtTheProjectsVersion() throws IOException {
        assertThat(VERSION).as("system property atomicfiles.version (set by the POM)").isNotBlank();
        List<String> maven = block("xml");
        assertThat(maven).containsExactly(
                "<dependency>",
                "<groupId>io.atomicfiles</groupId>",
                "<artifactId>atomicfiles-core</artifactId>",
                "<version>" + VERSION + "</version>",
                "</dependency>");
    }

    @Test
    void theGradleLineNamesWhatTheMavenDependencyNames() throws IOException {
        String maven = String.join("", block("xml"));
        String coordinates = element(maven, "groupId") + ":" + element(maven, "artifactId") + ":"
                + element(maven, "version");
        List<String> gradle = block("kotlin");
        assertThat(gradle).contains("implementation(\"" + coordinates + "\")");
        assertThat(gradle).as("Gradle reads the local repository that the install command fills")
                .anyMatch(line -> line.startsWith("mavenLocal()"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"consumer", "consumer-module"})
    void eachConsumerProjectDeclaresTheReadmesDependency(String project) throws IOException {
        String pom = Files.readString(PROJECTS.resolve(project).resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher dependency = Pattern.compile("<dependency>\\s*<groupId>io\\.atomicfiles</groupId>.*?</dependency>",
                Pattern.DOTALL).matcher(pom);
        assertThat(dependency.find()).as("%s/pom.xml depends on io.atomicfiles", project).isTrue();
        List<String> declared = trimmedLines(dependency.group().replace("@project.version@", VERSION));
        assertThat(declared).as("%s/pom.xml's dependency, as README.md gives it", project)
                .isEqualTo(block("xml"));
    }

    @Test
    void theConsumerRunsTheReadmesFirstSnippet() throws IOException {
        String test = Files.readString(PROJECTS.resolve("consumer/src/test/java/com/example/ReadmeFirstSnippetTest.java"),
                StandardCharsets.UTF_8);
        String begin = "// README.md, first ```java block";
        String end = "// end of the block";
        String run = test.substring(test.indexOf('\n', test.indexOf(begin)) + 1, test.indexOf(end));
        List<String> readme = Files.readAllLines(README, StandardCharsets.UTF_8);
        String first = ReadmeSnippetsTest.javaBlocks(readme).get(0).code();
        assertThat(trimmedLines(run)).isEqualTo(trimmedLines(first));
    }

    /** The first {@code ```language} block of the README's "Add it to your build", as trimmed lines. */
    private static List<String> block(String language) throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int section = lines.indexOf("## Add it to your build");
        assertThat(section).as("README.md has a section 'Add it to your build'").isNotNegative();
        int start = -1;
        for (int i = section + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            if (lines.get(i).strip().equals("```" + language)) {
                start = i + 1;
                break;
            }
        }
        assertThat(start).as("a ```%s block in 'Add it to your build'", language).isPositive();
        List<String> block = new ArrayList<>();
        for (int i = start; !lines.get(i).strip().equals("```"); i++) {
            block.add(lines.get(i));
        }
        return trimmedLines(String.join("\n", block));
    }

    private static List<String> trimmedLines(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.toList());
    }

    private static String element(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(xml);
        assertThat(m.find()).as("<%s> in %s", name, xml).isTrue();
        return m.group(1);
    }
}
