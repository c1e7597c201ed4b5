package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.Durability;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.cli.Main;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Read-modify-write under the file's lock: two updaters increment one counter at the same time
 * and no increment is lost; then the same from the shell with {@code atomicfiles update}.
 */
final class JsonUpdateScene implements Scene {
    private static final int UPDATES_EACH = 100;

    @Override
    public String title() {
        return "JSON update: concurrent read-modify-write loses nothing";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path counter = stage.file("counter.json");
        AtomicFiles.writeJson(counter, Stage.map("count", 0, "by", new LinkedHashMap<>()));
        WriteOptions quick = WriteOptions.builder().backup(false).durability(Durability.NONE).build();
        AtomicFileOperations operations = new AtomicFileOperations(AuditTrail.inMemory(), quick);
        stage.say("Two updaters, A and B, each add 1 to count " + UPDATES_EACH + " times, at the same time:");
        stage.call("operations.atomicJsonUpdate(counter.json, data -> { count + 1; by[me] + 1 })");
        ExecutorService updaters = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (String name : List.of("A", "B")) {
                running.add(updaters.submit(() -> {
                    for (int i = 0; i < UPDATES_EACH; i++) {
                        operations.atomicJsonUpdate(counter, data -> increment(data, name));
                    }
                    return null;
                }));
            }
            for (Future<?> updater : running) {
                updater.get(5, TimeUnit.MINUTES);
            }
        } finally {
            updaters.shutdownNow();
        }
        stage.say("The lock is held from the read to the write: an updater never writes count + 1 over a count");
        stage.say("the other one has already raised, which is how updates get lost.");
        stage.showFile(counter);
        JsonNode result = Codecs.read(counter, DataFormat.JSON);
        stage.check("count is " + (2 * UPDATES_EACH) + ": no update was lost", result.path("count").asInt() == 2 * UPDATES_EACH);
        stage.check("A and B each counted " + UPDATES_EACH,
                result.at("/by/A").asInt() == UPDATES_EACH && result.at("/by/B").asInt() == UPDATES_EACH);

        Path settings = stage.file("settings.json");
        AtomicFiles.writeJson(settings, Stage.map("server", Stage.map("host", "localhost", "port", 8080),
                "debug", true, "tags", List.of("api")));
        stage.say("From the shell: keys by path, values read as YAML (a number, a list), in the order given.");
        Shell.Result update = Shell.run(stage, "update", settings.toString(), "--set", "server.port=8443",
                "--set", "tags=[api, v2]", "--delete", "debug");
        stage.showFile(settings);
        JsonNode updated = Codecs.read(settings, DataFormat.JSON);
        stage.check("port is the number 8443, tags a list of two, debug gone",
                update.exitCode() == 0 && updated.at("/server/port").isInt() && updated.at("/server/port").asInt() == 8443
                        && updated.path("tags").size() == 2 && !updated.has("debug"));

        String before = AtomicFiles.checksum(settings);
        Shell.Result refused = Shell.run(stage, "update", settings.toString(), "--set", "server.host=example.org",
                "--set", "server.port.tls=true");
        stage.check("an edit through a number is refused (exit 4, invalid input), and the edit before it is not"
                + " written either", refused.exitCode() == Main.INVALID && AtomicFiles.checksum(settings).equals(before));
        stage.checkNoTempFiles();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> increment(Map<String, Object> data, String name) {
        data.put("count", ((Number) data.get("count")).intValue() + 1);
        Map<String, Object> by = (Map<String, Object>) data.get("by");
        by.put(name, ((Number) by.getOrDefault(name, 0)).intValue() + 1);
        return data;
    }
}
