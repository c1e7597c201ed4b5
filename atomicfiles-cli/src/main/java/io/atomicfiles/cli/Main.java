package io.atomicfiles.cli;

import io.atomicfiles.cli.demo.DemoCommand;
import io.atomicfiles.internal.OpenTempFiles;
import java.io.InputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code atomicfiles} command: crash-safe file operations from the shell.
 *
 * <p>Each subcommand is one class. Output goes to the command line's {@code out} writer,
 * errors to its {@code err} writer, so tests run every command in-process with
 * {@link #commandLine(InputStream)} and captured writers. Exit codes: {@value #OK} success,
 * {@value #FAILED} the operation failed (the files it was about to change are as they were),
 * {@value #USAGE} the command line was wrong.
 */
@Command(name = "atomicfiles",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true,
        sortOptions = false,
        headerHeading = "%n",
        header = "Crash-safe file operations: a file shows its old content or its complete new content, never a mix.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Every write goes to a private temp file beside the target, is forced to disk, read back and"
                    + " checked (SHA-256), and then renamed over the target in one atomic step. The previous"
                    + " content is kept as NAME.backup. A failure at any point leaves the target as it was.",
            "",
            "Locks and journals live in the state folder, never beside your files: the system property"
                    + " atomicfiles.stateDir, else $ATOMICFILES_STATE_DIR, else $XDG_STATE_HOME/atomicfiles,"
                    + " else ~/.local/state/atomicfiles."},
        commandListHeading = "%nCommands:%n",
        optionListHeading = "%nOptions:%n",
        // One class per command, in the order of the help's list; add new commands above demo.
        subcommands = {
            WriteCommand.class,
            VerifyCommand.class,
            TxCommand.class,
            RecoverCommand.class,
            UpdateCommand.class,
            MergeCommand.class,
            RotateCommand.class,
            BackupsCommand.class,
            AuditCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the operation failed; the files it was about to change are as they were",
            "2:usage error (unknown option, missing argument, bad value)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  atomicfiles demo",
            "      see every capability at work, in a fresh temp folder",
            "  atomicfiles write config.json --from new.yaml",
            "      YAML in, JSON out, atomically; the old config.json is kept as a backup",
            "  sed s/8080/9090/ app.conf | atomicfiles write app.conf",
            "      edit a file in place through a pipe, safely (unlike sed ... > app.conf)",
            "  atomicfiles verify config.json",
            "      print its SHA-256, sha256sum style",
            "  atomicfiles tx apply release.yaml --root /srv/app",
            "      several writes, copies, moves and deletes: all of them, or none",
            "  atomicfiles recover",
            "      after a crash: finish or undo the transactions it interrupted",
            "  atomicfiles update config.json --set server.port=8080 --delete debug",
            "      edit keys in place; concurrent updates are never lost",
            "  atomicfiles merge base.json prod.yaml -o app.json",
            "      merge configuration files; later files win",
            "  atomicfiles help write",
            "      everything about one command"})
public final class Main implements Runnable {
    /** Exit code: the command did what it was asked. */
    public static final int OK = 0;
    /** Exit code: the operation failed (validation, conflict, I/O); nothing was half-done. */
    public static final int FAILED = 1;
    /** Exit code: the command line itself was wrong. */
    public static final int USAGE = 2;

    private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "On failure, print the stack trace too; log the library's debug messages on standard error.")
    private boolean verbose;

    private final InputStream stdin;

    /** The command reading standard input from {@code stdin} (tests pass their own). */
    public Main(InputStream stdin) {
        this.stdin = stdin;
    }

    public static void main(String[] args) {
        // Ctrl-C or kill (SIGINT, SIGTERM) in the middle of a write: its temp file goes too.
        Runtime.getRuntime().addShutdownHook(OpenTempFiles.shutdownHook());
        System.exit(commandLine(System.in).execute(args));
    }

    /**
     * The whole command tree, ready to {@link CommandLine#execute execute}: enum values in any
     * case, one-line error messages instead of stack traces, and the exit codes above.
     */
    public static CommandLine commandLine(InputStream stdin) {
        CommandLine commandLine = new CommandLine(new Main(stdin));
        ErrorHandler errors = new ErrorHandler();
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler(errors);
        commandLine.setParameterExceptionHandler(errors);
        commandLine.setExecutionStrategy(Main::executeWithLogging);
        commandLine.setExitCodeExceptionMapper(failure -> FAILED);
        return commandLine;
    }

    /** Standard input as this command line sees it. */
    InputStream stdin() {
        return stdin;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** Whether {@code --verbose} was given anywhere on the command line (it is inherited by every subcommand). */
    static boolean verbose(ParseResult parseResult) {
        for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs the chosen command; with {@code --verbose} the library's log goes down to debug
     * (slf4j-simple reads its level when the first logger is made, which is after parsing).
     */
    private static int executeWithLogging(ParseResult parseResult) {
        if (!verbose(parseResult)) {
            return new CommandLine.RunLast().execute(parseResult);
        }
        String before = System.getProperty(LOG_LEVEL_PROPERTY);
        System.setProperty(LOG_LEVEL_PROPERTY, "debug");
        try {
            return new CommandLine.RunLast().execute(parseResult);
        } finally {
            if (before == null) {
                System.clearProperty(LOG_LEVEL_PROPERTY);
            } else {
                System.setProperty(LOG_LEVEL_PROPERTY, before);
            }
        }
    }
}
