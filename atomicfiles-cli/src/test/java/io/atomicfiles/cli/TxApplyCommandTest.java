package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TxApplyCommandTest {
    private static final String SCHEMA = "{\"type\": \"object\", \"required\": [\"port\"], \"properties\": {"
            + "\"port\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 65535}}}";

    @TempDir
    Path dir;
    private Path root;
    private Path journal;

    @BeforeEach
    void layOut() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        journal = dir.resolve("journal");
        create("app.json", "{\"port\": 80}\n");
        create("motd.txt", "old motd\n");
        create("stale.json", "{}\n");
        create("templates/index.html", "<h1>hi</h1>\n");
        create("drafts/post.md", "# post\n");
        create("schemas/app.schema.json", SCHEMA);
    }

    private void create(String name, String content) throws IOException {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private String read(String name) throws IOException {
        return Files.readString(root.resolve(name));
    }

    /** Writes PLAN as dir/plan.yaml (outside the root) and applies it to the root. */
    private Cli.Run apply(String plan, String... options) throws IOException {
        return applyFile("plan.yaml", plan, options);
    }

    private Cli.Run applyFile(String planName, String plan, String... options) throws IOException {
        Path file = dir.resolve(planName);
        Files.writeString(file, plan);
        String[] args = Stream.concat(Stream.of("tx", "apply", file.toString(), "--root", root.toString(),
                "--journal-dir", journal.toString()), Stream.of(options)).toArray(String[]::new);
        return Cli.run(args);
    }

    private void assertNoJournalAndNoLeftovers() throws IOException {
        assertThat(Tree.snapshot(journal).keySet()).noneMatch(name -> name.endsWith(".journal"));
        assertThat(Tree.transactionLeftovers(root)).isEmpty();
    }

    // ------------------------------------------------------------ each operation kind

    @Test
    void contentIsWrittenAsJsonYamlOrTextByTheTargetsExtension() throws IOException {
        Cli.Run run = apply("operations:\n"
                + "  - write: app.json\n"
                + "    content: {port: 8080, name: api}\n"
                + "  - write: conf/db.yml\n"
                + "    content:\n"
                + "      url: jdbc:x\n"
                + "      pool: 8\n"
                + "  - write: motd.txt\n"
                + "    content: \"new motd\\n\"\n"
                + "  - write: app.conf\n"
                + "    format: json\n"
                + "    content: [1, 2]\n");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("app.json")).isEqualTo("{\n  \"port\": 8080,\n  \"name\": \"api\"\n}\n");
        assertThat(read("conf/db.yml")).isEqualTo("url: jdbc:x\npool: 8\n");
        assertThat(read("motd.txt")).isEqualTo("new motd\n");
        assertThat(read("app.conf")).isEqualTo("[\n  1,\n  2\n]\n");
        assertThat(read("app.json.backup")).isEqualTo("{\"port\": 80}\n");
        assertThat(read("motd.txt.backup")).isEqualTo("old motd\n");
        assertNoJournalAndNoLeftovers();
    }

    @Test
    void textIsWrittenAsItIs() throws IOException {
        Cli.Run run = apply("operations:\n  - write: notes/a.json\n    text: \"{ \\\"kept\\\":   1 }\"\n");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("notes/a.json")).isEqualTo("{ \"kept\":   1 }");
    }

    @Test
    void fromCopiesBytesAsTheyAreOrConvertsStructuredContent() throws IOException {
        byte[] blob = {0, (byte) 0xff, 10, 13, 0x7f};
        Files.write(root.resolve("blob.src"), blob);
        create("in/config.yaml", "port: 9090\n");
        Cli.Run run = apply("operations:\n"
                + "  - write: out/blob.bin\n"
                + "    from: blob.src\n"
                + "  - write: out/config.json\n"
                + "    from: in/config.yaml\n"
                + "    schema: schemas/app.schema.json\n");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(Files.readAllBytes(root.resolve("out/blob.bin"))).isEqualTo(blob);
        assertThat(read("out/config.json")).isEqualTo("{\n  \"port\": 9090\n}\n");
    }

    @Test
    void copyMoveAndDeleteWithTheirBackups() throws IOException {
        create("site/index.html", "old index\n");
        Cli.Run run = apply("operations:\n"
                + "  - copy: templates/index.html\n    to: site/index.html\n"
                + "  - move: drafts/post.md\n    to: posts/post.md\n"
                + "  - delete: stale.json\n");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("site/index.html")).isEqualTo("<h1>hi</h1>\n");
        assertThat(read("site/index.html.backup")).isEqualTo("old index\n");
        assertThat(read("templates/index.html")).isEqualTo("<h1>hi</h1>\n");
        assertThat(root.resolve("drafts/post.md")).doesNotExist();
        assertThat(read("posts/post.md")).isEqualTo("# post\n");
        assertThat(root.resolve("stale.json")).doesNotExist();
        assertThat(read("stale.json.deleted_backup")).isEqualTo("{}\n");
        assertThat(run.out()).contains(
                "copied  templates/index.html to site/index.html  (12 bytes; previous content kept as"
                        + " site/index.html.backup)",
                "moved   drafts/post.md to posts/post.md  (7 bytes)",
                "deleted stale.json  (kept as stale.json.deleted_backup)");
        assertNoJournalAndNoLeftovers();
    }

    @Test
    void aMixedPlanInJsonPrintsTheTransactionAndOneLinePerOperation() throws IOException {
        Cli.Run run = applyFile("plan.json", "{\"operations\": ["
                + "{\"write\": \"app.json\", \"content\": {\"port\": 8081}, \"schema\": \"schemas/app.schema.json\"},"
                + "{\"write\": \"motd.txt\", \"text\": \"hello\\n\"},"
                + "{\"copy\": \"motd.txt\", \"to\": \"motd.copy\"},"
                + "{\"move\": \"drafts/post.md\", \"to\": \"post.md\"},"
                + "{\"delete\": \"stale.json\"}]}", "--id", "release-42");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out().lines()).hasSize(6);
        assertThat(run.out()).startsWith("transaction release-42 committed: 5 operations in " + root.toRealPath())
                .contains("  wrote   app.json  (", "  wrote   motd.txt  (6 bytes; previous content kept as"
                        + " motd.txt.backup)");
        assertThat(read("app.json")).isEqualTo("{\n  \"port\": 8081\n}\n");
        // The copy reads its source when the transaction commits: the old motd, not the new one.
        assertThat(read("motd.copy")).isEqualTo("old motd\n");
        assertThat(read("post.md")).isEqualTo("# post\n");
        assertThat(root.resolve("stale.json")).doesNotExist();
    }

    @Test
    void noBackupKeepsNoBackups() throws IOException {
        Cli.Run run = apply("operations:\n  - write: motd.txt\n    text: x\n  - delete: stale.json\n", "--no-backup",
                "--durability", "file");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("motd.txt")).isEqualTo("x");
        assertThat(root.resolve("motd.txt.backup")).doesNotExist();
        assertThat(root.resolve("stale.json")).doesNotExist();
        assertThat(root.resolve("stale.json.deleted_backup")).doesNotExist();
    }

    @Test
    void thePlanMayComeFromStandardInput() throws IOException {
        Cli.Run run = Cli.runWithInput("{\"operations\": [{\"write\": \"motd.txt\", \"text\": \"piped\"}]}",
                "tx", "apply", "-", "--root", root.toString(), "--journal-dir", journal.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("motd.txt")).isEqualTo("piped");
    }

    @Test
    void anEmptyListOfOperationsChangesNothing() throws IOException {
        Map<String, String> before = Tree.snapshot(root);
        Cli.Run run = apply("operations: []\n");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("has no operations; nothing was changed");
        assertThat(Tree.snapshot(root)).isEqualTo(before);
    }

    // ------------------------------------------------------------ --dry-run

    @Test
    void dryRunChecksEverythingPrintsThePlanAndTouchesNothing() throws IOException {
        Map<String, String> before = Tree.snapshot(dir);
        Cli.Run run = apply("operations:\n"
                + "  - write: app.json\n    content: {port: 1}\n    schema: schemas/app.schema.json\n"
                + "  - write: new/motd.txt\n    text: hi\n"
                + "  - copy: templates/index.html\n    to: site/index.html\n"
                + "  - move: drafts/post.md\n    to: posts/post.md\n"
                + "  - delete: stale.json\n", "--dry-run");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("dry run: ", "these 5 operations would be committed together",
                "write   app.json  (JSON, checked against schemas/app.schema.json; replaces the current file,"
                        + " kept as app.json.backup)",
                "write   new/motd.txt  (text; new file)",
                "copy    templates/index.html to site/index.html  (new file)",
                "delete  stale.json  (kept as stale.json.deleted_backup)");
        before.put("plan.yaml", Tree.snapshot(dir).get("plan.yaml"));
        assertThat(Tree.snapshot(dir)).isEqualTo(before);
    }

    @Test
    void dryRunStillRefusesABadPlan() throws IOException {
        Cli.Run run = apply("operations:\n  - write: app.json\n    content: {port: 0}\n"
                + "    schema: schemas/app.schema.json\n", "--dry-run");
        assertThat(run.exitCode()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("operation 1 (line 2, write app.json): rejected by its schema");
    }

    // ------------------------------------------------------------ plan errors: exit 1, nothing changed

    static Stream<Arguments> badPlans() {
        return Stream.of(
                Arguments.of("operations:\n  - write: motd.txt\n    text: x\n  - write: app.json\n    contnet: 1\n",
                        "plan.yaml: operation 2 (line 4, write app.json): unknown key 'contnet'"),
                Arguments.of("operation:\n  - delete: stale.json\n",
                        "plan.yaml: line 1: unknown key 'operation' at the top level"),
                Arguments.of("operations:\n  - copy: motd.txt\n",
                        "operation 1 (line 2, copy motd.txt): a copy needs 'to: PATH'"),
                Arguments.of("operations:\n  - write: motd.txt\n",
                        "operation 1 (line 2, write motd.txt): a write needs its content"),
                Arguments.of("operations:\n  - write: motd.txt\n    text: a\n    from: b\n",
                        "give only one of content, text or from (found text and from)"),
                Arguments.of("operations:\n  - write: motd.txt\n    copy: x\n",
                        "operation 1 (line 2): has both 'write' and 'copy'"),
                Arguments.of("operations:\n  - wrte: motd.txt\n    text: a\n",
                        "operation 1 (line 2): says neither write, copy, move nor delete (its keys: wrte, text)"),
                Arguments.of("operations:\n  - write: motd.txt\n    text: 42\n",
                        "'text' must be a string, found a number"),
                Arguments.of("operations:\n  - delete: [a, b]\n",
                        "operation 1 (line 2): 'delete' must be a path (a string), found a list"),
                Arguments.of("operations:\n  - write: motd.txt\n    content: {a: 1}\n",
                        "motd.txt is not a .json, .yaml or .yml file, so its content must be a string"),
                Arguments.of("operations:\n  - write: motd.txt\n    text: hi\n    schema: schemas/app.schema.json\n",
                        "'schema' applies to JSON and YAML content"),
                Arguments.of("operations:\n  - write: a.json\n    content: 1\n    format: xml\n",
                        "'format' must be json or yaml, found 'xml'"),
                Arguments.of("operations: {write: motd.txt}\n", "line 1: 'operations' must be a list, found a mapping"),
                Arguments.of("operations:\n  - delete: stale.json\n  - delete\n",
                        "operation 2 (line 3): expected a mapping such as 'delete: PATH', found a string"),
                Arguments.of("- delete: stale.json\n", "expected a mapping with the key 'operations'"),
                Arguments.of("", "plan.yaml is empty"),
                Arguments.of("operations:\n  - write: motd.txt\n    text: a\n    text: b\n",
                        "plan.yaml is not valid YAML at line 4, column 9: Duplicate Object property \"text\""),
                Arguments.of("operations:\n  - delete: stale.json\n  - write: a.json\n    content: {port: 1\n"
                        + "  - delete: motd.txt\n", "plan.yaml is not valid YAML at line 5, column 11: while parsing a flow mapping; expected ',' or '}'"),
                Arguments.of("operations:\n  - delete: stale.json\n  - delete: stale.json\n",
                        "operation 2 (line 3, delete stale.json): transaction "),
                Arguments.of("operations:\n  - move: missing.txt\n    to: b.txt\n",
                        "operation 1 (line 2, move missing.txt to b.txt): move missing.txt failed: the file does not exist"),
                Arguments.of("operations:\n  - write: out.json\n    from: missing.yaml\n",
                        "'from' names no file"),
                Arguments.of("operations:\n  - write: out.json\n    content: 1\n    schema: schemas/none.json\n",
                        "schema file not found"),
                Arguments.of("operations:\n  - write: templates\n    text: x\n",
                        "the target is a folder, not a file"));
    }

    @ParameterizedTest
    @MethodSource("badPlans")
    void aBadPlanIsRefusedWithItsOperationAndLineAndNothingChanges(String plan, String message) throws IOException {
        Map<String, String> before = Tree.snapshot(root);
        Cli.Run run = apply(plan);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).as(run.toString()).startsWith("atomicfiles tx apply: ").contains(message);
        assertThat(run.err().lines()).as(run.toString()).hasSize(1);
        assertThat(run.out()).isEmpty();
        assertThat(Tree.snapshot(root)).isEqualTo(before);
        assertNoJournalAndNoLeftovers();
    }

    @Test
    void aTruncatedJsonPlanNamesWhereItEnds() throws IOException {
        Map<String, String> before = Tree.snapshot(root);
        Cli.Run run = applyFile("plan.json", "{\"operations\": [{\"delete\": \"stale.json\"}");
        assertThat(run.exitCode()).isEqualTo(Main.INVALID);
        assertThat(run.err()).startsWith("atomicfiles tx apply: " + dir.resolve("plan.json") + " is not valid JSON at"
                + " line 1, column ").endsWith(": Unexpected end-of-input: expected close marker for Array"
                + System.lineSeparator());
        assertThat(Tree.snapshot(root)).isEqualTo(before);
    }

    @Test
    void aPlanWithAnotherExtensionIsAUsageError() throws IOException {
        Cli.Run run = applyFile("plan.txt", "operations: []\n");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("PLAN must be a .yaml, .yml or .json file");
    }

    @Test
    void aMissingPlanOrRootIsAFailure() {
        Cli.Run noPlan = Cli.run("tx", "apply", dir.resolve("nope.yaml").toString(), "--root", root.toString());
        assertThat(noPlan.exitCode()).isEqualTo(1);
        assertThat(noPlan.err()).contains("no such file: ", "nope.yaml");
        Cli.Run noRoot = Cli.run("tx", "apply", "-", "--root", dir.resolve("nowhere").toString());
        assertThat(noRoot.exitCode()).isEqualTo(1);
        assertThat(noRoot.err()).contains("--root names no folder");
    }

    @Test
    void aBadTransactionIdIsAUsageError() throws IOException {
        Cli.Run run = apply("operations: []\n", "--id", "../x");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--id", "'../x'");
    }

    // ------------------------------------------------------------ a schema violation at operation 3

    @Test
    void aSchemaViolationInTheThirdOperationChangesNothingAndListsTheViolations() throws IOException {
        Map<String, String> before = Tree.snapshot(root);
        Cli.Run run = apply("operations:\n"
                + "  - write: motd.txt\n    text: new\n"
                + "  - delete: stale.json\n"
                + "  - write: app.json\n    content: {port: 70000}\n    schema: schemas/app.schema.json\n"
                + "  - write: second.json\n    content: {}\n"
                + "    schema: {type: object, required: [port]}\n");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("plan.yaml: operation 3 (line 5, write app.json): rejected by its schema"
                + " (1 violation)", "  $.port: must have a maximum value of 65535");
        assertThat(Tree.snapshot(root)).isEqualTo(before);
        assertNoJournalAndNoLeftovers();
    }

    @Test
    void anInlineSchemaIsCheckedToo() throws IOException {
        Cli.Run run = apply("operations:\n  - write: app.json\n    content: {name: x}\n"
                + "    schema: {type: object, required: [port]}\n");
        assertThat(run.exitCode()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("rejected by its schema", "$: required property 'port' not found");
        assertThat(read("app.json")).isEqualTo("{\"port\": 80}\n");
    }

    // ------------------------------------------------------------ failure during the commit

    @Test
    void aCommitThatFailsLeavesEveryFileAsItWas() throws IOException {
        create("reports", "a file where a folder is needed\n");
        Map<String, String> before = Tree.snapshot(root);
        Cli.Run run = apply("operations:\n"
                + "  - write: motd.txt\n    text: new\n"
                + "  - copy: app.json\n    to: archive/app.json\n"
                + "  - write: reports/2024/q1.csv\n    text: \"q,total\\n\"\n");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.FAILED);
        // The folder is made when the transaction locks its files (the lock file lives in it), so
        // the failure comes from there, before anything was staged.
        assertThat(run.err()).as(run.toString()).startsWith("atomicfiles tx apply: ")
                .contains("a file is in the way where its folder " + root.resolve("reports/2024") + " must be");
        assertThat(Tree.snapshot(root)).isEqualTo(before);
        assertNoJournalAndNoLeftovers();
    }

    // ------------------------------------------------------------ paths that leave the root

    @Test
    void pathsThatLeaveTheRootAreRefusedAndNothingChangesInsideOrOutside() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret\n");
        Files.createSymbolicLink(root.resolve("elsewhere"), outside);
        Files.createSymbolicLink(root.resolve("secret-link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), dir.resolve("nothing-here"));
        Files.createSymbolicLink(root.resolve("inner"), root.resolve("templates"));
        Map<String, String> before = Tree.snapshot(dir);
        String okFirst = "operations:\n  - write: motd.txt\n    text: new\n  - delete: stale.json\n";
        Map<String, String> refusals = Map.of(
                okFirst + "  - write: " + outside.resolve("x.txt") + "\n    text: x\n",
                "operation 3 (line 5, write " + outside.resolve("x.txt") + "): 'write': " + outside.resolve("x.txt")
                        + " is absolute; plan paths are relative to the root",
                okFirst + "  - copy: ../outside/secret.txt\n    to: stolen.txt\n",
                "'copy': ../outside/secret.txt goes up with '..'",
                okFirst + "  - write: templates/../../outside/x.txt\n    text: x\n",
                "goes up with '..'",
                okFirst + "  - write: elsewhere/x.txt\n    text: x\n",
                "'write': elsewhere/x.txt leads outside the root " + root.toRealPath() + " (to "
                        + outside.toRealPath() + ") through the symbolic link elsewhere -> " + outside,
                okFirst + "  - copy: secret-link.txt\n    to: stolen.txt\n",
                "'copy': secret-link.txt leads outside the root",
                okFirst + "  - write: secret-link.txt\n    text: overwritten\n",
                "'write': secret-link.txt leads outside the root",
                okFirst + "  - delete: elsewhere/secret.txt\n",
                "leads outside the root",
                okFirst + "  - write: a.json\n    content: 1\n    schema: elsewhere/s.json\n",
                "'schema': elsewhere/s.json leads outside the root",
                okFirst + "  - write: dangling/x.txt\n    text: x\n",
                "passes through the symbolic link dangling -> " + dir.resolve("nothing-here") + ", which points to"
                        + " nothing",
                okFirst + "  - write: .\n    text: x\n",
                "names the root folder itself");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            Cli.Run run = apply(refusal.getKey());
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
            assertThat(run.err()).as(run.toString()).contains(refusal.getValue());
            Map<String, String> after = Tree.snapshot(dir);
            after.remove("plan.yaml");
            Map<String, String> expected = new TreeMap<>(before);
            expected.remove("plan.yaml");
            assertThat(after).as(refusal.getKey()).isEqualTo(expected);
        }
        // A link that stays inside the root is fine.
        Cli.Run inside = apply("operations:\n  - write: inner/new.html\n    text: x\n");
        assertThat(inside.exitCode()).as(inside.toString()).isZero();
        assertThat(read("templates/new.html")).isEqualTo("x");
    }

    // ------------------------------------------------------------ help

    @Test
    void helpDescribesThePlanWithAnExample() {
        Cli.Run run = Cli.run("tx", "apply", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: atomicfiles tx apply", "--root=DIR", "--dry-run", "--journal-dir=DIR",
                "The plan:", "    - write: config/app.json", "      schema: schemas/app.schema.json",
                "    - delete: site/old.html", "Exit codes:");
    }

    /** Issue 8 item 10: the help says what confinement to --root guarantees while the transaction runs, and what not. */
    @Test
    void helpStatesWhatConfinementToTheRootLeavesPossible() {
        Cli.Run run = Cli.run("tx", "apply", "--help");
        String text = run.out().replaceAll("\\s+", " ");
        assertThat(text).contains("confined to --root while it runs", "without following links",
                "nothing is done through it: the transaction fails and is undone (exit 1)",
                "no swap, however timed, redirects them",
                "a swap timed into the instant between that look and the creation of a new name",
                "Java's file API has no linkat or mkdirat");
    }

    @Test
    void txWithoutASubcommandIsAUsageError() {
        Cli.Run run = Cli.run("tx");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing a command: apply");
    }
}
