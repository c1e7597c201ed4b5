package io.atomicfiles.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether standard error is a terminal, so a progress bar has a person to show it to.
 *
 * <p>{@link System#console()} cannot answer this: on Java 17 it is null whenever standard input
 * or output is redirected ({@code tar c . | atomicfiles write x.tar} on a terminal), and it never
 * looks at standard error. So, in order:
 * <ol>
 *   <li>the launcher's answer: {@code bin/atomicfiles} runs {@code test -t 2} (isatty(2)) and
 *       passes it as {@code -Datomicfiles.stderrIsTerminal=true|false};</li>
 *   <li>on Linux, where file descriptor 2 leads: {@code /proc/self/fd/2} is a link to
 *       {@code /dev/pts/N} or {@code /dev/ttyN} for a terminal, to a file or pipe otherwise;</li>
 *   <li>elsewhere, the console's own answer, the best there is without native code.</li>
 * </ol>
 */
final class StandardError {
    /** Set by the launcher from {@code test -t 2}. */
    static final String PROPERTY = "atomicfiles.stderrIsTerminal";

    private StandardError() {
    }

    static boolean isTerminal() {
        String told = System.getProperty(PROPERTY);
        if (told != null && !told.isBlank()) {
            return Boolean.parseBoolean(told.strip());
        }
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd2)) {
            try {
                return isTerminalDevice(Files.readSymbolicLink(fd2).toString());
            } catch (IOException | UnsupportedOperationException e) {
                // fall through to the console's answer
            }
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22+: a console exists even when redirected; isTerminal() tells (compiled for 17).
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** {@code /dev/pts/3}, {@code /dev/tty1}: terminals; {@code pipe:[123]}, {@code /tmp/log}: not. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    }
}
