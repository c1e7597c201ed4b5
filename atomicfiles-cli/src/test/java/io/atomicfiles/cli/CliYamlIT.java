package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * YAML through the real jar: {@code update} and {@code merge} keep a document's meaning with its
 * anchors, aliases and merge keys (issue 8, item 8), refuse an alias bomb with nothing changed,
 * and say on standard error, in one line, that comments are not kept (issue 10, "Comments").
 */
class CliYamlIT {
    private static final String APP = """
            # settings of the app
            defaults: &defaults
              adapter: postgres
              pool: 5
            production:
              <<: *defaults   # the shared settings
              pool: 20
            version: 1
            """;

    @TempDir
    Path dir;

    private JarRun.Result run(String... args) throws Exception {
        return JarRun.jar().in(dir).run(args);
    }

    @Test
    void updateKeepsTheMeaningAndWarnsInOneLineThatCommentsAreNotKept() throws Exception {
        Files.writeString(dir.resolve("app.yaml"), APP);
        ObjectNode before = (ObjectNode) Codecs.read(dir.resolve("app.yaml"), DataFormat.YAML);

        JarRun.Result result = run("update", "app.yaml", "--set", "version=2");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.err()).isEqualTo("atomicfiles update: warning: app.yaml: comments are not kept by update\n");
        ObjectNode expected = before.deepCopy().put("version", 2);
        assertThat(Codecs.read(dir.resolve("app.yaml"), DataFormat.YAML)).isEqualTo(expected);
        assertThat(expected.at("/production/adapter").asString()).isEqualTo("postgres");
        assertThat(Files.readString(dir.resolve("app.yaml"))).doesNotContain("<<").doesNotContain("*defaults");
    }

    @Test
    void noWarningWithoutCommentsOrWhenNothingIsWritten() throws Exception {
        Files.writeString(dir.resolve("plain.yaml"), "a: '# not a comment'\nversion: 1\n");
        JarRun.Result plain = run("update", "plain.yaml", "--set", "version=2");
        assertThat(plain.exitCode()).as(plain.toString()).isZero();
        assertThat(plain.err()).isEmpty();

        Files.writeString(dir.resolve("app.yaml"), APP);
        JarRun.Result unchanged = run("update", "app.yaml", "--set", "version=1");
        assertThat(unchanged.exitCode()).as(unchanged.toString()).isZero();
        assertThat(unchanged.err()).isEmpty();
        assertThat(Files.readString(dir.resolve("app.yaml"))).isEqualTo(APP);
    }

    @Test
    void mergeWarnsInOneLineNamingTheInputsWithComments() throws Exception {
        Files.writeString(dir.resolve("base.yaml"), APP);
        Files.writeString(dir.resolve("site.yaml"), "version: 3\n");
        Files.writeString(dir.resolve("local.yml"), "production:\n  pool: 50  # tuned\n");

        JarRun.Result result = run("merge", "base.yaml", "site.yaml", "local.yml", "-o", "app.json");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.err())
                .isEqualTo("atomicfiles merge: warning: base.yaml, local.yml: comments are not kept by merge\n");
        assertThat(Codecs.read(dir.resolve("app.json"), DataFormat.JSON)).isEqualTo(Codecs.json().readTree("""
                {"defaults": {"adapter": "postgres", "pool": 5},
                 "production": {"adapter": "postgres", "pool": 50}, "version": 3}"""));
    }

    @Test
    void anAliasBombIsRefusedInOneLineAndTheFileStaysAsItWas() throws Exception {
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level <= 9; level++) {
            bomb.append("a").append(level).append(": &a").append(level).append(" [")
                    .append(("*a" + (level - 1) + ", ").repeat(9)).append("*a").append(level - 1).append("]\n");
        }
        Files.writeString(dir.resolve("bomb.yaml"), bomb.toString());

        JarRun.Result result = run("update", "bomb.yaml", "--set", "version=2");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(4);
        assertThat(result.err().lines()).as(result.toString()).singleElement().asString()
                .startsWith("atomicfiles update: ")
                .contains("bomb.yaml is refused at line 5, column ")
                .contains("alias bomb")
                .contains("nothing was changed");
        assertThat(Files.readString(dir.resolve("bomb.yaml"))).isEqualTo(bomb.toString());
        assertThat(dir.resolve("bomb.yaml.backup")).doesNotExist();
    }
}
