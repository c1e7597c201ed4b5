package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** {@code atomicfiles rotate --gzip}: app.log to app.log.1.gz, ..., at most keep - 1 rotated files. */
final class RotationScene implements Scene {
    private static final int DAYS = 4;

    @Override
    public String title() {
        return "Log rotation with gzip";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path log = stage.file("app.log");
        stage.say("Each day the application writes app.log, and at midnight it is rotated, keeping 3 versions:");
        Shell.Result last = null;
        for (int day = 1; day <= DAYS; day++) {
            AtomicFiles.writeText(log, "day " + day + ": started\nday " + day + ": served 120 requests\n");
            last = Shell.run(stage, "rotate", log.toString(), "--keep", "3", "--gzip");
        }
        stage.showListing();
        stage.check("every rotation succeeded", last != null && last.exitCode() == 0);
        stage.check("--keep 3: two rotated files remain, both gzip",
                names(stage).equals(List.of("app.log.1.gz", "app.log.2.gz")));
        stage.check("app.log.1.gz holds day " + DAYS + ", app.log.2.gz day " + (DAYS - 1)
                        + "; days 1 and 2 are gone",
                gunzip(stage.file("app.log.1.gz")).startsWith("day " + DAYS + ":")
                        && gunzip(stage.file("app.log.2.gz")).startsWith("day " + (DAYS - 1) + ":"));
        stage.say("Each .gz was written under a temp name, forced to disk and then renamed: a crash never");
        stage.say("leaves a half-written .gz, and the next rotation finishes an interrupted one.");
        stage.check("no temp file of a compression is left", names(stage).stream().noneMatch(n -> n.startsWith(".")));
    }

    private static List<String> names(Stage stage) throws IOException {
        try (Stream<Path> files = Files.list(stage.folder())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(AtomicFiles.LOCK_FILE_NAME)) // the folder's lock file stays
                    .sorted().collect(Collectors.toList());
        }
    }

    private static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
