package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.cli.demo.CrashingTransaction;
import io.atomicfiles.cli.demo.SiteRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code atomicfiles recover} on real crashed transactions: a child JVM commits the demo's site
 * release and halts itself mid-transaction, then the command recovers its journal folder.
 */
class RecoverCommandTest {

    @TempDir
    Path dir;

    private Path site() {
        return dir.resolve("site");
    }

    private Path journal() {
        return dir.resolve("journal");
    }

    /** The site release, killed at {@code moment} in a child JVM. */
    private void crash(CrashingTransaction.Moment moment) throws Exception {
        SiteRelease.prepare(site());
        Files.createDirectories(journal());
        CrashingTransaction.Outcome child = CrashingTransaction.runInChildJvm(site(), journal(), moment);
        assertThat(child.halted()).as("exit %d, output:%n%s", child.exitCode(), child.output()).isTrue();
        assertThat(Tree.snapshot(journal()).keySet()).as("the journal the crash left")
                .filteredOn(name -> name.endsWith(".journal")).hasSize(1);
    }

    /** The site's files: name → "file:CONTENT". */
    private static Map<String, String> pages(Map<String, String> contents) {
        Map<String, String> pages = new TreeMap<>();
        contents.forEach((name, content) -> pages.put(name, "file:" + content));
        return pages;
    }

    @Test
    void nothingToRecover() throws IOException {
        Files.createDirectories(journal());
        Cli.Run run = Cli.run("recover", "--journal-dir", journal().toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("nothing to recover in " + journal() + System.lineSeparator());
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aJournalLeftUnfinishedFailsTheCommandAndIsNamed() throws IOException {
        Files.createDirectories(journal());
        Path outside = Files.writeString(dir.resolve("outside.txt"), "precious");
        // A journal whose plan "stages" a file that is not one of its own hidden names: refused.
        String header = "{\"type\":\"header\",\"magic\":\"atomicfiles-journal\",\"version\":2,\"id\":\"bad\","
                + "\"tag\":\"0123456789abcdef\",\"created\":\"2026-01-01T00:00:00Z\",\"pid\":1,\"operations\":1}";
        String stage = "{\"type\":\"stage\",\"op\":0,\"path\":\"" + outside + "\",\"target\":\""
                + dir.resolve("app.json") + "\"}";
        String planned = "{\"type\":\"planned\",\"steps\":1}";
        Path bad = journal().resolve("bad.journal");
        Files.writeString(bad, line(header) + line(stage) + line(planned));
        Files.setPosixFilePermissions(bad, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        Cli.Run run = Cli.run("recover", "--journal-dir", journal().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.FAILED);
        assertThat(run.err()).contains("left unfinished", bad.toString());
        assertThat(Files.readString(outside)).isEqualTo("precious");
        assertThat(bad).exists();
    }

    /** A journal line: the first 16 hex digits of the JSON's SHA-256, then the JSON. */
    private static String line(String json) {
        try {
            byte[] sha = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(sha).substring(0, 16) + " " + json + "\n";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aMissingJournalFolderIsAnErrorAndIsNotCreated() {
        Cli.Run run = Cli.run("recover", "--journal-dir", journal().toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--journal-dir names no folder");
        assertThat(journal()).doesNotExist();
    }

    @Test
    void aTransactionKilledAfterItsCommitPointIsRolledForward() throws Exception {
        crash(CrashingTransaction.Moment.AFTER_COMMIT_POINT);
        assertThat(Tree.transactionLeftovers(site())).as("the crash left staged files").isNotEmpty();

        Cli.Run run = Cli.run("recover", "--journal-dir", journal().toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("recovered 1 transaction in " + journal() + ":")
                .contains(": rolled forward: it had passed its commit point", "    renamed .news.html.tx-");
        Map<String, String> expected = pages(SiteRelease.after());
        Map<String, String> before = SiteRelease.before();
        expected.put("index.html.backup", "file:" + before.get("index.html"));
        expected.put("about.html.backup", "file:" + before.get("about.html"));
        expected.put("news.html.backup", "file:" + before.get("news.html"));
        expected.put("old.html.deleted_backup", "file:" + before.get("old.html"));
        expected.put("", "folder");
        assertThat(Tree.snapshot(site())).isEqualTo(expected);
        assertThat(Tree.snapshot(journal())).containsOnlyKeys("");

        Cli.Run again = Cli.run("recover", "--journal-dir", journal().toString());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).startsWith("nothing to recover");
        assertThat(Tree.snapshot(site())).isEqualTo(expected);
    }

    @Test
    void aTransactionKilledBeforeItsCommitPointIsRolledBack() throws Exception {
        crash(CrashingTransaction.Moment.BEFORE_COMMIT_POINT);

        Cli.Run run = Cli.run("recover", "--journal-dir", journal().toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains(": rolled back: every file it named is as it was before it",
                "    deleted ", ".contact.html.tx-");
        Map<String, String> expected = pages(SiteRelease.before());
        expected.put("", "folder");
        assertThat(Tree.snapshot(site())).isEqualTo(expected);
        assertThat(Tree.snapshot(journal())).containsOnlyKeys("");
    }

    @Test
    void aFileChangedSinceTheCrashIsAConflictLeftAsItIs() throws Exception {
        crash(CrashingTransaction.Moment.AFTER_COMMIT_POINT);
        Files.writeString(site().resolve("news.html"), "edited by hand after the crash\n");

        Cli.Run run = Cli.run("recover", "--journal-dir", journal().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.CONFLICT);
        assertThat(run.out()).contains("    CONFLICT: " + site().resolve("news.html"));
        assertThat(run.err()).isEqualTo("atomicfiles recover: 1 conflict (listed above): those files were changed"
                + " by someone else and were left as they are" + System.lineSeparator());
        assertThat(Files.readString(site().resolve("news.html"))).isEqualTo("edited by hand after the crash\n");
        assertThat(Files.readString(site().resolve("contact.html"))).isEqualTo(SiteRelease.after().get("contact.html"));
    }

    @Test
    void helpExplainsRollBackAndRollForward() {
        Cli.Run run = Cli.run("help", "recover");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: atomicfiles recover", "--journal-dir=DIR", "rolled back",
                "rolled forward", "conflict");
    }
}
