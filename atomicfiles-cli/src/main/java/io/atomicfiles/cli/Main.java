package io.atomicfiles.cli;

import io.atomicfiles.cli.demo.DemoCommand;
import io.atomicfiles.internal.OpenTempFiles;
import io.atomicfiles.ProgressListener;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Arrays;
import java.util.List;
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
 * {@value #USAGE} the command line was wrong, {@value #CONFLICT} a precondition failed or a race
 * was lost, {@value #INVALID} the input was rejected, {@value #INTEGRITY} an integrity check
 * failed ({@link ExitCodes} maps failures to them).
 */
@Command(name = "atomicfiles",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true,
        sortOptions = false,
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
                    + " else ~/.local/state/atomicfiles.",
            "",
            "For scripts: a failure is one line on standard error and an exit code (below). --json makes a"
                    + " command that reports print its result as JSON on standard output: one object on one"
                    + " line (verify and audit show: one object per line, one per file or record). -q prints"
                    + " nothing on standard output (errors and warnings still go to standard error). A"
                    + " progress bar is drawn on standard error only when it is a terminal."},
        commandListHeading = "%nCommands:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes (every command):%n",
        exitCodeList = {
            Main.EXIT_OK + ":success",
            Main.EXIT_FAILED + ":the operation failed (an I/O error, a missing file, permission denied); the files"
                    + " it was about to change are as they were. verify: a file does not match (as sha256sum -c)",
            Main.EXIT_USAGE + ":usage error (unknown option, missing argument, bad value)",
            Main.EXIT_CONFLICT + ":a precondition failed or a race was lost, nothing changed: FILE exists"
                    + " (--create-new), FILE changed (--expect-sha256), another program held FILE's lock too"
                    + " long; recover: a file was changed by someone else and left as it is",
            Main.EXIT_INVALID + ":the input was rejected, nothing changed: not valid JSON/YAML/UTF-8, a schema"
                    + " violation, an invalid plan, an edit that does not fit the document",
            Main.EXIT_INTEGRITY + ":an integrity check failed: bytes read back differ from those written (nothing"
                    + " was published), or an audit trail's hash chain is broken"},
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
            "  atomicfiles verify -c SHA256SUMS",
            "      check files against sha256sum's output",
            "  atomicfiles tx apply release.yaml --root /srv/app",
            "      several writes, copies, moves and deletes: all of them, or none",
            "  atomicfiles recover",
            "      after a crash: finish or undo the transactions it interrupted",
            "  atomicfiles update config.json --set server.port=8080 --delete debug",
            "      edit keys in place; concurrent updates are never lost",
            "  atomicfiles merge base.json prod.yaml -o app.json",
            "      merge configuration files; later files win",
            "  atomicfiles write app.json --from new.json --json | jq -r .sha256",
            "      the result as JSON, for scripts",
            "  atomicfiles help write",
            "      everything about one command"})
public final class Main implements Runnable {
    // The exit codes, as numbers for the annotations above and as names for the code.
    static final String EXIT_OK = "0";
    static final String EXIT_FAILED = "1";
    static final String EXIT_USAGE = "2";
    static final String EXIT_CONFLICT = "3";
    static final String EXIT_INVALID = "4";
    static final String EXIT_INTEGRITY = "5";

    /** Exit code: the command did what it was asked. */
    public static final int OK = 0;
    /** Exit code: the operation failed (I/O, a missing file, permission denied); nothing was half-done. */
    public static final int FAILED = 1;
    /** Exit code: the command line itself was wrong. */
    public static final int USAGE = 2;
    /** Exit code: a precondition failed or a race was lost (--create-new, --expect-sha256, a lock held too long, a recovery conflict). */
    public static final int CONFLICT = 3;
    /** Exit code: the input was rejected (not valid JSON/YAML/UTF-8, a schema violation, an invalid plan or edit). */
    public static final int INVALID = 4;
    /** Exit code: an integrity check failed (read-back mismatch, a broken audit chain). */
    public static final int INTEGRITY = 5;

