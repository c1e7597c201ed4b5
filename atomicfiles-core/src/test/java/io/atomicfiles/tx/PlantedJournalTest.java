package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.internal.Hashing;
import io.atomicfiles.internal.LinkRule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery runs only this user's journals, and only on the transaction's own hidden names
 * (issue 8, item 4). A journal is a list of files to rename and delete: before, one that listed
 * {@code /outside/file} as a staged file made the next recovery (run by every transaction's
 * start) delete it.
 */
class PlantedJournalTest {
    private static final String TAG = "0123456789abcdef";

    @TempDir
    Path root;

    private Path files;
    private Path outside;
    private Path journals;

    @BeforeEach
    void setUp() throws IOException {
        files = Files.createDirectories(root.resolve("files"));
        outside = Files.createDirectories(root.resolve("outside"));
        journals = Files.createDirectories(root.resolve("journals"));
        Files.writeString(outside.resolve("file"), "precious");
    }

    @Test
    void aJournalNamingAFileThatIsNotItsOwnHiddenNameDeletesNothing() throws IOException {
        Path journal = plant("planted", outside.resolve("file"), files.resolve("app.json"));

        RecoveryReport report = FileTransaction.recover(journals);

        assertThat(Files.readString(outside.resolve("file"))).isEqualTo("precious");
        assertThat(report.transactions()).isEmpty();
        assertThat(report.unfinished()).singleElement().satisfies(u -> {
            assertThat(u.journal()).isEqualTo(journal);
            assertThat(u.reason()).contains(outside.resolve("file").toString(), "not one of this transaction's own");
        });
        assertThat(journal).exists();
    }

    @Test
    void aJournalOfAnotherUserIsRefused() throws IOException {
        Assumptions.assumeTrue(LinkRule.follower() == 0,
                "needs root to give the planted journal another owner; running as uid " + LinkRule.follower());
        // Well formed, naming only hidden names of its own tag: but not ours.
        Path staged = files.resolve(".app.json.tx-" + TAG + "-0.stage");
        Files.writeString(staged, "someone's file that happens to have that name");
        Path journal = plant("foreign", staged, files.resolve("app.json"));
        Files.setAttribute(journal, "unix:uid", 4242, LinkOption.NOFOLLOW_LINKS);

        RecoveryReport report = FileTransaction.recover(journals);

        assertThat(staged).exists();
        assertThat(report.transactions()).isEmpty();
        assertThat(report.unfinished()).singleElement()
                .satisfies(u -> assertThat(u.reason()).contains("owned by user id 4242"));
        assertThat(journal).exists();
    }

    @Test
    void aWellFormedJournalOfOursIsStillRecovered() throws IOException {
        Path staged = files.resolve(".app.json.tx-" + TAG + "-0.stage");
        Files.writeString(staged, "half-staged");
        Path journal = plant("ours", staged, files.resolve("app.json"));

        RecoveryReport report = FileTransaction.recover(journals);

        assertThat(report.unfinished()).isEmpty();
        assertThat(report.transactions()).singleElement()
                .satisfies(t -> assertThat(t.outcome()).isEqualTo(RecoveryReport.Outcome.ROLLED_BACK));
        assertThat(staged).doesNotExist();
        assertThat(journal).doesNotExist();
    }

    @Test
    void aJournalOfVersion1IsStillRecoveredWithItsOwnNames() throws IOException {
        // Version 1 derived the tag from the id: the first 10 hex digits of its SHA-256.
        String tag = Hashing.sha256Hex("old".getBytes(StandardCharsets.UTF_8)).substring(0, 10);
        Path staged = files.resolve(".app.json.tx-" + tag + "-0.stage");
        Files.writeString(staged, "half-staged");
        Path journal = plant(1, "old", staged, files.resolve("app.json"));

        RecoveryReport report = FileTransaction.recover(journals);

        assertThat(report.unfinished()).isEmpty();
        assertThat(report.transactions()).singleElement()
                .satisfies(t -> assertThat(t.outcome()).isEqualTo(RecoveryReport.Outcome.ROLLED_BACK));
        assertThat(staged).doesNotExist();
        assertThat(journal).doesNotExist();
    }

    private Path plant(String id, Path staged, Path target) throws IOException {
        return plant(2, id, staged, target);
    }

    /** A journal whose intent stages {@code staged} for {@code target}, and no commit. */
    private Path plant(int version, String id, Path staged, Path target) throws IOException {
        String text = line("{\"type\":\"header\",\"magic\":\"atomicfiles-journal\",\"version\":" + version
                + ",\"id\":\"" + id + "\"" + (version == 1 ? "" : ",\"tag\":\"" + TAG + "\"")
                + ",\"created\":\"2026-01-01T00:00:00Z\",\"pid\":1,\"operations\":1}")
                + line("{\"type\":\"stage\",\"op\":0,\"path\":\"" + staged + "\",\"target\":\"" + target + "\"}")
                + line("{\"type\":\"planned\",\"steps\":1}");
        Path journal = journals.resolve(id + ".journal");
        Files.writeString(journal, text);
        Files.setPosixFilePermissions(journal, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return journal;
    }

    private static String line(String json) {
        return Hashing.sha256Hex(json.getBytes(StandardCharsets.UTF_8)).substring(0, 16) + " " + json + "\n";
    }
}
