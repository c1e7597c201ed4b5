package io.atomicfiles.cli;

import io.atomicfiles.ProgressListener;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The command's progress bar, drawn on standard error (only when that is a terminal: see
 * {@link Main#progress}) for work larger than {@link #THRESHOLD_BYTES}. One line, redrawn in
 * place with a carriage return at most every {@link #REDRAW_NANOS}, and left on the screen with
 * its outcome when the work ends:
 *
 * <pre>
 * write big.iso   45% [#########           ] 1.2/2.7 GiB  98.0 MiB/s  ETA 0:16
 * transaction t-1   80% [################    ] 40.0/50.0 MiB  12.0 MiB/s  ETA 0:01  (stage 8 of 10: write a.bin)
 * write from-pipe.bin  312.0 MiB  85.1 MiB/s
 * write big.iso  100% [####################] 2.7/2.7 GiB  97.2 MiB/s  done in 0:28
 * </pre>
 *
 * <p>The ETA is the bytes left over the rate of the last few seconds (not of the whole run, which
 * a slow start would distort), shown once a second of work has been measured; with an unknown
 * total there is neither percentage nor ETA. A note (the step of a transaction) stands apart, in
 * parentheses, after the numbers. The line fits the terminal's width (from the launcher's
 * {@code stty size}, else {@code $COLUMNS}, else 80) so that it never wraps, which would break the
 * redraw: the note is shortened first, then the task; the numbers never are.
 */
final class TerminalProgress implements ProgressListener {
    /** Work up to this many bytes is too quick to deserve a bar. */
    static final long THRESHOLD_BYTES = 1L << 20;
    static final long REDRAW_NANOS = 200_000_000L;
    /** The rate for the ETA is measured over about this much recent time. */
    private static final long RATE_WINDOW_NANOS = 5_000_000_000L;
    private static final long ETA_AFTER_NANOS = 1_000_000_000L;
    private static final int BAR_WIDTH = 20;

    private final PrintStream out;
    private final long knownTotal;
    private final LongSupplier nanoClock;
    private final int width;

    private String task = "";
    private long total = -1;
    private long done;
    private String note;
    private long startNanos;
    private long lastDrawNanos;
    private int lastLength;
    private boolean drawn;
    /** Recent (time, bytes done) pairs, oldest first, for the rate. */
    private final Deque<long[]> samples = new ArrayDeque<>();

    /**
     * @param knownTotal the total when the command knows it and the library reports -1 (a
     *     streamed copy of a file of known size), else -1
     */
    TerminalProgress(PrintStream out, long knownTotal) {
        this(out, knownTotal, System::nanoTime, terminalWidth());
    }

    TerminalProgress(PrintStream out, long knownTotal, LongSupplier nanoClock, int width) {
        this.out = out;
        this.knownTotal = knownTotal;
        this.nanoClock = nanoClock;
        this.width = width;
    }

    @Override
    public synchronized void started(String task, long total) {
        this.task = task;
        this.total = total > 0 ? total : knownTotal;
        this.done = 0;
        this.startNanos = nanoClock.getAsLong();
        this.samples.clear();
        this.samples.add(new long[] {startNanos, 0});
    }

    @Override
    public synchronized void progressed(long done) {
        this.done = done;
        long now = nanoClock.getAsLong();
        if (large() && (!drawn || now - lastDrawNanos >= REDRAW_NANOS)) {
            draw(now, line(now));
        }
    }

    @Override
    public synchronized void note(String message) {
        this.note = message;
        long now = nanoClock.getAsLong();
        if (drawn && now - lastDrawNanos >= REDRAW_NANOS) {
            draw(now, line(now));
        }
    }

    @Override
    public synchronized void finished(boolean succeeded) {
        if (!drawn) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (succeeded && total > 0) {
            done = Math.max(done, total);
        }
        String outcome = succeeded ? "done in " + clock(now - startNanos) : "failed";
        draw(now, summary(now, outcome));
        out.print('\n');
        out.flush();
        drawn = false;
    }

    private boolean large() {
        return total > THRESHOLD_BYTES || done > THRESHOLD_BYTES;
    }

    /** The line while the work goes on. */
    private String line(long now) {
        long rate = recentRate(now);
        StringBuilder numbers = new StringBuilder();
        appendAmount(numbers);
        if (rate > 0) {
            numbers.append("  ").append(bytes(rate)).append("/s");
        }
        if (total > 0 && rate > 0 && now - startNanos >= ETA_AFTER_NANOS && done < total) {
            numbers.append("  ETA ").append(clock((long) ((total - done) / (double) rate * 1e9)));
        }
        return fit(numbers.toString(), note);
    }

    /** The line left on the screen at the end. */
    private String summary(long now, String outcome) {
        long elapsed = Math.max(1, now - startNanos);
        StringBuilder numbers = new StringBuilder();
        appendAmount(numbers);
        long average = (long) (done / (elapsed / 1e9));
        if (average > 0) {
            numbers.append("  ").append(bytes(average)).append("/s");
        }
        return fit(numbers.append("  ").append(outcome).toString(), null);
    }

    /**
     * "TASK  NUMBERS  (NOTE)" in the width: the numbers are never cut; the note is cut first, then
     * the task, each marked with "...".
     */
    private String fit(String numbers, String note) {
        int room = width - 1;
        String noteText = note == null ? "" : "  (" + note + ")";
        String taskText = task;
        if (taskText.length() + 2 + numbers.length() + noteText.length() > room) {
            int left = room - taskText.length() - 2 - numbers.length();
            noteText = left >= 10 ? noteText.substring(0, left - 4) + "...)" : "";
        }
        if (taskText.length() + 2 + numbers.length() > room) {
            int left = room - 2 - numbers.length();
            taskText = left >= 8 ? taskText.substring(0, left - 3) + "..." : "";
        }
        return (taskText.isEmpty() ? "" : taskText + "  ") + numbers + noteText;
    }

    /** " 45% [#########           ] 21.5/47.7 MiB", or just the bytes done when the total is unknown. */
    private void appendAmount(StringBuilder line) {
        if (total > 0) {
            long percent = Math.min(100, done * 100 / total);
            int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
            line.append(String.format(Locale.ROOT, "%3d%% ", percent))
                    .append('[').append("#".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(amount(done, total));
        } else {
            line.append(bytes(done));
        }
    }

    /** "21.5/47.7 MiB" in one unit, "512.0 KiB/47.7 MiB" across two. */
    static String amount(long done, long total) {
        String doneText = bytes(done);
        String totalText = bytes(total);
        String unit = totalText.substring(totalText.indexOf(' '));
        return doneText.endsWith(unit) ? doneText.substring(0, doneText.length() - unit.length()) + "/" + totalText
                : doneText + "/" + totalText;
    }

    /** Bytes per second over the recent window; 0 until some time has passed. */
    private long recentRate(long now) {
        samples.addLast(new long[] {now, done});
        while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        long elapsed = now - first[0];
        if (elapsed < REDRAW_NANOS) {
            return 0;
        }
        return (long) ((done - first[1]) / (elapsed / 1e9));
    }

    private void draw(long now, String text) {
        String line = text.length() >= width ? text.substring(0, Math.max(0, width - 1)) : text; // never wraps
        int pad = Math.max(0, lastLength - line.length());
        out.print('\r');
        out.print(line);
        out.print(" ".repeat(pad));
        out.flush();
        lastLength = line.length();
        lastDrawNanos = now;
        drawn = true;
    }

    /** "512 B", "1.5 KiB", "12.0 MiB", "2.7 GiB". */
    static String bytes(long count) {
        if (count < 1024) {
            return count + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = count;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** "0:07", "12:34", "1:02:03". */
    static String clock(long nanos) {
        long seconds = Math.max(0, (nanos + 500_000_000L) / 1_000_000_000L);
        long hours = seconds / 3600;
        return hours > 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, seconds % 3600 / 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    private static int terminalWidth() {
        String columns = System.getProperty("atomicfiles.terminalColumns", System.getenv("COLUMNS"));
        try {
            int parsed = columns == null ? 0 : Integer.parseInt(columns.strip());
            return parsed >= 20 ? parsed : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
