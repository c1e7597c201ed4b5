package io.atomicfiles.cli.demo;

import io.atomicfiles.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Runs an {@code atomicfiles} command from a scene, in this process, the way a user types it:
 * the scene prints the command line, what the command printed and its exit code. Paths inside
 * the scene's folder are shown relative to it, so the lines read as if typed in that folder.
 */
final class Shell {
    /** Characters that make a shell argument need quotes. */
    private static final Pattern NEEDS_QUOTES = Pattern.compile("[^A-Za-z0-9_./=:,@%+-]");

    /** What a command did: its exit code and what it printed on standard output and standard error. */
    record Result(int exitCode, String out, String err) {
    }

    private Shell() {
    }

    /**
     * Runs {@code atomicfiles ARGS...} (with nothing on standard input) and prints it on the stage.
     * Arguments naming files in the scene's folder should be given as absolute paths
     * ({@link Stage#file}); they are shown relative.
     */
    static Result run(Stage stage, String... args) {
        List<String> shown = new ArrayList<>();
        for (String arg : args) {
            shown.add(quoted(relative(stage, arg)));
        }
        stage.say("$ atomicfiles " + String.join(" ", shown));
        var commandLine = Main.commandLine(new ByteArrayInputStream(new byte[0]));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        out.toString().lines().forEach(line -> stage.say("  " + relative(stage, line)));
        err.toString().lines().forEach(line -> stage.say("  " + relative(stage, line)));
        if (exitCode != Main.OK) {
            stage.say("  (exit code " + exitCode + ")");
        }
        return new Result(exitCode, out.toString(), err.toString());
    }

    /** {@code text} with the scene folder's path taken out: files by their names, the folder itself as ".". */
    static String relative(Stage stage, String text) {
        String folder = stage.folder().toString();
        return text.replace(folder + File.separator, "").replace(folder, ".");
    }

    /** The argument as a POSIX shell would need it: in single quotes when it has special characters. */
    private static String quoted(String arg) {
        if (!arg.isEmpty() && !NEEDS_QUOTES.matcher(arg).find()) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
