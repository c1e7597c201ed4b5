package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Two transactions that fail at their third operation: one refused before it begins (a schema
 * violation), one failing during its commit (a file stands where a folder must be made). Neither
 * changes anything.
 */
final class FailedTransactionScene implements Scene {
    private static final Map<String, Object> SCHEMA = Map.of(
            "type", "object",
            "required", List.of("port"),
            "properties", Map.of("port", Map.of("type", "integer", "minimum", 1, "maximum", 65535)));

    @Override
    public String title() {
        return "A transaction that fails at its third operation changes nothing";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path journal = Files.createDirectories(stage.file("journal"));
        Path config = stage.file("app/config.json");
        Path motd = stage.file("app/motd.txt");
        AtomicFiles.writeJson(config, Stage.map("port", 8080));
        AtomicFiles.writeText(motd, "Welcome!\n");
        AtomicFiles.writeText(stage.file("reports"), "this is a file, not a folder\n");
        stage.showListing();
        Map<String, String> before = stage.snapshot();
        TransactionOptions options = TransactionOptions.builder().journalDir(journal).build();

        stage.say("1. The third operation's content violates its schema (port must be 1..65535):");
        stage.call("tx.addWrite(app/motd.txt, ...); tx.addWrite(app/db.yaml, ...);");
        stage.call("tx.addWrite(app/config.json, {port: 70000}, JSON, schema)");
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(motd, "Closed for maintenance.\n", ContentType.TEXT);
            tx.addWrite(stage.file("app/db.yaml"), Stage.map("pool", 8), ContentType.YAML);
            stage.expectFailure("the operation is refused with a ValidationException"
                    + " as it is added, before anything is written", ValidationException.class,
                    () -> tx.addWrite(config, Stage.map("port", 70000), ContentType.JSON, SCHEMA));
            stage.say("The caller gives up: close() without commit() abandons the transaction.");
        }
        stage.check("every file is as it was, and nothing was added", stage.snapshot().equals(before));

        stage.say("2. The third operation needs the folder reports/2024, but a file named reports is in the way:");
        stage.call("tx.addWrite(app/motd.txt, ...); tx.addCopy(app/config.json, archive/config.json);");
        stage.call("tx.addWrite(reports/2024/q1.csv, ...); tx.commit()");
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(motd, "Closed for maintenance.\n", ContentType.TEXT);
            tx.addCopy(config, stage.file("archive/config.json"));
            tx.addWrite(stage.file("reports/2024/q1.csv"), "quarter,total\nQ1,100\n", ContentType.TEXT);
            stage.expectFailure("the commit fails with an AtomicWriteException naming the problem",
                    AtomicWriteException.class, tx::commit);
        }
        stage.showListing();
        stage.check("every file is as it was, and nothing was added", stage.snapshot().equals(before));
        stage.checkNoTransactionFiles();
        stage.check("no journal is left", Stage.journals(journal).isEmpty());
    }
}
