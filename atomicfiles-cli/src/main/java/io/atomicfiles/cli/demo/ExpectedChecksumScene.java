package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.nio.file.Path;
import java.util.Map;

/** Optimistic concurrency: a write that names the SHA-256 it read fails if someone wrote in between. */
final class ExpectedChecksumScene implements Scene {

    @Override
    public String title() {
        return "expectedChecksum: no lost update when someone else wrote first";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path stock = stage.file("stock.json");
        AtomicFiles.writeJson(stock, Map.of("apples", 10));
        String seen = AtomicFiles.checksum(stock);
        stage.say("We read stock.json (apples: 10, sha256 " + Stage.shortSha(seen) + ") and mean to sell one.");
        stage.say("Meanwhile another program delivers 10 apples:");
        stage.call("AtomicFiles.writeJson(stock.json, {apples: 20})");
        AtomicFiles.writeJson(stock, Map.of("apples", 20));
        stage.call("AtomicFiles.writeJson(stock.json, {apples: 9}, options.expectedChecksum(\"" + Stage.shortSha(seen)
                + "\"))");
        stage.expectFailure("our stale write is refused with an IntegrityException", IntegrityException.class,
                () -> AtomicFiles.writeJson(stock, Map.of("apples", 9),
                        WriteOptions.builder().expectedChecksum(seen).build()));
        stage.check("the delivery is not lost: stock.json says 20", apples(stock) == 20);

        String now = AtomicFiles.checksum(stock);
        stage.say("We read again (sha256 " + Stage.shortSha(now) + ") and sell one from 20:");
        stage.call("AtomicFiles.writeJson(stock.json, {apples: 19}, options.expectedChecksum(\"" + Stage.shortSha(now)
                + "\"))");
        AtomicFiles.writeJson(stock, Map.of("apples", 19), WriteOptions.builder().expectedChecksum(now).build());
        stage.showFile(stock);
        stage.check("with the current SHA-256 the write goes through: stock.json says 19", apples(stock) == 19);
        stage.checkNoTempFiles();
    }

    private static int apples(Path stock) throws java.io.IOException {
        return Codecs.read(stock, DataFormat.JSON).get("apples").asInt();
    }
}
