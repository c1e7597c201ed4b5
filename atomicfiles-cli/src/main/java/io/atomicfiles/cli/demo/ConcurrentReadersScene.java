package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.Durability;
import io.atomicfiles.RetryPolicy;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.JsonNode;

/**
 * A reader thread reads a file as fast as it can while it is rewritten hundreds of times:
 * every read is one complete version, never a mix of two or a cut-off file.
 */
final class ConcurrentReadersScene implements Scene {
    private static final int VERSIONS = 300;
    private static final int ITEMS = 200;

    @Override
    public String title() {
        return "Readers never see half a file";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path state = stage.file("state.json");
        WriteOptions quick = WriteOptions.builder().backup(false).durability(Durability.NONE)
                .retryPolicy(RetryPolicy.transientFailures(5)).build();
        AtomicFiles.writeJson(state, version(0), quick);
        stage.say("Each version of state.json holds " + ITEMS + " items all stamped with its version number (about "
                + Files.size(state) / 1024 + " KiB),");
        stage.say("so a torn file shows as a parse error or as items of two versions mixed.");
        stage.call("AtomicFiles.writeJson(state.json, version(n))   for n = 1.." + (VERSIONS - 1)
                + ", while another thread reads it");

        AtomicBoolean writing = new AtomicBoolean(true);
        int[] reads = new int[1];
        List<String> problems = new ArrayList<>();
        Thread reader = new Thread(() -> {
            boolean last = false;
            while (!last) {
                last = !writing.get();
                String problem = readOnce(state);
                reads[0]++;
                if (problem != null && problems.size() < 5) {
                    problems.add(problem);
                }
            }
        }, "demo-reader");
        reader.start();
        try {
            for (int n = 1; n < VERSIONS; n++) {
                AtomicFiles.writeJson(state, version(n), quick);
            }
        } finally {
            writing.set(false);
            reader.join();
        }
        stage.say("the reader read the file " + reads[0] + " times while " + (VERSIONS - 1) + " new versions were published");
        problems.forEach(problem -> stage.say("  torn read: " + problem));
        stage.check("every read was one complete version", problems.isEmpty() && reads[0] > 0);
        stage.check("the last version is in place", readOnce(state) == null
                && Codecs.read(state, DataFormat.JSON).get("version").asInt() == VERSIONS - 1);
        stage.checkNoTempFiles();
    }

    private static Map<String, Object> version(int n) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            items.add("item " + i + " of version " + n);
        }
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("version", n);
        content.put("items", items);
        return content;
    }

    /** Null when the file is one whole version, else what is wrong with it. */
    private static String readOnce(Path state) {
        JsonNode content;
        try {
            content = Codecs.read(Files.readAllBytes(state), DataFormat.JSON, state);
        } catch (IOException e) {
            return e.getMessage();
        }
        int version = content.path("version").asInt(-1);
        JsonNode items = content.path("items");
        if (items.size() != ITEMS) {
            return "version " + version + " has " + items.size() + " items";
        }
        for (JsonNode item : items) {
            if (!item.asString().endsWith(" of version " + version)) {
                return "version " + version + " contains '" + item.asString() + "'";
            }
        }
        return null;
    }
}
