package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteResult;
import java.nio.file.Files;
import java.nio.file.Path;

/** The basic write: a text file, published in one atomic step, with its SHA-256. */
final class TextWriteScene implements Scene {
    private static final String TEXT = "Meeting moved to 10:00.\nBring the slides.\n";

    @Override
    public String title() {
        return "Atomic write of a text file";
    }

    @Override
    public void play(Stage stage) throws Exception {
        stage.say("The text goes to a private temp file beside the target, is forced to disk, read back and");
        stage.say("compared by SHA-256, then renamed over the target in one step: readers see all of it or none.");
        Path notes = stage.file("notes.txt");
        stage.call("AtomicFiles.writeText(notes.txt, \"Meeting moved to 10:00.\\nBring the slides.\\n\")");
        WriteResult result = AtomicFiles.writeText(notes, TEXT);
        stage.say("wrote " + result.size() + " bytes in " + result.duration().toMillis() + " ms, sha256 "
                + Stage.shortSha(result.sha256()));
        stage.showFile(notes);
        stage.showListing();
        stage.check("notes.txt holds exactly the text written", Files.readString(notes).equals(TEXT));
        stage.check("the SHA-256 reported is the SHA-256 of the file on disk",
                result.sha256().equals(AtomicFiles.checksum(notes)));
        stage.checkNoTempFiles();
    }
}
