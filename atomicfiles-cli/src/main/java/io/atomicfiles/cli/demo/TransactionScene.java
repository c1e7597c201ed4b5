package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Writes, a copy, a move and a delete committed together as one transaction. */
final class TransactionScene implements Scene {
    private static final String MOTD_BEFORE = "Welcome!\n";
    private static final String MOTD_AFTER = "Welcome back: version 2 is live.\n";

    @Override
    public String title() {
        return "A transaction: six changes to five files, committed together";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path journal = Files.createDirectories(stage.file("journal"));
        Path config = stage.file("app/config.json");
        Path motd = stage.file("app/motd.txt");
        Path legacy = stage.file("app/legacy.ini");
        Path template = stage.file("templates/index.html");
        Path draft = stage.file("drafts/launch.md");
        AtomicFiles.writeJson(config, Stage.map("port", 8080, "workers", 2));
        AtomicFiles.writeText(motd, MOTD_BEFORE);
        AtomicFiles.writeText(legacy, "[server]\nport = 8080\n");
        AtomicFiles.writeText(template, "<h1>{{title}}</h1>\n");
        AtomicFiles.writeText(draft, "# We launch today\n");
        byte[] configBefore = Files.readAllBytes(config);
        byte[] legacyBefore = Files.readAllBytes(legacy);
        String draftSha = AtomicFiles.checksum(draft);
        stage.say("Before:");
        stage.showListing();

        stage.call("try (FileTransaction tx = new FileTransaction(options.journalDir(journal))) {");
        stage.call("    tx.addWrite(app/config.json, {port: 9090, workers: 4}, JSON);");
        stage.call("    tx.addWrite(app/db.yaml, {url: jdbc:postgresql://db/app, pool: 8}, YAML);");
        stage.call("    tx.addWrite(app/motd.txt, \"Welcome back: version 2 is live.\\n\", TEXT);");
        stage.call("    tx.addCopy(templates/index.html, site/index.html);");
        stage.call("    tx.addMove(drafts/launch.md, posts/launch.md);");
        stage.call("    tx.addDelete(app/legacy.ini);");
        stage.call("    tx.commit();    // all six, or none");
        stage.call("}");
        String id;
        try (FileTransaction tx = new FileTransaction(TransactionOptions.builder().journalDir(journal).build())) {
            tx.addWrite(config, Stage.map("port", 9090, "workers", 4), ContentType.JSON);
            tx.addWrite(stage.file("app/db.yaml"), Stage.map("url", "jdbc:postgresql://db/app", "pool", 8),
                    ContentType.YAML);
            tx.addWrite(motd, MOTD_AFTER, ContentType.TEXT);
            tx.addCopy(template, stage.file("site/index.html"));
            tx.addMove(draft, stage.file("posts/launch.md"));
            tx.addDelete(legacy);
            tx.commit();
            id = tx.id();
        }
        stage.say("Transaction " + id + " committed. After:");
        stage.showListing();
        stage.showFile(config);
        stage.showFile(stage.file("app/config.json.backup"));

        Map<String, Object> newConfig = Codecs.readMap(config, DataFormat.JSON);
        stage.check("app/config.json has its new content (port 9090)",
                Integer.valueOf(9090).equals(newConfig.get("port")));
        stage.check("app/db.yaml was created, as YAML",
                Files.readString(stage.file("app/db.yaml")).equals("url: jdbc:postgresql://db/app\npool: 8\n"));
        stage.check("app/motd.txt has its new text", Files.readString(motd).equals(MOTD_AFTER));
        stage.check("site/index.html is a copy of templates/index.html, which is still there",
                Files.exists(template) && AtomicFiles.checksum(stage.file("site/index.html"))
                        .equals(AtomicFiles.checksum(template)));
        stage.check("drafts/launch.md moved to posts/launch.md, same SHA-256",
                !Files.exists(draft) && AtomicFiles.checksum(stage.file("posts/launch.md")).equals(draftSha));
        stage.check("app/config.json.backup holds the old config, byte for byte",
                Arrays.equals(Files.readAllBytes(stage.file("app/config.json.backup")), configBefore));
        stage.check("app/motd.txt.backup holds the old text",
                Files.readString(stage.file("app/motd.txt.backup")).equals(MOTD_BEFORE));
        stage.check("app/legacy.ini is gone, kept as app/legacy.ini.deleted_backup",
                !Files.exists(legacy) && Arrays.equals(
                        Files.readAllBytes(stage.file("app/legacy.ini.deleted_backup")), legacyBefore));
        stage.checkNoTransactionFiles();
        stage.check("no journal is left: the transaction is finished", Stage.journals(journal).isEmpty());
    }
}
