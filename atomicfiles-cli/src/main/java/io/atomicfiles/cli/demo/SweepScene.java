package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

/** A sweep removes the temp files killed writers left behind, and spares young ones. */
final class SweepScene implements Scene {

    @Override
    public String title() {
        return "Sweeping stale temp files a crash left behind";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path report = stage.file("report.csv");
        AtomicFiles.writeText(report, "id,total\n1,100\n");
        String reportSha = AtomicFiles.checksum(report);
        Path stale = stage.file(".report.csv.tmp-k3j9x0a2b7qz");
        Path young = stage.file(".report.csv.tmp-p0q1r2s3t4u5");
        Files.writeString(stale, "id,total\n1,1");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(3))));
        Files.writeString(young, "id,tot");
        stage.say("A writer killed with kill -9 three hours ago left " + stale.getFileName() + ";");
        stage.say("another writer is at work right now on " + young.getFileName() + ".");
        stage.showListing();
        stage.call("AtomicFiles.sweepStaleTempFiles(folder, Duration.ofHours(1))");
        int removed = AtomicFiles.sweepStaleTempFiles(stage.folder(), Duration.ofHours(1));
        stage.say("removed " + removed + " file" + (removed == 1 ? "" : "s"));
        stage.showListing();
        stage.check("the stale temp file is gone", removed == 1 && !Files.exists(stale));
        stage.check("the young one is kept: it may belong to a write in progress", Files.exists(young));
        stage.check("report.csv is untouched", AtomicFiles.checksum(report).equals(reportSha));
    }
}
