package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The previous content kept as NAME.backup, replaced by each later write. */
final class BackupScene implements Scene {

    @Override
    public String title() {
        return "The previous content is kept as NAME.backup";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path settings = stage.file("settings.json");
        Path backup = stage.file("settings.json.backup");
        stage.call("AtomicFiles.writeJson(settings.json, {theme: light, fontSize: 12})");
        AtomicFiles.writeJson(settings, Stage.map("theme", "light", "fontSize", 12));
        byte[] first = Files.readAllBytes(settings);
        stage.call("AtomicFiles.writeJson(settings.json, {theme: dark, fontSize: 14})");
        WriteResult second = AtomicFiles.writeJson(settings, Stage.map("theme", "dark", "fontSize", 14));
        byte[] secondBytes = Files.readAllBytes(settings);
        stage.say("The old file is hard-linked as the backup before the rename, so settings.json is never absent.");
        stage.showFile(settings);
        stage.showFile(backup);
        stage.showListing();
        stage.check("settings.json.backup holds the first version, byte for byte",
                Arrays.equals(Files.readAllBytes(backup), first));
        stage.check("the write reported its backup",
                second.backup().isPresent() && Files.isSameFile(second.backup().get(), backup));

        stage.call("AtomicFiles.writeJson(settings.json, {theme: dark, fontSize: 16})");
        AtomicFiles.writeJson(settings, Stage.map("theme", "dark", "fontSize", 16));
        stage.showFile(backup);
        stage.check("a later write replaces the backup: it now holds the second version",
                Arrays.equals(Files.readAllBytes(backup), secondBytes));
        stage.checkNoTempFiles();
    }
}