    private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
    private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "On failure, print the stack trace too; log the library's debug messages on standard error.")
    private boolean verbose;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "Print nothing on standard output and draw no progress bar; errors and warnings still go"
                    + " to standard error, and the exit code tells the outcome.")
    private boolean quiet;

    /**
     * The commands, in the order of the help's list; add new ones above demo. They are added to the
     * command line in code rather than listed in {@code @Command(subcommands = ...)}, so that a run
     * of one command builds the model of that command only (see {@link #commandLine(InputStream, String[])}).
     */
    static final List<Class<?>> COMMANDS = List.of(
            WriteCommand.class,
            VerifyCommand.class,
            TxCommand.class,
            RecoverCommand.class,
            UpdateCommand.class,
            MergeCommand.class,
            RotateCommand.class,
            BackupsCommand.class,
            SweepCommand.class,
            AuditCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class);

    private final InputStream stdin;

    /** The command reading this process's standard input (picocli's generators make it this way). */
    public Main() {
        this(System.in);
    }

    /** The command reading standard input from {@code stdin} (tests pass their own). */
    public Main(InputStream stdin) {
        this.stdin = stdin;
    }

    public static void main(String[] args) {
        // Ctrl-C or kill (SIGINT, SIGTERM) in the middle of a write: its temp file goes too.
        Runtime.getRuntime().addShutdownHook(OpenTempFiles.shutdownHook());
        String first = firstWord(args);
        if (first != null && !first.equals("help")) {
            // A command that may write: part of its set-up runs on the second core while this
            // thread builds the command line (start-up, BENCHMARKS.md).
            Prefetch.startFor(first);
        }
        System.exit(commandLine(System.in, args).execute(args));
    }

    /**
     * The whole command tree, ready to {@link CommandLine#execute execute}: enum values in any
     * case, one-line error messages instead of stack traces, and the exit codes above.
     */
    public static CommandLine commandLine(InputStream stdin) {
        skipUnusedConverters();
        return configure(withCommands(new CommandLine(new Main(stdin)), COMMANDS));
    }

    /**
     * The command line for running {@code args}: the same as {@link #commandLine(InputStream)},
     * but with only the command that {@code args} names, when they name one (its first word that
     * is not an option), and with no command at all for {@code --version}. Building the model of a
     * command (picocli reads its annotations) is most of what the command line costs at start-up;
     * a command needs none of the others. Help, a mistyped command and a missing one get every
     * command, for the list and the suggestions.
     */
    public static CommandLine commandLine(InputStream stdin, String[] args) {
        skipUnusedConverters();
        List<Class<?>> needed = COMMANDS;
        String first = firstWord(args);
        List<String> options = Arrays.asList(args);
        if (first != null && !first.equals("help")) {
            needed = COMMANDS;
            Class<?> command = named(first);
            if (command != null) {
                needed = List.of(command);
            }
        } else if (first == null && (options.contains("-V") || options.contains("--version"))
                && !options.contains("-h") && !options.contains("--help")) {
            needed = List.of();
        }
        return configure(withCommands(new CommandLine(new Main(stdin)), needed));
    }

    /**
     * Tells picocli not to set up its converters for the java.sql and java.time types, which no
     * option here has (a Duration option names its own converter): looking each up by reflection
     * initializes those classes, twice per run (once per command line level), a few milliseconds
     * of every start-up. Picocli's own switch, {@code picocli.converters.excludes}; one set by the
     * user is left as it is.
     */
    private static void skipUnusedConverters() {
        if (System.getProperty(CONVERTER_EXCLUDES) == null) {
            System.setProperty(CONVERTER_EXCLUDES, "java.sql.*,java.time.*");
        }
    }

    /**
     * The command called {@code name}, else null. The first match: a command's annotations are
     * read (parsed) only up to the one named.
     */
    static Class<?> named(String name) {
        for (Class<?> command : COMMANDS) {
            if (name(command).equals(name)) {
                return command;
            }
        }
        return null;
    }

    /** The first argument that is not an option (the command's name, when there is one), else null. */
    private static String firstWord(String[] args) {
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return null;
    }

    private static CommandLine withCommands(CommandLine root, List<Class<?>> commands) {
        // A loop, not commands.forEach(root::addSubcommand): see Strategy below.
        for (Class<?> command : commands) {
            root.addSubcommand(command);
        }
        return root;
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    private static CommandLine configure(CommandLine commandLine) {
        ErrorHandler errors = new ErrorHandler();
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler(errors);
        commandLine.setParameterExceptionHandler(errors);
        commandLine.setExecutionStrategy(STRATEGY);
        commandLine.setExitCodeExceptionMapper(STRATEGY);
        return commandLine;
    }

    private static final Strategy STRATEGY = new Strategy();

    /**
     * How a parsed command line runs ({@link #executeWithLogging}) and which exit code a failure
     * gets ({@link ExitCodes#of}). A class rather than the method references
     * {@code Main::executeWithLogging} and {@code ExitCodes::of} (and a loop rather than
     * {@code forEach(root::addSubcommand)} above) for start-up, from when the jar held picocli's
     * Java 5 class files: the JVM making the class-data-sharing archive dropped an old class it
     * had to link, which it does to make a lambda that implements or names one. The build now
     * raises those class files to Java 8 (ClassFileUpgrade), which lifts that limit; the class
     * costs nothing and stays.
     */
    private static final class Strategy implements CommandLine.IExecutionStrategy, CommandLine.IExitCodeExceptionMapper {
        @Override
        public int execute(ParseResult parseResult) {
            return executeWithLogging(parseResult);
        }

        @Override
        public int getExitCode(Throwable exception) {
            return ExitCodes.of(exception);
        }
    }

    /** Standard input as this command line sees it. */
    InputStream stdin() {
        return stdin;
    }

    /**
     * Where a command's library call reports progress: a bar on standard error when that is a
     * terminal (and not {@code -q}), else nowhere.
     *
     * @param knownTotal the bytes the work will process when the command knows it and the library
     *     may not (a streamed copy of a file), else -1
     */
    ProgressListener progress(long knownTotal) {
        if (quiet || quiet(spec) || !StandardError.isTerminal()) {
            return ProgressListener.none();
        }
        return new TerminalProgress(System.err, knownTotal);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** Whether {@code --verbose} was given anywhere on the command line (it is inherited by every subcommand). */
    static boolean verbose(ParseResult parseResult) {
        return matchedAnywhere(parseResult, "--verbose");
    }

    /** Whether {@code -q} was given (it is inherited by every subcommand). */
    static boolean quiet(CommandSpec spec) {
        return matchedAnywhere(spec.root().commandLine().getParseResult(), "--quiet");
    }

    private static boolean matchedAnywhere(ParseResult parseResult, String option) {
        for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption(option)) {
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
        if (matchedAnywhere(parseResult, "--quiet")) {
            // -q: standard output goes nowhere, for every command alike.
            if (matchedAnywhere(parseResult, "--json")) {
                ParseResult command = parseResult;
                while (command.subcommand() != null) {
                    command = command.subcommand();
                }
                throw new ParameterException(command.commandSpec().commandLine(),
                        "--json and --quiet contradict each other: choose one");
            }
            parseResult.commandSpec().commandLine().setOut(new PrintWriter(Writer.nullWriter()));
        }
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
