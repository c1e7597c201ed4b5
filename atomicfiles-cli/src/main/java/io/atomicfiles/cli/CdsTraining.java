package io.atomicfiles.cli;

import io.atomicfiles.internal.OpenTempFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The representative run the build records the loaded classes of, to make the class-data-sharing
 * archive {@code target/atomicfiles.jsa} that {@code bin/atomicfiles} starts the JVM with: the
 * classes of {@code --version}, of help, of a small write (bytes, and YAML to JSON), of
 * {@code verify}, {@code update}, {@code merge}, a transaction, {@code --json} and of a failure
 * are then loaded from the archive, already parsed and verified, instead of from the jar.
 *
 * <p>Run by the build ({@code java -XX:DumpLoadedClassList=... -cp atomicfiles.jar
 * io.atomicfiles.cli.CdsTraining}); every command runs in this one JVM, in a temp folder that is
 * removed at the end, with its output thrown away. The state folder is the one the build sets
 * ({@code -Datomicfiles.stateDir}).
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        // What Main.main does first (for a command that may write). The hook runs when this JVM ends, with no temp file to discard.
        Runtime.getRuntime().addShutdownHook(OpenTempFiles.shutdownHook());
        Prefetch.startFor("write");
        Path dir = Files.createTempDirectory("atomicfiles-cds-training-");
        try {
            train(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static void train(Path dir) throws IOException {
        Path bytes = Files.write(dir.resolve("in.bin"), new byte[1024]);
        Path yaml = Files.writeString(dir.resolve("in.yaml"), "name: api\nport: 8080\ntags: [a, b]\n");
        Path plan = Files.writeString(dir.resolve("plan.yaml"), "operations:\n"
                + "  - write: tx/app.json\n    content: {port: 8080}\n"
                + "  - write: tx/motd.txt\n    text: hello\n");
        String out = dir.resolve("out.bin").toString();
        String json = dir.resolve("app.json").toString();
        run("--version");
        run("--help");
        run("write", "--help");
        run("write", out, "--from", bytes.toString());
        // The write a script most often runs, with each durability: the same classes and lambdas.
        run("write", out, "--from", bytes.toString(), "--no-backup");
        run("write", out, "--from", bytes.toString(), "--no-backup", "--durability", "none");
        run("write", out, "--from", bytes.toString(), "--no-backup", "--durability", "file");
        run("write", out, "--from", bytes.toString(), "--json");
        run("write", json, "--from", yaml.toString());
        run("verify", out, json);
        run("update", json, "--set", "port=9090", "--json");
        run("merge", json, yaml.toString(), "-o", dir.resolve("merged.yaml").toString());
        run("tx", "apply", plan.toString(), "--root", dir.toString());
        run("write", out, "--from", dir.resolve("missing").toString());
        run("write", json, "--from", bytes.toString(), "--input-format", "yaml");
        run("write", "--no-such-option");
    }

    /**
     * Runs {@code args} as {@link Main#main} does (the command line made for these arguments, so
     * that its lambdas are the ones recorded), with the input {@code {}} and no output.
     */
    private static void run(String... args) {
        CommandLine commandLine = Main.commandLine(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), args);
        commandLine.setOut(new PrintWriter(Writer.nullWriter()));
        commandLine.setErr(new PrintWriter(Writer.nullWriter()));
        commandLine.execute(args);
    }
}
