package io.atomicfiles.behaviour;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_16;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.Durability;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import io.atomicfiles.format.Codecs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.core.type.TypeReference;

/** What goes in comes out: text, bytes, JSON, YAML and Java objects, byte for byte; backups hold the old bytes. */
class RoundTripTest {
    @TempDir
    Path dir;

    // ---------------------------------------------------------------- text and bytes

    @Test
    void utf8TextIsWrittenAsItsUtf8Bytes() throws IOException {
        Path file = dir.resolve("notes.txt");
        String text = "plain, accentué, 日本語, emoji 😀\nsecond line\n";

        WriteResult result = AtomicFiles.writeText(file, text);

        assertThat(Files.readAllBytes(file)).isEqualTo(text.getBytes(UTF_8));
        assertThat(result.size()).isEqualTo(text.getBytes(UTF_8).length);
        assertThat(result.sha256()).isEqualTo(sha256(text.getBytes(UTF_8)));
        assertThat(result.target()).isEqualTo(file);
        assertThat(Folders.names(dir)).containsExactly("notes.txt");
    }

    @Test
    void textInAnotherCharsetIsEncodedInThatCharset() throws IOException {
        Path file = dir.resolve("latin1.txt");
        String text = "Grüße aus Köln, café";

        AtomicFiles.writeText(file, text, ISO_8859_1, WriteOptions.defaults());

        assertThat(Files.readAllBytes(file)).isEqualTo(text.getBytes(ISO_8859_1)).hasSize(text.length());
        assertThat(Files.readString(file, ISO_8859_1)).isEqualTo(text);
    }

    @Test
    void textWrittenInPiecesIsTheSameFileAsTextWrittenAtOnce() throws IOException {
        // A writer appends: several writeText calls must encode like one call with the whole text,
        // even in a charset with a byte-order mark, and even when a piece ends inside a surrogate pair.
        String whole = "first 😀 second 😀 third";
        int insideFirstPair = whole.indexOf("😀") + 1;
        int insideSecondPair = whole.lastIndexOf("😀") + 1;
        for (Charset charset : List.of(UTF_8, UTF_16)) {
            Path file = dir.resolve("pieces-" + charset.name() + ".txt");
            try (AtomicWriter writer = AtomicWriter.open(file)) {
                writer.writeText(whole.substring(0, insideFirstPair), charset);
                writer.writeText(whole.substring(insideFirstPair, insideSecondPair), charset);
                writer.writeText(whole.substring(insideSecondPair), charset);
                writer.commit();
            }
            assertThat(Files.readAllBytes(file)).as(charset.name()).isEqualTo(whole.getBytes(charset));
            assertThat(Files.readString(file, charset)).as(charset.name()).isEqualTo(whole);
        }
    }

