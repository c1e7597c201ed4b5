package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** {@code atomicfiles backups clean}: backups older than an age go, younger ones and the files themselves stay. */
final class BackupCleanupScene implements Scene {

    @Override
    public String title() {
        return "Cleaning up backups by age";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Map<String, Duration> ages = Map.of("app.json", Duration.ofDays(3), "db.yaml", Duration.ofHours(26),
                "cache.json", Duration.ofHours(2));
        for (String name : new String[] {"app.json", "db.yaml", "cache.json"}) {
            AtomicFiles.writeConfig(stage.file(name), Stage.map("version", 1));
            AtomicFiles.writeConfig(stage.file(name), Stage.map("version", 2));
            Files.setLastModifiedTime(stage.file(name + ".backup"),
                    FileTime.from(Instant.now().minus(ages.get(name))));
        }
        stage.say("Each file was written twice, so each has a backup; their ages are set to 3 days, 26 hours, 2 hours.");
        String appSha = AtomicFiles.checksum(stage.file("app.json"));

        Shell.Result dryRun = Shell.run(stage, "backups", "clean", stage.folder().toString(), "--older-than", "24h",
                "--dry-run");
        stage.check("--dry-run lists the two backups older than 24h and removes nothing",
                dryRun.exitCode() == 0 && dryRun.out().contains("app.json.backup")
                        && dryRun.out().contains("db.yaml.backup") && !dryRun.out().contains("cache.json.backup")
                        && Files.exists(stage.file("app.json.backup")) && Files.exists(stage.file("db.yaml.backup")));

        Shell.Result clean = Shell.run(stage, "backups", "clean", stage.folder().toString(), "--older-than", "24h");
        stage.showListing();
        stage.check("the backups 3 days and 26 hours old are gone",
                clean.exitCode() == 0 && !Files.exists(stage.file("app.json.backup"))
                        && !Files.exists(stage.file("db.yaml.backup")));
        stage.check("the 2-hour-old backup stays", Files.exists(stage.file("cache.json.backup")));
        stage.check("the files themselves are untouched", AtomicFiles.checksum(stage.file("app.json")).equals(appSha)
                && Files.exists(stage.file("db.yaml")) && Files.exists(stage.file("cache.json")));
    }
}
