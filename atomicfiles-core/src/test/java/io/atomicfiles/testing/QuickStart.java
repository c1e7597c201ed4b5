package io.atomicfiles.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * What makes a short-lived child JVM start fast ({@link ChildJvm.Builder#quickStart()}).
 *
 * <p>C1 only, the serial collector, a small heap and no perf-data file: a child that is killed
 * after a moment has no use for C2 or a big heap. And an archive of the classes children load
 * (class-data sharing), which halves the CPU time of a child's start: the first use packs the
 * class folders of the classpath into one jar (an archive takes classes from jars only), runs
 * {@link ChildSide#warmUp} in a JVM that records what it loaded
 * ({@code -XX:ArchiveClassesAtExit}), and checks that a JVM accepts the archive
 * ({@code -Xshare:on}). If any step fails, say on a JDK that refuses the archive, children start
 * without it: slower, nothing else changes (the logs of the two runs stay in
 * {@code target/child-jvm}).
 */
final class QuickStart {
    private static final List<String> OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
            "-XX:-UsePerfData");
    private static final long PREPARATION_TIMEOUT_SECONDS = 120;
    private static QuickStart prepared;

    private final String classPath;
    /** The class-data archive, null where there is none. */
    private final Path archive;

    private QuickStart(String classPath, Path archive) {
        this.classPath = classPath;
        this.archive = archive;
    }

    /** The options and classpath for quick children, prepared on first use. */
    static synchronized QuickStart get() {
        if (prepared == null) {
            prepared = prepare();
        }
        return prepared;
    }

    List<String> jvmOptions() {
        List<String> options = new ArrayList<>(OPTIONS);
        if (archive != null) {
            options.add("-XX:SharedArchiveFile=" + archive);
        }
        return options;
    }

    String classPath() {
        return classPath;
    }

    private static QuickStart prepare() {
        try {
            Path work = Files.createDirectories(Path.of(System.getProperty("basedir", "."), "target", "child-jvm"))
                    .toAbsolutePath();
            String classPath = packClassFolders(work.resolve("classes.jar"));
            Path archive = work.resolve("children.jsa");
            Files.deleteIfExists(archive);
            boolean usable = run(work, "record.log", classPath, List.of("-XX:ArchiveClassesAtExit=" + archive),
                    work.resolve("warm-up").toString())
                    && Files.isRegularFile(archive)
                    && run(work, "check.log", classPath, List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on"));
            return new QuickStart(classPath, usable ? archive : null);
        } catch (IOException e) {
            return new QuickStart(System.getProperty("java.class.path"), null);
        }
    }

    /**
     * The classpath with its folders packed, in their order, into {@code jar}, which comes first:
     * a class both in a folder and in a jar is taken from the folder, as on the original classpath.
     */
    private static String packClassFolders(Path jar) throws IOException {
        List<String> entries = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (entry.isEmpty() || !Files.exists(path)) {
                continue;
            }
            if (Files.isDirectory(path)) {
                folders.add(path);
            } else {
                entries.add(path.toAbsolutePath().toString());
            }
        }
        Set<String> packed = new HashSet<>();
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (Path folder : folders) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(folder)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    String name = folder.relativize(f).toString().replace(File.separatorChar, '/');
                    if (packed.add(name)) {
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            }
        }
        entries.add(0, jar.toString());
        return String.join(File.pathSeparator, entries);
    }

    /**
     * Runs {@link #main} with {@code args} in a quick JVM with {@code options}, in the folder
     * {@code work} (where a JVM that fails hard leaves its crash report) with its output in
     * {@code log}: did it exit with 0 in time?
     */
    private static boolean run(Path work, String log, String classPath, List<String> options, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(ChildJvm.javaCommand()));
        command.addAll(OPTIONS);
        command.addAll(options);
        command.addAll(List.of("-D" + ChildJvm.STATE_DIR_PROPERTY + "=" + ChildJvm.stateDir(), "-cp", classPath,
                QuickStart.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(log).toFile()).start();
        try {
            if (!process.waitFor(PREPARATION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return false;
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        }
        return process.exitValue() == 0;
    }

    /**
     * The run that the archive records, {@code QuickStart FOLDER}: {@link ChildSide#warmUp} in
     * FOLDER. Without arguments (the check of the archive) it does nothing.
     */
    public static void main(String[] args) throws IOException {
        if (args.length > 0) {
            ChildSide.warmUp(Path.of(args[0]));
        }
    }
}