    @ParameterizedTest(name = "durability {0}, verify {1}")
    @CsvSource({"NONE, false", "NONE, true", "FILE, false", "FILE, true", "FULL, false", "FULL, true"})
    void everyDurabilityAndVerificationWritesTheSameBytes(Durability durability, boolean verify) throws IOException {
        Path file = dir.resolve("d.bin");
        Files.writeString(file, "old");
        byte[] bytes = new byte[(1 << 20) + 17];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i % 251);
        }
        WriteOptions options = WriteOptions.builder().durability(durability).verifyIntegrity(verify).build();

        WriteResult result = AtomicFiles.writeBytes(file, bytes, options);

        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
        assertThat(result.sha256()).isEqualTo(sha256(bytes));
        assertThat(Files.readString(dir.resolve("d.bin.backup"))).isEqualTo("old");
        assertThat(Folders.names(dir)).containsExactly("d.bin", "d.bin.backup");
    }

    @Test
    void bytesAreWrittenExactlyIncludingEveryByteValue() throws IOException {
        Path file = dir.resolve("all.bin");
        byte[] bytes = new byte[256 * 3];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }

        WriteResult result = AtomicFiles.writeBytes(file, bytes);

        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
        assertThat(result.sha256()).isEqualTo(sha256(bytes)).isEqualTo(AtomicFiles.checksum(file));
    }

    @Test
    void emptyContentMakesAnEmptyFile() throws IOException {
        Path file = dir.resolve("empty.bin");
        Files.writeString(file, "something");

        AtomicFiles.writeBytes(file, new byte[0]);

        assertThat(Files.size(file)).isZero();
        assertThat(Files.readString(dir.resolve("empty.bin.backup"))).isEqualTo("something");
    }

    @Test
    void textBytesAndStreamMixInTheOrderWritten() throws IOException {
        Path file = dir.resolve("mixed.txt");
        try (AtomicWriter writer = AtomicWriter.open(file)) {
            writer.writeText("one,");
            writer.writeBytes("two,".getBytes(UTF_8));
            OutputStream out = writer.outputStream();
            out.write("three,".getBytes(UTF_8));
            out.write('4');
            out.close(); // closing the stream does not commit
            assertThat(Files.exists(file)).isFalse();
            writer.writeText(",five");
            writer.commit();
        }
        assertThat(Files.readString(file)).isEqualTo("one,two,three,4,five");
    }

    @Test
    void largeStreamedWriteIsCompleteAndVerified() throws IOException {
        // Larger than the overlap interval of the content sink (64 MiB), so background
        // fsync and read-back run, twice, while content is still being written.
        Path file = dir.resolve("big.bin");
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31);
        }
        MessageDigest expected = sha256Digest();
        WriteResult result = AtomicFiles.write(file, WriteOptions.defaults(), w -> {
            for (int i = 0; i < 150; i++) {
                chunk[0] = (byte) i; // every MiB differs, so a misplaced chunk changes the checksum
                expected.update(chunk);
                w.outputStream().write(chunk);
            }
        });
        assertThat(Files.size(file)).isEqualTo(150L << 20);
        assertThat(result.sha256()).isEqualTo(HexFormat.of().formatHex(expected.digest()))
                .isEqualTo(AtomicFiles.checksum(file));
        assertThat(Folders.names(dir)).containsExactly("big.bin");
    }

    // ---------------------------------------------------------------- JSON

    @Test
    void jsonIsIndentedByTwoKeepsUnicodeAndEndsWithANewline() throws IOException {
        Path file = dir.resolve("config.json");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", "démo 日本語 😀");
        data.put("ports", List.of(80, 443));
        data.put("empty", Map.of());
        data.put("nested", Map.of("on", true));

        AtomicFiles.writeJson(file, data);

        assertThat(Files.readString(file)).isEqualTo("{\n"
                + "  \"name\": \"démo 日本語 😀\",\n"
                + "  \"ports\": [\n    80,\n    443\n  ],\n"
                + "  \"empty\": {},\n"
                + "  \"nested\": {\n    \"on\": true\n  }\n"
                + "}\n");
        assertThat(readJson(file)).isEqualTo(data);
    }

    @Test
    void jsonWithACustomIndent() throws IOException {
        Path file = dir.resolve("four.json");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("a", 1);
        data.put("b", List.of("x"));

        try (AtomicWriter writer = AtomicWriter.open(file)) {
            writer.writeJson(data, 4);
            writer.commit();
        }

        assertThat(Files.readString(file)).isEqualTo("{\n    \"a\": 1,\n    \"b\": [\n        \"x\"\n    ]\n}\n");
    }

    @Test
    void jsonWithIndentZeroIsOneCompactLine() throws IOException {
        Path file = dir.resolve("compact.json");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("a", 1);
        data.put("b", List.of("x", "ü"));
        data.put("c", Map.of("d", false));

        try (AtomicWriter writer = AtomicWriter.open(file)) {
            writer.writeJson(data, 0);
            writer.commit();
        }

        String text = Files.readString(file);
        assertThat(text.stripTrailing()).isEqualTo("{\"a\":1,\"b\":[\"x\",\"ü\"],\"c\":{\"d\":false}}");
        assertThat(text.stripTrailing()).doesNotContain("\n");
        assertThat(readJson(file)).isEqualTo(data);
    }

    @Test
    void recordsAndBeansAreSerialisedByTheirProperties() throws IOException {
        Path json = dir.resolve("server.json");
        Path yaml = dir.resolve("server.yaml");
        Server server = new Server("db.local", 5432, List.of("primary", "ünïcode"));

        AtomicFiles.writeJson(json, server);
        AtomicFiles.writeYaml(yaml, server);

        assertThat(Codecs.json().readValue(Files.readString(json), Server.class)).isEqualTo(server);
        assertThat(Codecs.yaml().readValue(Files.readString(yaml), Server.class)).isEqualTo(server);
        assertThat(readJson(json)).containsEntry("host", "db.local").containsEntry("port", 5432);

        Path beanFile = dir.resolve("bean.json");
        Account account = new Account();
        account.setOwner("Zoë");
        account.setBalance(12);
        AtomicFiles.writeJson(beanFile, account);
        Account back = Codecs.json().readValue(Files.readString(beanFile), Account.class);
        assertThat(back.getOwner()).isEqualTo("Zoë");
        assertThat(back.getBalance()).isEqualTo(12);
    }

    // ---------------------------------------------------------------- YAML

    @Test
    void yamlIsBlockStyleWithoutDocumentMarkerAndKeepsUnicode() throws IOException {
        Path file = dir.resolve("config.yaml");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", "日本語 😀");
        data.put("servers", List.of(Map.of("port", 80), Map.of("port", 443)));
        data.put("owner", Map.of("email", "zoë@example.org"));

        AtomicFiles.writeYaml(file, data);

        String yaml = Files.readString(file);
        assertThat(yaml).doesNotStartWith("---").doesNotContain("{").doesNotContain("[")
                .doesNotContain("\\u").contains("name: 日本語 😀")
                .contains("servers:\n- port: 80\n- port: 443\n").contains("owner:\n  email: zoë@example.org\n");
        assertThat(readYaml(file)).isEqualTo(data);
    }

    @Test
    void yamlStringsThatLookLikeOtherTypesReadBackAsTheSameStrings() throws IOException {
        Path file = dir.resolve("tricky.yaml");
        List<String> tricky = List.of("yes", "no", "on", "off", "true", "False", "null", "~", "", " ",
                "123", "1.5", "0x1F", "1e3", "007", "a: b", "- item", "#hash", "key: value # comment",
                "multi\nline", "trailing space ", "'quoted'", "\"double\"", "@at", "%percent", "*star", "&amp",
                "!bang", "|pipe", ">fold", "{brace}", "[bracket]", "2001-01-01", ".inf", "-.inf", ".nan", "NaN", "+1", "-0", "1_000");
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < tricky.size(); i++) {
            data.put("k" + i, tricky.get(i));
        }
        data.put("list", tricky);

        AtomicFiles.writeYaml(file, data);

        assertThat(readYaml(file)).isEqualTo(data);
        // YAML 1.1 readers (PyYAML, the seed's own) take these bare words for booleans: they must be quoted.
        String yaml = Files.readString(file);
        for (String word : List.of("yes", "no", "on", "off")) {
            assertThat(yaml).doesNotContain(": " + word + "\n").doesNotContain("- " + word + "\n");
        }
    }

    // ---------------------------------------------------------------- backups

    @Test
    void backupHoldsTheOldBytesAndASecondWriteReplacesIt() throws IOException {
        Path file = dir.resolve("state.bin");
        Path backup = dir.resolve("state.bin.backup");

        WriteResult first = AtomicFiles.writeBytes(file, new byte[] {1});
        assertThat(first.backup()).isEmpty();
        assertThat(Folders.names(dir)).containsExactly("state.bin");

        WriteResult second = AtomicFiles.writeBytes(file, new byte[] {2, 2});
        assertThat(second.backup()).contains(backup);
        assertThat(Files.readAllBytes(backup)).containsExactly(1);

        AtomicFiles.writeBytes(file, new byte[] {3, 3, 3});
        assertThat(Files.readAllBytes(file)).containsExactly(3, 3, 3);
        assertThat(Files.readAllBytes(backup)).containsExactly(2, 2);
        assertThat(Folders.names(dir)).containsExactly("state.bin", "state.bin.backup");
    }

    @Test
    void backupOffWritesNoBackupAndLeavesAnOlderOneAlone() throws IOException {
        WriteOptions noBackup = WriteOptions.builder().backup(false).build();
        Path file = dir.resolve("plain.txt");
        Files.writeString(file, "old");

        WriteResult result = AtomicFiles.writeText(file, "new", noBackup);

        assertThat(result.backup()).isEmpty();
        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(Folders.names(dir)).containsExactly("plain.txt");

        Path other = dir.resolve("kept.txt");
        Files.writeString(other, "v1");
        Files.writeString(dir.resolve("kept.txt.backup"), "v0");
        AtomicFiles.writeText(other, "v2", noBackup);
        assertThat(Files.readString(dir.resolve("kept.txt.backup"))).isEqualTo("v0");
    }

    @Test
    void backupIsUnchangedByLaterWritesToTheTarget() throws IOException {
        // The backup is a hard link to the replaced file: the new content goes to a new file,
        // never into the one the backup names.
        Path file = dir.resolve("linked.txt");
        AtomicFiles.writeText(file, "one");
        AtomicFiles.writeText(file, "two");
        try (AtomicWriter writer = AtomicWriter.open(file, WriteOptions.builder().backup(false).build())) {
            writer.writeText("three");
            writer.commit();
        }
        assertThat(Files.readString(dir.resolve("linked.txt.backup"))).isEqualTo("one");
        assertThat(Files.readString(file)).isEqualTo("three");
    }

    // ---------------------------------------------------------------- helpers

    record Server(String host, int port, List<String> tags) {
    }

    /** A plain bean: properties through getters and setters. */
    static final class Account {
        private String owner;
        private int balance;

        public String getOwner() {
            return owner;
        }

        public void setOwner(String owner) {
            this.owner = owner;
        }

        public int getBalance() {
            return balance;
        }

        public void setBalance(int balance) {
            this.balance = balance;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Account a && Objects.equals(owner, a.owner) && balance == a.balance;
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, balance);
        }
    }

    private static Map<String, Object> readJson(Path file) throws IOException {
        return Codecs.json().readValue(Files.readString(file), new TypeReference<Map<String, Object>>() { });
    }

    private static Map<String, Object> readYaml(Path file) throws IOException {
        return Codecs.yaml().readValue(Files.readString(file), new TypeReference<Map<String, Object>>() { });
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }
}
