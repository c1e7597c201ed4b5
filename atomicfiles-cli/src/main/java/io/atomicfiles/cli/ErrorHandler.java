package io.atomicfiles.cli;

import io.atomicfiles.ValidationException;
import io.atomicfiles.cli.plan.PlanException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns failures into short messages on standard error and an exit code.
 *
 * <ul>
 *   <li>A failed operation: {@code atomicfiles write: <what failed, on which path, why>}, with
 *       the exit code {@link ExitCodes} gives it. A schema rejection lists every violation, one
 *       per line, and so does a plan operation rejected by its schema. {@code --verbose} adds the
 *       stack trace.</li>
 *   <li>A wrong command line: the problem, a suggestion for a mistyped option, and where to find
 *       help, exit 2 (picocli's default would print the whole usage text instead).</li>
 * </ul>
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        String prefix = command.getCommandSpec().qualifiedName() + ": ";
        if (isSchemaRejection(failure)) {
            ValidationException rejected = (ValidationException) failure;
            err.println(command.getColorScheme().errorText(prefix + Errors.rejectionHeadline(rejected)));
            for (ValidationException.Violation violation : rejected.getViolations()) {
                err.println("  " + violation);
            }
        } else if (failure instanceof PlanException) {
            err.println(command.getColorScheme().errorText(prefix + failure.getMessage()));
            for (String detail : ((PlanException) failure).details()) {
                err.println("  " + detail);
            }
        } else {
            err.println(command.getColorScheme().errorText(prefix + Errors.describe(failure)));
        }
        if (Main.verbose(parseResult)) {
            failure.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.of(failure);
    }

    @Override
    public int handleParseException(ParameterException problem, String[] args) {
        CommandLine command = problem.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getColorScheme().errorText(command.getCommandSpec().qualifiedName() + ": "
                + problem.getMessage()));
        UnmatchedArgumentException.printSuggestions(problem, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return Main.USAGE;
    }

    private static boolean isSchemaRejection(Exception failure) {
        return failure instanceof ValidationException
                && "schema".equals(((ValidationException) failure).getOperationContext().get("step"));
    }
}
