package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteResult;
import java.nio.file.Files;
import java.nio.file.Path;

/** Copy through the write protocol; move as one atomic rename. */
final class CopyMoveScene implements Scene {

    @Override
    public String title() {
        return "Atomic copy and move";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path orders = stage.file("orders.csv");
        AtomicFiles.writeText(orders, "order,amount\nA-17,40.00\nA-18,12.50\n");
        String original = AtomicFiles.checksum(orders);

        stage.say("A copy is a write: the copy shows nothing until it is complete, durable and verified.");
        stage.call("AtomicFiles.copy(orders.csv, mirror/orders.csv)");
        WriteResult copy = AtomicFiles.copy(orders, stage.file("mirror/orders.csv"));
        stage.check("the copy has the same SHA-256 as the original",
                copy.sha256().equals(original) && AtomicFiles.checksum(stage.file("mirror/orders.csv")).equals(original));
        stage.check("the original is still there", Files.exists(orders));

        stage.say("A move within one filesystem is one atomic rename; across filesystems, a verified copy");
        stage.say("and only then the deletion of the source, so the file is never in neither place.");
        stage.call("AtomicFiles.move(orders.csv, archive/2024/orders.csv)");
        Path moved = AtomicFiles.move(orders, stage.file("archive/2024/orders.csv"));
        stage.showListing();
        stage.check("orders.csv is gone from its old place", !Files.exists(orders));
        stage.check("archive/2024/orders.csv has the original's SHA-256 (missing folders were created)",
                AtomicFiles.checksum(moved).equals(original));
        stage.checkNoTempFiles();
    }
}
