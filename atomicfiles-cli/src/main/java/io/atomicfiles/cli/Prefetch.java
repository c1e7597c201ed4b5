package io.atomicfiles.cli;

import io.atomicfiles.internal.Preload;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Start-up work done ahead, on a second thread, while the main thread builds the command line:
 * a JVM started to run one command spends most of its time in one-time set-up, on one core.
 *
 * <p>Two kinds of set-up are done here, both of them the same whichever thread does them first:
 * <ul>
 *   <li>Reading the command's annotations. The JDK makes a class for each annotation type the
 *       first time one is read (a few milliseconds each, nine of them for a write); picocli reads
 *       the root command's first, so this thread reads those of {@link Object}'s methods (picocli
 *       looks at every method up the class hierarchy, and two of Object's carry annotations), then
 *       the command's own field annotations from the last field back.</li>
 *   <li>The library's set-up for a first write ({@link Preload#forWrites}).</li>
 * </ul>
 * Nothing here reads or changes a file of the user's; failures are ignored, since the main thread
 * meets the same step and reports it. The thread is a daemon: it never keeps the JVM running.
 */
final class Prefetch {
    private Prefetch() {
    }

    /** Starts the work for running the command called {@code commandName} (if there is one). */
    static void startFor(String commandName) {
        Thread thread = new Thread(new Work(commandName), "atomicfiles-prefetch");
        thread.setDaemon(true);
        thread.start();
    }

    /** A class rather than a lambda: see {@link Main}'s Strategy on the class-data-sharing archive. */
    private static final class Work implements Runnable {
        private final String commandName;

        Work(String commandName) {
            this.commandName = commandName;
        }

        @Override
        public void run() {
            try {
                for (Method method : Object.class.getDeclaredMethods()) {
                    method.getDeclaredAnnotations();
                }
                Class<?> command = Main.named(commandName);
                if (command != null) {
                    Field[] fields = command.getDeclaredFields();
                    for (int i = fields.length - 1; i >= 0; i--) {
                        fields[i].getDeclaredAnnotations();
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                // The main thread reads the same annotations and reports what fails.
            }
            Preload.forWrites();
        }
    }
}
