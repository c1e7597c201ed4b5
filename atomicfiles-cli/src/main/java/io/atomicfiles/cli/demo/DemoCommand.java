package io.atomicfiles.cli.demo;

import io.atomicfiles.cli.Main;
import io.atomicfiles.internal.StateDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code atomicfiles demo}: plays every {@link Scene} of {@link Scenes#all()} in a fresh temp
 * folder, each in a folder of its own, and removes the temp folder at the end.
 *
 * <p>The library's state folder (locks, journals) is put inside the temp folder too, unless
 * the user chose one ({@code atomicfiles.stateDir} or {@code ATOMICFILES_STATE_DIR}), so the
 * demo leaves nothing behind in the user's home.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        header = "Show every capability of atomicfiles at work, in a fresh temp folder.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Plays one scene per capability: it does the work for real, prints what it did and the evidence"
                    + " (file contents, SHA-256s, backups, folder listings), and checks the outcome; each"
                    + " check is marked [ok] or [FAILED]. Nothing outside the temp folder is touched: the"
                    + " state folder (locks, journals) is put inside it as well, unless you set one with"
                    + " -Datomicfiles.stateDir or ATOMICFILES_STATE_DIR. The temp folder is removed at the end."},
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every scene's checks held",
            "1:a check failed (the summary names the scenes)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  atomicfiles demo",
            "  atomicfiles demo --keep        then look at the files each scene left"})
public final class DemoCommand implements Callable<Integer> {

    /** Null until the demo runs: {@link Scenes#all()} loads every scene, which no other command needs. */
    private List<Scene> scenes;

    @Spec
    private CommandSpec spec;

    @Option(names = "--keep", description = "Keep the temp folder afterwards (its path is printed), to look at the files.")
    private boolean keep;

    /** The demo of {@link Scenes#all()}. */
    public DemoCommand() {
        this.scenes = null;
    }

    /** A demo of the given scenes (tests play failing ones). */
    DemoCommand(List<Scene> scenes) {
        this.scenes = List.copyOf(scenes);
    }

    @Override
    public Integer call() throws IOException {
        if (scenes == null) {
            scenes = Scenes.all();
        }
        PrintWriter out = spec.commandLine().getOut();
        Path root = Files.createTempDirectory("atomicfiles-demo-");
        String stateBefore = System.getProperty(StateDir.PROPERTY);
        try {
            out.println("atomicfiles demo: each capability, done for real and checked.");
            out.println("demo folder:  " + root);
            out.println("state folder: " + chooseStateFolder(root) + "  (locks and journals)");
            List<String> failed = playAll(scenes, root, out);
            out.println();
            if (failed.isEmpty()) {
                out.println("All " + scenes.size() + " scenes passed.");
            } else {
                out.println(failed.size() + " of " + scenes.size() + " scenes FAILED: " + String.join("; ", failed));
            }
            return failed.isEmpty() ? Main.OK : Main.FAILED;
        } finally {
            restore(stateBefore);
            if (keep) {
                out.println("The demo folder is kept: " + root);
            } else {
                removeTree(root, spec.commandLine().getErr());
                out.println("Removed the demo folder " + root + " (use --keep to look at the files).");
            }
            out.flush();
        }
    }

    /** Plays each scene in a folder of its own; returns the titles of the scenes that failed. */
    private static List<String> playAll(List<Scene> scenes, Path root, PrintWriter out) throws IOException {
        int checks = 0;
        List<String> failed = new java.util.ArrayList<>();
        for (int i = 0; i < scenes.size(); i++) {
            Scene scene = scenes.get(i);
            Path folder = Files.createDirectory(root.resolve(String.format(Locale.ROOT, "%02d-%s", i + 1,
                    slug(scene.title()))));
            Stage stage = new Stage(out, folder);
            out.println();
            out.println("[" + (i + 1) + "/" + scenes.size() + "] " + scene.title());
            try {
                scene.play(stage);
            } catch (Exception e) {
                stage.fail(e);
            }
            checks += stage.checks();
            if (!stage.passed()) {
                failed.add(scene.title() + " (" + stage.failures() + " failed check" + (stage.failures() == 1 ? "" : "s")
                        + ")");
            }
            out.flush();
        }
        out.println();
        out.println(checks + " checks in " + scenes.size() + " scenes.");
        return failed;
    }

    /** The state folder the library will use: the user's choice, else one inside the demo folder. */
    private static Path chooseStateFolder(Path root) {
        boolean userChose = isSet(System.getProperty(StateDir.PROPERTY)) || isSet(System.getenv(StateDir.ENVIRONMENT));
        if (!userChose) {
            System.setProperty(StateDir.PROPERTY, root.resolve("state").toString());
        }
        return StateDir.location();
    }

    private static void restore(String stateBefore) {
        if (stateBefore == null) {
            System.clearProperty(StateDir.PROPERTY);
        } else {
            System.setProperty(StateDir.PROPERTY, stateBefore);
        }
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    /** "Atomic write of a text file" becomes "atomic-write-of-a-text-file". */
    static String slug(String title) {
        String slug = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return slug.length() > 40 ? slug.substring(0, 40).replaceAll("-$", "") : slug;
    }

    private static void removeTree(Path root, PrintWriter err) {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
        } catch (IOException e) {
            err.println("atomicfiles demo: could not list " + root + " to remove it: " + e.getMessage());
            return;
        }
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                err.println("atomicfiles demo: could not remove " + path + ": " + e.getMessage());
            }
        }
    }
}
