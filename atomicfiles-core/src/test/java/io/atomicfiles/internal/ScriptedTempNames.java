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

    /** The temp name a write of {@code targetName} makes from {@code randomPart}. */
    public static String tempName(String targetName, String randomPart) {
        return "." + targetName + ".tmp-" + randomPart;
    }

    @Override
    public void close() {
        TempFiles.randomPart = previous;
    }
}
