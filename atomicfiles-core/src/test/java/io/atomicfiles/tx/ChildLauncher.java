package io.atomicfiles.tx;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.internal.StateDir;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Starts the child JVMs of the transaction tests: this JVM's {@code java}, the test classpath,
 * C1 only, a 128 MiB heap, and the state folder ({@code atomicfiles.stateDir}) passed through,
 * so children never touch the user's home and share this JVM's lock files.
 *
 * <p>Starting JVMs is most of what the crash harness spends. So the first use packs the class
 * folders into one jar (class-data sharing takes jars only) and records a class-data-sharing
 * archive of a warm-up run ({@link #main}); children then start in about half the CPU time.
 * Where the archive cannot be made, children start without it ({@code -Xshare:auto} ignores a
 * missing or unusable one) and the reason is printed.
 */
final class ChildLauncher {
    private static ChildLauncher instance;

    private final String javaCommand;
    private final String classPath;
    private final Path archive;

    private ChildLauncher(String javaCommand, String classPath, Path archive) {
        this.javaCommand = javaCommand;
        this.classPath = classPath;
        this.archive = archive;
    }

    /** The launcher, prepared on first use (a jar and an archive under target/). */
    static synchronized ChildLauncher get() throws IOException, InterruptedException {
        if (instance == null) {
            instance = prepare();
        }
        return instance;
    }

    /** A child running {@code main}, with the state folder of this JVM. */
    ProcessBuilder command(Class<?> main, String... args) {
        List<String> options = new ArrayList<>();
        String stateDir = System.getProperty(StateDir.PROPERTY);
        if (stateDir != null) {
            options.add("-D" + StateDir.PROPERTY + "=" + stateDir);
        }
        return command(options, main, args);
    }

    /**
     * A child with exactly {@code jvmOptions}: the caller decides about the state folder (the
     * tests of the environment variable must not pass the property, which would win).
     */
    ProcessBuilder command(List<String> jvmOptions, Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(javaCommand, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx128m",
                "-XX:+UseSerialGC", "-XX:-UsePerfData"));
        if (archive != null) {
            command.add("-XX:SharedArchiveFile=" + archive);
            command.add("-Xlog:cds=off");
            command.add("-Xlog:cds+dynamic=off");
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /**
     * Waits for the child to print {@code line} on its standard output (the child's way of
     * saying it has started). Returns false when it exited or closed its output first; a child
     * that says nothing for {@code timeoutSeconds} is killed.
     */
    static boolean awaitLine(Process child, BufferedReader out, String line, long timeoutSeconds) throws IOException {
        Thread watchdog = new Thread(() -> {
            try {
                if (!child.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                // the line came: stand down
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            for (String read = out.readLine(); read != null; read = out.readLine()) {
                if (read.equals(line)) {
                    return true;
                }
            }
            return false;
        } finally {
            watchdog.interrupt();
        }
    }

    static BufferedReader stdout(Process child) {
        return new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    }

    private static ChildLauncher prepare() throws IOException, InterruptedException {
        String javaCommand = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Path work = Paths.get(System.getProperty("basedir", "."), "target", "tx-children").toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);
        List<String> jars = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Paths.get(entry);
            if (Files.isDirectory(path)) {
                folders.add(path);
            } else if (Files.isRegularFile(path)) {
                jars.add(path.toAbsolutePath().toString());
            }
        }
        Path classesJar = work.resolve("classes.jar");
        packFolders(folders, classesJar);
        jars.add(0, classesJar.toString());
        String classPath = String.join(File.pathSeparator, jars);

        Path archive = work.resolve("children.jsa");
        ChildLauncher plain = new ChildLauncher(javaCommand, classPath, null);
        List<String> options = new ArrayList<>(List.of("-XX:ArchiveClassesAtExit=" + archive,
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        String stateDir = System.getProperty(StateDir.PROPERTY);
        if (stateDir != null) {
            options.add("-D" + StateDir.PROPERTY + "=" + stateDir);
        }
        Path warmUp = Files.createDirectories(work.resolve("warm-up"));
        Process trainer = plain.command(options, ChildLauncher.class, warmUp.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("warm-up.log").toFile()).start();
        boolean finished = trainer.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            trainer.destroyForcibly().waitFor();
        }
        if (finished && trainer.exitValue() == 0 && Files.isRegularFile(archive)) {
            return new ChildLauncher(javaCommand, classPath, archive);
        }
        System.out.println("child JVMs start without a class-data-sharing archive: the warm-up run "
                + (finished ? "exited with " + trainer.exitValue() : "timed out") + "; see " + work.resolve("warm-up.log"));
        return plain;
    }

    private static void packFolders(List<Path> folders, Path jar) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            Set<String> added = new HashSet<>();
            for (Path folder : folders) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(folder)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    String name = folder.relativize(f).toString().replace(File.separatorChar, '/');
                    if (added.add(name)) {
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The warm-up run whose loaded classes the archive keeps: every kind of operation, with and
     * without backups, and a recovery, in the folder {@code args[0]}.
     */
    public static void main(String[] args) throws IOException {
        warmUp(Paths.get(args[0]), true);
        System.out.println("warm-up done");
    }

    /**
     * Runs a small transaction with every kind of operation, and a recovery, in the empty folder
     * {@code dir}: the classes a child needs are then loaded and initialised. For the archive
     * ({@code training}), a second one without backups.
     */
    static void warmUp(Path dir, boolean training) throws IOException {
        Path journals = dir.resolve("journals");
        Files.writeString(dir.resolve("a.txt"), "a");
        Files.writeString(dir.resolve("b.txt"), "b");
        for (boolean backup : new boolean[] {true, false}) {
            if (!backup && !training) {
                break;
            }
            TransactionOptions options = TransactionOptions.builder().journalDir(journals).showProgress(false)
                    .backup(backup).build();
            try (FileTransaction tx = new FileTransaction(options)) {
                tx.addWrite(dir.resolve("x.json"), Map.of("a", List.of(1, 2)), ContentType.JSON);
                tx.addWrite(dir.resolve("x.yaml"), Map.of("a", "b"), ContentType.YAML);
                tx.addWrite(dir.resolve("x.txt"), "text", ContentType.TEXT);
                tx.addWrite(dir.resolve("x.bin"), new byte[] {1, 2, 3}, ContentType.BYTES);
                tx.addCopy(dir.resolve("a.txt"), dir.resolve("c.txt"));
                tx.addMove(dir.resolve("b.txt"), dir.resolve("m.txt"));
                tx.addDelete(dir.resolve("a.txt"));
                tx.commit();
            }
            Files.move(dir.resolve("m.txt"), dir.resolve("b.txt"));
            Files.copy(dir.resolve("c.txt"), dir.resolve("a.txt"));
        }
        FileTransaction.recover(journals);
    }
}
