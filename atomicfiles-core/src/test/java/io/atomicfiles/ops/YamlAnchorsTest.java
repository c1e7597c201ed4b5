package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * YAML anchors, aliases and merge keys (issue 8, item 8): a read is the document's meaning (YAML
 * 1.1 merge keys, aliases expanded), a read-modify-write keeps that meaning apart from the edit
 * and writes plain YAML, and documents without a finite meaning (recursive aliases, alias
 * bombs) are refused with nothing changed.
 */
class YamlAnchorsTest {
    private static final String SERVICES = """
            # deployment settings
            defaults: &defaults
              adapter: postgres
              host: localhost
              pool: 5
            tuning: &tuning
              pool: 20
              timeout: 30
            development:
              <<: *defaults
              database: dev_db
            production:
              host: db.prod   # an explicit key before the merge still wins
              <<: [*tuning, *defaults]
              database: prod_db
            hosts: &hosts [a, b]
            mirrors: *hosts
            name: &name svc
            label: *name
            version: 1
            """;

    @TempDir
    Path dir;

    private final AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(),
            WriteOptions.builder().showProgress(false).build());

    private static JsonNode json(String text) {
        return Codecs.json().readTree(text);
    }

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void aReadIsTheMeaningWithAliasesAndMergeKeysResolvedAsYaml11Does() throws IOException {
        JsonNode tree = Codecs.read(file("app.yaml", SERVICES), DataFormat.YAML);
        assertThat(tree).isEqualTo(json("""
                {"defaults": {"adapter": "postgres", "host": "localhost", "pool": 5},
                 "tuning": {"pool": 20, "timeout": 30},
                 "development": {"adapter": "postgres", "host": "localhost", "pool": 5, "database": "dev_db"},
                 "production": {"host": "db.prod", "pool": 20, "timeout": 30, "adapter": "postgres",
                                "database": "prod_db"},
                 "hosts": ["a", "b"], "mirrors": ["a", "b"], "name": "svc", "label": "svc", "version": 1}"""));
    }

    @Test
    void explicitKeysWinWhereverTheyStandAndAQuotedKeyIsNoMergeKey() throws IOException {
        JsonNode tree = Codecs.read(file("m.yaml", """
                base: &b {a: 1, b: 2, c: {deep: true}}
                after:
                  b: 20
                  <<: *b
                quoted:
                  "<<": *b
                  '<<x': 1
                tagged:
                  !!merge <<: *b
                  a: 10
                """), DataFormat.YAML);
        assertThat(tree.get("tagged")).isEqualTo(json("{\"b\": 2, \"c\": {\"deep\": true}, \"a\": 10}"));
        assertThat(tree.get("after")).isEqualTo(json("{\"b\": 20, \"a\": 1, \"c\": {\"deep\": true}}"));
        assertThat(tree.get("quoted")).isEqualTo(json("{\"<<\": {\"a\": 1, \"b\": 2, \"c\": {\"deep\": true}},"
                + " \"<<x\": 1}"));
    }

    @Test
    void anAliasIsACopySoAnEditOfOnePlaceChangesOnlyThatPlace() throws IOException {
        Path app = file("app.yaml", SERVICES);
        ops.atomicYamlUpdate(app, doc -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> development = (Map<String, Object>) doc.get("development");
            development.put("pool", 9);
            return doc;
        });
        JsonNode after = Codecs.read(app, DataFormat.YAML);
        assertThat(after.at("/development/pool").asInt()).isEqualTo(9);
        assertThat(after.at("/defaults/pool").asInt()).isEqualTo(5);
        assertThat(after.at("/production/pool").asInt()).isEqualTo(20);
    }

    @Test
    void anUpdateKeepsTheMeaningApartFromTheEditAndWritesPlainYaml() throws IOException {
        Path app = file("app.yaml", SERVICES);
        ObjectNode before = (ObjectNode) Codecs.read(app, DataFormat.YAML);

        ops.atomicYamlUpdate(app, doc -> {
            doc.put("version", 2);
            return doc;
        });

        ObjectNode expected = before.deepCopy();
        expected.put("version", 2);
        assertThat(Codecs.read(app, DataFormat.YAML)).isEqualTo(expected);
        // On main the merge key was written back as `<<: defaults` and `mirrors: hosts`.
        String written = Files.readString(app);
        assertThat(written).doesNotContain("<<").doesNotContain("*").doesNotContain("&");
        assertThat(Codecs.yaml().readTree(written)).as("plain YAML: any YAML reader sees the same tree")
                .isEqualTo(expected);
    }

    @Test
    void aKeyNamedLikeTheMergeKeyIsWrittenQuotedAndReadsBackAsAKey() throws IOException {
        Path out = dir.resolve("out.yaml");
        AtomicFiles.writeYaml(out, Map.of("<<", Map.of("a", 1)));
        assertThat(Codecs.read(out, DataFormat.YAML)).isEqualTo(json("{\"<<\": {\"a\": 1}}"));
    }

    @Test
    void aRecursiveAliasIsRefusedClearlyAndTheFileStaysAsItWas() throws IOException {
        for (String recursive : List.of("a: &a [1, *a]\n", "node: &n\n  name: x\n  child: *n\n")) {
            Path app = file("loop.yaml", recursive);
            assertThatThrownBy(() -> ops.atomicYamlUpdate(app, doc -> {
                doc.put("version", 2);
                return doc;
            })).isInstanceOf(ValidationException.class)
                    .hasMessageContaining(app.toString())
                    .hasMessageContaining("recursive alias")
                    .hasMessageContaining("line ")
                    .hasMessageContaining("nothing was changed");
            assertThat(Files.readString(app)).isEqualTo(recursive);
            assertThat(dir.resolve("loop.yaml.backup")).doesNotExist();
        }
    }

    @Test
    void anAliasBombIsRefusedBeforeItExpandsAndTheFileStaysAsItWas() throws IOException {
        StringBuilder bomb = new StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level <= 9; level++) {
            bomb.append('l').append(level).append(": &l").append(level).append(" [");
            for (int i = 0; i < 10; i++) {
                bomb.append(i == 0 ? "" : ", ").append("*l").append(level - 1);
            }
            bomb.append("]\n");
        }
        Path app = file("bomb.yaml", bomb.toString());
        assertThatThrownBy(() -> ops.atomicYamlUpdate(app, doc -> doc))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("bomb.yaml")
                .hasMessageContaining("alias bomb");
        assertThat(Files.readString(app)).isEqualTo(bomb.toString());
        assertThat(dir.resolve("bomb.yaml.backup")).doesNotExist();
    }

    @Test
    void anAliasToNoAnchorAndAMergeOfAScalarAreRefused() throws IOException {
        Path undefined = file("u.yaml", "a: *nowhere\n");
        assertThatThrownBy(() -> Codecs.read(undefined, DataFormat.YAML)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("alias *nowhere names no anchor");
        Path scalar = file("s.yaml", "a:\n  <<: 5\n");
        assertThatThrownBy(() -> Codecs.read(scalar, DataFormat.YAML)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("the merge key << takes a mapping or a list of mappings")
                .hasMessageContaining("line 2");
    }

    @Test
    void aMergedConfigIsTheMeaningOfItsInputs() throws IOException {
        Path base = file("base.yaml", SERVICES);
        Path local = file("local.yaml", "production:\n  pool: 50\n");
        Map<String, Object> merged = ops.atomicConfigMerge(List.of(base, local), dir.resolve("out.json"));
        assertThat(Codecs.toTree(merged).get("production")).isEqualTo(json("""
                {"host": "db.prod", "pool": 50, "timeout": 30, "adapter": "postgres", "database": "prod_db"}"""));
    }

    @Test
    void withoutAnchorsTheTreeIsJacksonsOwnScalarForScalar() throws IOException {
        String text = """
                int: 42
                negative: -7
                long: 12345678901
                big: 123456789012345678901234567890
                float: 1.5
                exp: 1e3
                inf: .inf
                nan: .NaN
                octal: 0o17
                hex: 0x1F
                leadingZero: 007
                yes: yes
                bool: true
                False: False
                nothing: null
                tilde: ~
                empty:
                date: 2001-12-14
                quoted: "8080"
                single: 'it''s'
                folded: >
                  two
                  lines
                literal: |
                  kept
                  as is
                binary: !!binary aGVsbG8=
                list: [1, two, {three: 3}]
                nested: {a: {b: [true, null]}}
                """;
        assertThat(Codecs.read(file("s.yaml", text), DataFormat.YAML)).isEqualTo(Codecs.yaml().readTree(text));
    }

    @Test
    void commentsAreDetectedOutsideStringsOnly() throws IOException {
        assertThat(Codecs.yamlHasComments(file("c.yaml", "a: 1 # the answer\n"))).isTrue();
        assertThat(Codecs.yamlHasComments(file("c.yaml", "# header\na: 1\n"))).isTrue();
        assertThat(Codecs.yamlHasComments(file("c.yaml", "a: \"1 # not a comment\"\nb: x#y\n"))).isFalse();
    }
}
