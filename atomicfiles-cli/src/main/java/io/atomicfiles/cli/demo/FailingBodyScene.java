package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A scoped write whose body throws halfway: the new content is discarded, the target untouched. */
final class FailingBodyScene implements Scene {
    private static final String ORIGINAL = "id,total\n1,100\n2,250\n";

    @Override
    public String title() {
        return "A write that fails halfway leaves the file untouched";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path report = stage.file("report.csv");
        AtomicFiles.writeText(report, ORIGINAL);
        stage.showFile(report);
        stage.call("AtomicFiles.write(report.csv, options, writer -> { writer.writeText(\"id,total\\n1,\"); "
                + "throw new IOException(...); })");
        stage.expectFailure("the body's exception reaches the caller", IOException.class,
                () -> AtomicFiles.write(report, WriteOptions.defaults(), writer -> {
                    writer.writeText("id,total\n");
                    writer.writeText("1,");
                    throw new IOException("database connection lost (simulated, halfway through the report)");
                }));
        stage.showFile(report);
        stage.check("report.csv still holds the old report, whole", Files.readString(report).equals(ORIGINAL));
        stage.showListing();
        stage.checkNoTempFiles();
    }
}
