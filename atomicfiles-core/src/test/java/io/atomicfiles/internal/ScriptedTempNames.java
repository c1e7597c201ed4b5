package io.atomicfiles.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * For tests: makes the next temp names of {@link TempFiles} predictable, so a test can plant
 * something at the exact name a write will try. After the scripted names run out, names are
 * random again. {@link #close()} restores the random source.
 *
 * <pre>{@code
 * try (ScriptedTempNames names = ScriptedTempNames.next("aaaaaaaaaaaa", "bbbbbbbbbbbb")) { ... }
 * }</pre>
 */
public final class ScriptedTempNames implements AutoCloseable {
    private final Supplier<String> previous;

    private ScriptedTempNames(List<String> randomParts) {
        this.previous = TempFiles.randomPart;
        Deque<String> script = new ArrayDeque<>(randomParts);
        Supplier<String> fallback = previous;
        TempFiles.randomPart = () -> {
            synchronized (script) {
                String next = script.poll();
                return next != null ? next : fallback.get();
            }
        };
    }

    /** The random parts (12 characters of [0-9a-z] each) of the next temp names, in order. */
    public static ScriptedTempNames next(String... randomParts) {
        for (String part : randomParts) {
            if (!part.matches("[0-9a-z]{12}")) {
                throw new IllegalArgumentException("a temp name's random part is 12 of [0-9a-z]: " + part);
            }
        }
        return new ScriptedTempNames(List.of(randomParts));
    }

    /** The temp name a write of {@code targetName} by this JVM makes from {@code randomPart}. */
    public static String tempName(String targetName, String randomPart) {
        return TempFiles.name(targetName, randomPart);
    }

    /**
     * The temp name a writer that is gone (a process of this machine that has exited) would have
     * made for {@code targetName}: what a killed writer leaves behind.
     */
    public static String tempNameOfAGoneWriter(String targetName, String randomPart) {
        return TempFiles.name(targetName, randomPart, GoneWriter.SIGNATURE);
    }

    /** The temp name an earlier version of the library made: {@code .NAME.tmp-<random>}, no writer. */
    public static String oldStyleTempName(String targetName, String randomPart) {
        return "." + targetName + ".tmp-" + randomPart;
    }

    /** Forgets the folders this JVM has verified and cleared, so the next write walks and clears again. */
    public static void forgetProcessCaches() {
        Targets.forgetVerifiedFolders();
        TempFiles.forgetClearedFolders();
    }

    /**
     * A process that ran on this machine and has exited, as a temp name signs it: its pid (no
     * process has it now), a start time, and this machine's tag.
     */
    private static final class GoneWriter {
        static final String SIGNATURE = exitedProcess();

        private static String exitedProcess() {
            try {
                Process process = new ProcessBuilder("true").start();
                long pid = process.pid();
                process.waitFor();
                String machine = TempWriters.THIS.substring(TempWriters.THIS.lastIndexOf('-') + 1);
                return Long.toString(pid, 36) + "-1-" + machine;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        TempFiles.randomPart = previous;
    }
}
