package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/** createNew: a file is claimed by exactly one writer; the check and the creation are one step. */
final class CreateNewScene implements Scene {

    @Override
    public String title() {
        return "createNew refuses to overwrite an existing file";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path leader = stage.file("leader.txt");
        WriteOptions createNew = WriteOptions.builder().createNew(true).build();
        stage.say("The new file is published with a hard link, which fails when the name is taken: there is no");
        stage.say("moment between checking and creating in which another writer could slip in.");
        stage.call("AtomicFiles.writeText(leader.txt, \"node-a\\n\", options.createNew(true))");
        AtomicFiles.writeText(leader, "node-a\n", createNew);
        stage.check("node-a created leader.txt", Files.readString(leader).equals("node-a\n"));
        stage.call("AtomicFiles.writeText(leader.txt, \"node-b\\n\", options.createNew(true))");
        stage.expectFailure("node-b is refused with FileAlreadyExistsException", FileAlreadyExistsException.class,
                () -> AtomicFiles.writeText(leader, "node-b\n", createNew));
        stage.showFile(leader);
        stage.check("leader.txt still names node-a", Files.readString(leader).equals("node-a\n"));
        stage.checkNoTempFiles();
    }
}
