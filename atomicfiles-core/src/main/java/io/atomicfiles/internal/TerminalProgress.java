package io.atomicfiles.internal;

import io.atomicfiles.ProgressListener;
import java.io.Console;
import java.lang.reflect.Method;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The default progress display: a bar on standard error (drawn by the progressbar library),
 * only when a terminal is attached and the work passes 1 MiB. Small work and redirected
 * output see nothing at all.
 */
public final class TerminalProgress implements ProgressListener {
    /** Work up to this many bytes is too quick to deserve a bar. */
    public static final long THRESHOLD_BYTES = 1L << 20;

    private final boolean terminal;
    private String task = "";
    private long total = -1;
    private String note;
    private ProgressBar bar;

    private TerminalProgress(boolean terminal) {
        this.terminal = terminal;
    }

    /** The listener to use for {@code showProgress}: the caller's, or a bar when on a terminal. */
    public static ProgressListener choose(boolean showProgress, ProgressListener callers) {
        if (!showProgress) {
            return ProgressListener.none();
        }
        if (callers != null) {
            return callers;
        }
        return terminalAttached() ? new TerminalProgress(true) : ProgressListener.none();
    }

    /**
     * Whether standard output and error go to a terminal. {@link System#console()} answers this
     * up to Java 21; from Java 22 it returns a console even when redirected, and
     * {@code Console.isTerminal()} (looked up reflectively: we compile for 17) tells.
     */
    public static boolean terminalAttached() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    @Override
    public synchronized void started(String task, long total) {
        this.task = task;
        this.total = total;
        if (terminal && total > THRESHOLD_BYTES) {
            open();
        }
    }

    @Override
    public synchronized void progressed(long done) {
        if (bar == null && terminal && done > THRESHOLD_BYTES) {
            open();
        }
        if (bar != null) {
            bar.stepTo(done);
        }
    }

    @Override
    public synchronized void note(String message) {
        this.note = message;
        if (bar != null) {
            bar.setExtraMessage(message);
        }
    }

    @Override
    public synchronized void finished(boolean succeeded) {
        if (bar != null) {
            if (succeeded && total > 0) {
                bar.stepTo(total);
            }
            bar.close();
            bar = null;
        }
    }

    private void open() {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit("MiB", 1L << 20)
                .setUpdateIntervalMillis(200)
                .showSpeed();
        builder.setInitialMax(total > 0 ? total : -1);
        bar = builder.build();
        if (note != null) {
            bar.setExtraMessage(note);
        }
    }
}
