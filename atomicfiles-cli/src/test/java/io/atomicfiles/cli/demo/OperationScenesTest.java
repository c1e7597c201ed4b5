package io.atomicfiles.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditTrail;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The scenes of update, merge, rotate, backups and audit: they pass, and leave the global audit trail as it was. */
class OperationScenesTest {

    @TempDir
    Path dir;

    private static String play(Scene... scenes) {
        StringWriter out = new StringWriter();
        CommandLine demo = new CommandLine(new DemoCommand(List.of(scenes)));
        demo.setOut(new PrintWriter(out, true));
        demo.setErr(new PrintWriter(out, true));
        int exitCode = demo.execute();
        assertThat(exitCode).as(out.toString()).isZero();
        return out.toString();
    }

    @Test
    void theScenesPassAndShowTheCommandsTheyRun() {
        String out = play(new JsonUpdateScene(), new ConfigMergeScene(), new RotationScene(), new BackupCleanupScene(),
                new AuditTrailScene());
        assertThat(out).doesNotContain("[FAILED]").contains("All 5 scenes passed.")
                .contains("$ atomicfiles update settings.json --set server.port=8443 --set 'tags=[api, v2]' --delete debug")
                .contains("$ atomicfiles merge base.json production.yaml local.yaml -o app.json")
                .contains("$ atomicfiles rotate app.log --keep 3 --gzip")
                .contains("$ atomicfiles backups clean . --older-than 24h --dry-run")
                .contains("$ atomicfiles audit verify operations.audit")
                .contains("atomicfiles audit verify: operations.audit.1 line 3: edited");
        assertThat(AuditTrail.global()).isEmpty();
    }

    @Test
    void theAuditSceneRestoresAGlobalTrailSetBeforeIt() throws Exception {
        AuditTrail mine = AuditTrail.setGlobal(dir.resolve("mine.audit"));
        try {
            play(new AuditTrailScene());
            assertThat(AuditTrail.global()).containsSame(mine);
            AtomicFiles.writeText(dir.resolve("after.txt"), "x");
            assertThat(mine.entries()).extracting(e -> e.path().getFileName().toString()).containsExactly("after.txt");
        } finally {
            AuditTrail.clearGlobal();
        }
        assertThat(Files.readString(dir.resolve("after.txt"))).isEqualTo("x");
    }
}
