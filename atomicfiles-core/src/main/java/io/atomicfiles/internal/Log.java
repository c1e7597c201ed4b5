package io.atomicfiles.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class's SLF4J logger, made the first time something is logged.
 *
 * <p>The library logs only when something needs saying (a retry, a clean-up that failed, a
 * group that could not be kept), never on the way of a successful write. Making loggers eagerly,
 * in static fields, would start SLF4J in every JVM that loads the write path: looking up its
 * provider and reading its configuration costs a fresh JVM 20-30 ms, about a tenth of the command
 * line's whole start-up (BENCHMARKS.md, "Start-up of the command"). Made on first use, a short
 * program that writes a file and exits pays nothing for it.
 */
public final class Log {
    private final Class<?> owner;
    private volatile Logger logger;

    private Log(Class<?> owner) {
        this.owner = owner;
    }

    /** The logger of {@code owner}, to be made when first used. */
    public static Log of(Class<?> owner) {
        return new Log(owner);
    }

    /** The logger; two threads that ask first at the same moment get the same one from SLF4J. */
    @SuppressWarnings("exports") // internal is exported for the project's own modules only, which read org.slf4j themselves
    public Logger get() {
        Logger made = logger;
        if (made == null) {
            made = LoggerFactory.getLogger(owner);
            logger = made;
        }
        return made;
    }
}
