package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.cli.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A global audit trail records every library operation, across a rotation of the trail itself;
 * {@code atomicfiles audit} shows, sums up and verifies it, and names a line edited by hand.
 */
final class AuditTrailScene implements Scene {

    @Override
    public String title() {
        return "Audit trail: every operation recorded, tampering detected";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path audit = stage.file("operations.audit");
        Path config = stage.file("config.json");
        Optional<AuditTrail> before = AuditTrail.global();
        stage.call("AuditTrail.setGlobal(operations.audit)");
        AuditTrail.setGlobal(audit);
        try {
            record(stage, config);
        } finally {
            // The demo leaves the process as it found it: later scenes are not recorded here.
            if (before.isPresent()) {
                AuditTrail.setGlobal(before.get());
            } else {
                AuditTrail.clearGlobal();
            }
        }

        Shell.run(stage, "audit", "show", audit.toString());
        Shell.Result summary = Shell.run(stage, "audit", "summary", audit.toString());
        stage.check("the summary counts 5 operations, 1 failed",
                summary.out().contains("| Total operations | 5 ") && summary.out().contains("| Failed           | 1 "));
        Shell.Result intact = Shell.run(stage, "audit", "verify", audit.toString());
        stage.check("verify follows the chain through the rotated file: intact (exit 0)",
                intact.exitCode() == 0 && intact.out().contains("in 2 files (operations.audit.1, operations.audit)"));

        Path rotated = stage.file("operations.audit.1");
        List<String> lines = new ArrayList<>(Files.readAllLines(rotated, StandardCharsets.UTF_8));
        int edited = 3;
        String original = lines.get(edited - 1);
        lines.set(edited - 1, original.replaceFirst("\"bytes\":([0-9]+)", "\"bytes\":1$1"));
        Files.write(rotated, lines, StandardCharsets.UTF_8);
        stage.say("Someone edits line " + edited + " of operations.audit.1 by hand, to change the size recorded:");
        String shown = Shell.relative(stage, original);
        stage.say("  " + (shown.length() > 100 ? shown.substring(0, 100) + "..." : shown));
        Shell.Result broken = Shell.run(stage, "audit", "verify", audit.toString());
        stage.check("verify fails (exit 5, an integrity failure) and names the file and the line",
                broken.exitCode() == Main.INTEGRITY && broken.err().contains("operations.audit.1 line " + edited + ": edited"));
    }

    /** Five operations: two writes, a rotation of the trail itself, an update, and a write refused by its schema. */
    private static void record(Stage stage, Path config) throws Exception {
        stage.call("AtomicFiles.writeJson(config.json, {port: 8080})");
        AtomicFiles.writeJson(config, Stage.map("port", 8080));
        stage.call("AtomicFiles.writeText(notes.txt, ...)");
        AtomicFiles.writeText(stage.file("notes.txt"), "deployed 1.4.2\n");
        stage.call("AtomicFiles.rotate(operations.audit, 3)   the trail goes on in a new file");
        AtomicFiles.rotate(stage.file("operations.audit"), 3);
        stage.call("new AtomicFileOperations().atomicJsonUpdate(config.json, port = 8443)");
        new AtomicFileOperations().atomicJsonUpdate(config, data -> {
            data.put("port", 8443);
            return data;
        });
        WriteOptions schema = WriteOptions.builder().schema(Map.of("type", "object",
                "properties", Map.of("port", Map.of("type", "integer")))).build();
        stage.call("AtomicFiles.writeJson(config.json, {port: \"high\"}, schema: port is an integer)");
        stage.expectFailure("the write is refused", ValidationException.class,
                () -> AtomicFiles.writeJson(config, Stage.map("port", "high"), schema));
    }
}
