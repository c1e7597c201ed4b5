package io.atomicfiles.cli;

import picocli.CommandLine.Option;

/** {@code --json}, for the commands that report a result: the result as JSON on standard output. */
final class JsonOption {

    @Option(names = "--json",
            description = "Print the result as JSON on standard output, one object on one line (its fields are listed"
                    + " under 'JSON output' below). Errors stay one line on standard error.")
    private boolean json;

    boolean on() {
        return json;
    }
}
