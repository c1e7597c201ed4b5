package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class UpdateCommandTest {
    private static final String CONFIG = "{\n  \"server\": {\n    \"host\": \"localhost\",\n    \"port\": 80\n  },\n"
            + "  \"debug\": true,\n  \"tags\": [\n    \"api\"\n  ]\n}\n";
    private static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"server\": {\"type\": \"object\","
            + " \"properties\": {\"port\": {\"type\": \"integer\", \"maximum\": 65535}}}}}";

    @TempDir
    Path dir;

    private String arg(String name) {
        return dir.resolve(name).toString();
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    private void create(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    private JsonNode document(String name, DataFormat format) throws IOException {
        return Codecs.read(dir.resolve(name), format);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            // The folder's lock file (.atomicfiles.lock) is there by design.
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".atomicfiles.lock")).sorted()
                    .collect(Collectors.toList());
        }
    }

    // ------------------------------------------------------------ success

    @Test
    void setsAndDeletesInAJsonFileAndPrintsEachChange() throws IOException {
        create("config.json", CONFIG);
        Cli.Run run = Cli.run("update", arg("config.json"), "--set", "server.port=8080", "--delete", "debug",
                "--set", "tags[1]=v2", "--set", "server.host=localhost", "--delete", "nothing.here");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("config.json")).isEqualTo("{\n  \"server\": {\n    \"host\": \"localhost\",\n"
                + "    \"port\": 8080\n  },\n  \"tags\": [\n    \"api\",\n    \"v2\"\n  ]\n}\n");
        assertThat(run.out().lines()).containsExactly(
                "set server.port = 8080 (was 80)",
                "deleted debug (was true)",
                "set tags[1] = \"v2\" (new)",
                "set server.host = \"localhost\" (unchanged)",
                "deleted nothing.here (not there: nothing to delete)",
                "updated " + dir.resolve("config.json") + ": 3 changes");
        assertThat(run.err()).isEmpty();
        assertThat(read("config.json.backup")).isEqualTo(CONFIG);
    }

    @Test
    void aYamlFileIsReadAndWrittenAsYaml() throws IOException {
        create("app.yml", "name: api\nports:\n- 80\n");
        Cli.Run run = Cli.run("update", arg("app.yml"), "--set", "ports[1]=443", "--set", "build=\"0042\"",
                "--set", "owner={team: core, oncall: [ann, bo]}");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("app.yml")).isEqualTo("name: api\nports:\n- 80\n- 443\nbuild: \"0042\"\nowner:\n  team: core\n"
                + "  oncall:\n  - ann\n  - bo\n");
    }

    @Test
    void editsApplyInTheOrderGiven() throws IOException {
        create("a.json", "{\"x\": {\"old\": 1}}");
        Cli.Run replace = Cli.run("update", arg("a.json"), "--delete", "x", "--set", "x.new=2");
        assertThat(replace.exitCode()).as(replace.toString()).isZero();
        assertThat(document("a.json", DataFormat.JSON).toString()).isEqualTo("{\"x\":{\"new\":2}}");

        Cli.Run gone = Cli.run("update", arg("a.json"), "--set", "x.newer=3", "--delete", "x");
        assertThat(gone.exitCode()).as(gone.toString()).isZero();
        assertThat(document("a.json", DataFormat.JSON).toString()).isEqualTo("{}");
    }

    @Test
    void keysWithDotsAreQuotedOrEscaped() throws IOException {
        create("hosts.json", "{}");
        Cli.Run run = Cli.run("update", arg("hosts.json"), "--set", "hosts.\"db.local\".ip=10.0.0.5",
                "--set", "hosts.cache\\.local.ip=10.0.0.6", "--set", "\"a=b\"=c");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(document("hosts.json", DataFormat.JSON).toString()).isEqualTo(
                "{\"hosts\":{\"db.local\":{\"ip\":\"10.0.0.5\"},\"cache.local\":{\"ip\":\"10.0.0.6\"}},\"a=b\":\"c\"}");
    }

    @Test
    void createStartsAMissingFileFromAnEmptyDocument() throws IOException {
        Cli.Run run = Cli.run("update", arg("sub/state.json"), "--create", "--set", "runs[0]={id: 1, ok: true}");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(document("sub/state.json", DataFormat.JSON).toString()).isEqualTo("{\"runs\":[{\"id\":1,\"ok\":true}]}");
    }

    @Test
    void formatOptionReadsAFileOfAnotherExtension() throws IOException {
        create("app.conf", "port: 80\n");
        Cli.Run run = Cli.run("update", arg("app.conf"), "--format", "yaml", "--set", "port=81");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("app.conf")).isEqualTo("port: 81\n");
    }

    @Test
    void aConformingResultIsWrittenWithASchema() throws IOException {
        create("config.json", CONFIG);
        create("schema.json", SCHEMA);
        Cli.Run run = Cli.run("update", arg("config.json"), "--set", "server.port=65535", "--schema", arg("schema.json"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(document("config.json", DataFormat.JSON).at("/server/port").asInt()).isEqualTo(65535);
    }

    @Test
    void anUpdateThatChangesNothingWritesNothing() throws IOException {
        String compact = "{\"server\": {\"port\": 80}, \"debug\": true}";
        create("config.json", compact);
        Cli.Run run = Cli.run("update", arg("config.json"), "--set", "server.port=80", "--delete", "verbose");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out().lines()).containsExactly("set server.port = 80 (unchanged)",
                "deleted verbose (not there: nothing to delete)",
                dir.resolve("config.json") + ": no change, nothing written");
        assertThat(read("config.json")).isEqualTo(compact);
        assertThat(names()).containsExactly("config.json");
    }

    @Test
    void anUpdateThatChangesNothingStillFailsASchemaTheFileViolates() throws IOException {
        String violating = "{\"server\": {\"port\": 70000}}";
        create("config.json", violating);
        create("schema.json", SCHEMA);
        Cli.Run run = Cli.run("update", arg("config.json"), "--set", "server.port=70000", "--schema", arg("schema.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("$.server.port: must have a maximum value of 65535");
        assertThat(read("config.json")).isEqualTo(violating);
    }

    @Test
    void concurrentUpdatesOfOneFileAreNeverLost() throws Exception {
        create("shared.json", "{}");
        int threads = 2;
        int updates = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    List<Integer> exitCodes = new ArrayList<>();
                    for (int i = 0; i < updates; i++) {
                        exitCodes.add(Cli.run("update", arg("shared.json"), "--set", "t" + thread + ".k" + i + "=" + i)
                                .exitCode());
                    }
                    return exitCodes;
                }));
            }
            for (Future<List<Integer>> result : results) {
                assertThat(result.get(2, TimeUnit.MINUTES)).containsOnly(0);
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode shared = document("shared.json", DataFormat.JSON);
        for (int t = 0; t < threads; t++) {
            assertThat(shared.get("t" + t).size()).as("keys set by thread " + t).isEqualTo(updates);
        }
    }

    // ------------------------------------------------------------ refusals: exit 1, the file as it was

    @Test
    void aMissingFileIsAnErrorWithoutCreate() throws IOException {
        Cli.Run run = Cli.run("update", arg("config.json"), "--set", "a=1");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("atomicfiles update: no such file: " + dir.resolve("config.json")
                + " (nothing to update; --create starts from an empty document)" + System.lineSeparator());
        assertThat(names()).isEmpty();
    }

    @Test
    void invalidJsonIsRefusedNamingTheLine() throws IOException {
        String broken = "{\"a\": 1,\n  \"b\": }\n";
        create("bad.json", broken);
        Cli.Run run = Cli.run("update", arg("bad.json"), "--set", "a=2");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains(dir.resolve("bad.json") + " is not valid JSON at line 2");
        assertThat(read("bad.json")).isEqualTo(broken);
        assertThat(names()).containsExactly("bad.json");
    }

    @Test
    void invalidYamlIsRefusedNamingTheLine() throws IOException {
        String broken = "a: 1\nb: [1, 2\nc: 3\n";
        create("bad.yaml", broken);
        Cli.Run run = Cli.run("update", arg("bad.yaml"), "--set", "a=2");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains(dir.resolve("bad.yaml") + " is not valid YAML at line 3");
        assertThat(read("bad.yaml")).isEqualTo(broken);
    }

    @Test
    void aDocumentThatIsNotAnObjectIsRefused() throws IOException {
        create("list.json", "[1, 2]");
        Cli.Run run = Cli.run("update", arg("list.json"), "--set", "a=2");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("expected an object");
        assertThat(read("list.json")).isEqualTo("[1, 2]");
    }

    @Test
    void aSchemaViolationListsItAndWritesNothing() throws IOException {
        create("config.json", CONFIG);
        create("schema.json", SCHEMA);
        Cli.Run run = Cli.run("update", arg("config.json"), "--set", "server.port=70000", "--schema", arg("schema.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("nothing written").contains("$.server.port: must have a maximum value of 65535");
        assertThat(read("config.json")).isEqualTo(CONFIG);
        assertThat(names()).containsExactly("config.json", "schema.json");
    }

    @Test
    void anEditThroughAValueOfTheWrongKindWritesNothingEvenAfterEditsThatWorked() throws IOException {
        create("config.json", CONFIG);
        Cli.Run run = Cli.run("update", arg("config.json"), "--set", "debug=false", "--set", "server.port.number=1");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).isEqualTo("atomicfiles update: " + dir.resolve("config.json") + ": cannot set"
                + " server.port.number: server.port is a number (80), not an object; nothing written"
                + System.lineSeparator());
        assertThat(read("config.json")).isEqualTo(CONFIG);
        assertThat(names()).containsExactly("config.json");
    }

    @Test
    void aMissingSchemaFileIsNamed() throws IOException {
        create("config.json", CONFIG);
        Cli.Run run = Cli.run("update", arg("config.json"), "--set", "a=1", "--schema", arg("nope.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("--schema names a file that does not exist");
        assertThat(read("config.json")).isEqualTo(CONFIG);
    }

    // ------------------------------------------------------------ usage errors: exit 2, nothing touched

    @ParameterizedTest
    @ValueSource(strings = {"--set=port", "--set=a..b=1", "--set=tags=[a, b", "--set=x=\"open", "--delete=a[x]",
        "--set=[0]=1", "--format=xml", "--bogus"})
    void malformedEditsAreUsageErrors(String badOption) throws IOException {
        create("config.json", CONFIG);
        Cli.Run run = Cli.run("update", arg("config.json"), "--set", "debug=false", badOption);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).startsWith("atomicfiles update: ").contains("Try 'atomicfiles update --help'");
        assertThat(run.err().lines().count()).isLessThanOrEqualTo(3);
        assertThat(read("config.json")).isEqualTo(CONFIG);
        assertThat(names()).containsExactly("config.json");
    }

    @Test
    void noEditIsAUsageError() throws IOException {
        create("config.json", CONFIG);
        Cli.Run run = Cli.run("update", arg("config.json"));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("nothing to do: give at least one --set or --delete");
        assertThat(names()).containsExactly("config.json");
    }

    @Test
    void anExtensionThatNamesNoFormatIsAUsageError() throws IOException {
        create("app.conf", "port: 80\n");
        Cli.Run run = Cli.run("update", arg("app.conf"), "--set", "port=81");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("cannot tell JSON from YAML").contains("--format json|yaml");
        assertThat(read("app.conf")).isEqualTo("port: 80\n");
    }
}
