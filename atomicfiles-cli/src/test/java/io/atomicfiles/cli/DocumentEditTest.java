package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.cli.DocumentPath.Index;
import io.atomicfiles.cli.DocumentPath.Key;
import io.atomicfiles.format.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The PATH and VALUE syntax of {@code atomicfiles update}, and what each edit does to a document. */
class DocumentEditTest {

    private static ObjectNode json(String text) {
        return (ObjectNode) Codecs.json().readTree(text);
    }

    private static String applied(String document, DocumentEdit... edits) {
        ObjectNode tree = json(document);
        for (DocumentEdit edit : edits) {
            edit.applyTo(tree);
        }
        return tree.toString();
    }

    // ------------------------------------------------------------ paths

    @Test
    void pathsOfKeysIndexesQuotedAndEscapedKeys() {
        assertThat(DocumentPath.parse("server.port").segments()).containsExactly(new Key("server"), new Key("port"));
        assertThat(DocumentPath.parse("servers[10].host").segments())
                .containsExactly(new Key("servers"), new Index(10), new Key("host"));
        assertThat(DocumentPath.parse("hosts.\"api.example.com\".port").segments())
                .containsExactly(new Key("hosts"), new Key("api.example.com"), new Key("port"));
        assertThat(DocumentPath.parse("hosts.api\\.example\\.com").segments())
                .containsExactly(new Key("hosts"), new Key("api.example.com"));
        assertThat(DocumentPath.parse("\"say \\\"hi\\\"\".a b[0][1]").segments())
                .containsExactly(new Key("say \"hi\""), new Key("a b"), new Index(0), new Index(1));
        assertThat(DocumentPath.parse("\"\"").segments()).containsExactly(new Key(""));
        assertThat(DocumentPath.parse("a=b").segments()).containsExactly(new Key("a=b"));
    }

