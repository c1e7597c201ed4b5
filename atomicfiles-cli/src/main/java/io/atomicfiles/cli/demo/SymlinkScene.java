package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writing through a symbolic link: the link's target gets the content, the link stays a link. */
final class SymlinkScene implements Scene {

    @Override
    public String title() {
        return "Writing through a symbolic link";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path release = stage.file("releases/v1.conf");
        AtomicFiles.writeText(release, "workers = 2\n");
        Path current = stage.file("current.conf");
        try {
            Files.createSymbolicLink(current, current.getParent().relativize(release));
        } catch (UnsupportedOperationException | IOException e) {
            stage.say("skipped: this system does not let us create a symbolic link here (" + e.getMessage() + ")");
            return;
        }
        stage.call("AtomicFiles.writeText(current.conf, \"workers = 8\\n\")   // current.conf -> releases/v1.conf");
        AtomicFiles.writeText(current, "workers = 8\n");
        stage.showListing();
        stage.check("the link's target releases/v1.conf got the new content",
                Files.readString(release).equals("workers = 8\n"));
        stage.check("current.conf is still a symbolic link to it", Files.isSymbolicLink(current)
                && Files.isSameFile(current, release));
        stage.checkNoTempFiles();
    }
}