    @Test
    void anAssignmentEndsAtTheFirstEqualsSignOutsideQuotesAndEscapes() {
        DocumentPath.Assignment plain = DocumentPath.parseAssignment("a.b=c=d");
        assertThat(plain.path().segments()).containsExactly(new Key("a"), new Key("b"));
        assertThat(plain.value()).isEqualTo("c=d");
        DocumentPath.Assignment quoted = DocumentPath.parseAssignment("\"x=y\".z=1");
        assertThat(quoted.path().segments()).containsExactly(new Key("x=y"), new Key("z"));
        assertThat(quoted.value()).isEqualTo("1");
        DocumentPath.Assignment escaped = DocumentPath.parseAssignment("x\\=y=");
        assertThat(escaped.path().segments()).containsExactly(new Key("x=y"));
        assertThat(escaped.value()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "a..b        | empty key",
        "a.          | empty key",
        ".a          | empty key",
        "[0].a       | starts with a key",
        "a[x]        | array index",
        "a[]         | array index",
        "a[-1]       | array index",
        "a[1         | array index",
        "\"abc       | not closed",
        "a\\         | escapes nothing",
        "\"a\"b      | expected '.', '[' or the end",
        "a[0]b       | expected '.', '[' or the end"})
    void malformedPathsAreRefusedSayingWhereAndWhy(String path, String problem) {
        assertThatThrownBy(() -> DocumentPath.parse(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad path '" + path + "' at character").hasMessageContaining(problem);
    }

    @Test
    void anAssignmentWithoutEqualsSignIsRefused() {
        assertThatThrownBy(() -> DocumentPath.parseAssignment("server.port"))
                .hasMessageContaining("expected PATH=VALUE");
        assertThatThrownBy(() -> DocumentPath.parseAssignment("\"a=1\""))
                .hasMessageContaining("expected PATH=VALUE");
    }

    @Test
    void prefixesQuoteKeysThatNeedIt() {
        DocumentPath path = DocumentPath.parse("a.\"b.c\"[2].d");
        assertThat(path.prefix(1)).isEqualTo("a");
        assertThat(path.prefix(2)).isEqualTo("a.\"b.c\"");
        assertThat(path.prefix(3)).isEqualTo("a.\"b.c\"[2]");
    }

    // ------------------------------------------------------------ values

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "8080              | 8080",
        "-1.5              | -1.5",
        "1e3               | 1000.0",
        "0                 | 0",
        "true              | true",
        "false             | false",
        "null              | null",
        "[a, b]            | [\"a\",\"b\"]",
        "[1, x, \"2\"]     | [1,\"x\",\"2\"]",
        "{port: 8080}      | {\"port\":8080}",
        "{\"a\": [true]}   | {\"a\":[true]}",
        "\"8080\"          | \"8080\"",
        "'it''s'           | \"it's\"",
        "x                 | \"x\"",
        "yes               | \"yes\"",
        "007               | \"007\"",
        "+1                | \"+1\"",
        "0x1F              | \"0x1F\"",
        "True              | \"True\"",
        "#fff              | \"#fff\"",
        "*.log             | \"*.log\"",
        "a: b              | \"a: b\"",
        "- item            | \"- item\"",
        "hello world       | \"hello world\"",
        "``                | \"\""})
    void valuesAreNumbersBooleansNullListsObjectsQuotedStringsOrTextAsItIs(String text, String json) {
        JsonNode value = InlineValue.parse(text);
        assertThat(value.toString()).isEqualTo(json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[a, b", "{a: 1", "\"open", "\"a\" b", "'a': 1", "[a] b"})
    void aValueThatStartsLikeAListObjectOrQuotedStringMustParse(String text) {
        assertThatThrownBy(() -> InlineValue.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'" + text + "' is not")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    // ------------------------------------------------------------ edits

    @Test
    void setReplacesAddsAndCreatesWhatIsMissingOnTheWay() {
        assertThat(applied("{\"a\":{\"b\":1}}", DocumentEdit.set("a.b=2"))).isEqualTo("{\"a\":{\"b\":2}}");
        assertThat(applied("{}", DocumentEdit.set("a.b.c=x"))).isEqualTo("{\"a\":{\"b\":{\"c\":\"x\"}}}");
        assertThat(applied("{}", DocumentEdit.set("list[0].name=x"))).isEqualTo("{\"list\":[{\"name\":\"x\"}]}");
        assertThat(applied("{\"a\":null}", DocumentEdit.set("a.b=1"))).isEqualTo("{\"a\":{\"b\":1}}");
    }

    @Test
    void anIndexReplacesAnElementOrOnePastTheEndAppends() {
        assertThat(applied("{\"t\":[\"x\",\"y\"]}", DocumentEdit.set("t[0]=z"))).isEqualTo("{\"t\":[\"z\",\"y\"]}");
        assertThat(applied("{\"t\":[\"x\",\"y\"]}", DocumentEdit.set("t[2]=z"))).isEqualTo("{\"t\":[\"x\",\"y\",\"z\"]}");
        assertThat(applied("{\"t\":[{\"a\":1}]}", DocumentEdit.set("t[0].b=2"))).isEqualTo("{\"t\":[{\"a\":1,\"b\":2}]}");
    }

    @Test
    void deleteRemovesKeysAndElementsAndIgnoresWhatIsNotThere() {
        assertThat(applied("{\"a\":{\"b\":1,\"c\":2}}", DocumentEdit.delete("a.b"))).isEqualTo("{\"a\":{\"c\":2}}");
        assertThat(applied("{\"t\":[1,2,3]}", DocumentEdit.delete("t[0]"))).isEqualTo("{\"t\":[2,3]}");
        ObjectNode tree = json("{\"a\":{\"b\":1},\"s\":\"x\",\"t\":[1]}");
        for (String absent : new String[] {"z", "a.z", "a.b.c", "s.x", "t[5]", "t.x", "a[0]"}) {
            DocumentEdit.Outcome outcome = DocumentEdit.delete(absent).applyTo(tree);
            assertThat(outcome.changed()).as(absent).isFalse();
            assertThat(outcome.description()).isEqualTo("deleted " + absent + " (not there: nothing to delete)");
        }
        assertThat(tree.toString()).isEqualTo("{\"a\":{\"b\":1},\"s\":\"x\",\"t\":[1]}");
    }

    @Test
    void outcomesSayWhatChangedFromWhat() {
        ObjectNode tree = json("{\"port\":80,\"name\":\"api\"}");
        DocumentEdit.Outcome port = DocumentEdit.set("port=8080").applyTo(tree);
        assertThat(port.description()).isEqualTo("set port = 8080 (was 80)");
        assertThat(port.changed()).isTrue();
        assertThat(port.action()).isEqualTo("set");
        assertThat(port.path()).isEqualTo("port");
        assertThat(port.before()).hasToString("80");
        assertThat(port.after()).hasToString("8080");
        DocumentEdit.Outcome name = DocumentEdit.set("name=api").applyTo(tree);
        assertThat(name.description()).isEqualTo("set name = \"api\" (unchanged)");
        assertThat(name.changed()).isFalse();
        DocumentEdit.Outcome tags = DocumentEdit.set("tags=[a]").applyTo(tree);
        assertThat(tags.description()).isEqualTo("set tags = [\"a\"] (new)");
        assertThat(tags.before()).isNull();
        DocumentEdit.Outcome deleted = DocumentEdit.delete("name").applyTo(tree);
        assertThat(deleted.description()).isEqualTo("deleted name (was \"api\")");
        assertThat(deleted.action()).isEqualTo("delete");
        assertThat(deleted.before()).hasToString("\"api\"");
        assertThat(deleted.after()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "port.x=1     | port is a number (80), not an object",
        "name[0]=1    | name is a string (\"api\"), not an array",
        "t.x=1        | t is an array; address its elements as t[N]",
        "o[0]=1       | o is an object, not an array; address its keys as o.KEY",
        "t[3]=1       | t has 2 elements; an index may be at most 2 (which appends)",
        "t[0][0]=1    | t[0] is a number (1), not an array",
        "new[1]=1     | new has 0 elements"})
    void settingThroughAValueOfTheWrongKindIsRefusedNamingIt(String assignment, String problem) {
        ObjectNode tree = json("{\"port\":80,\"name\":\"api\",\"t\":[1,2],\"o\":{}}");
        assertThatThrownBy(() -> DocumentEdit.set(assignment).applyTo(tree))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot set " + assignment.substring(0, assignment.indexOf('=')))
                .hasMessageContaining(problem);
    }
}
