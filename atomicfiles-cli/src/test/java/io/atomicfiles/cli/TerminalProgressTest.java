package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bar as drawn: with a clock the test moves, and its output read back line by line. */
class TerminalProgressTest {
    private static final long MIB = 1L << 20;
    private static final long SECOND = 1_000_000_000L;

    private final ByteArrayOutputStream drawn = new ByteArrayOutputStream();
    private final AtomicLong clock = new AtomicLong();

    private TerminalProgress bar(long knownTotal, int width) {
        return new TerminalProgress(new PrintStream(drawn, true, StandardCharsets.UTF_8), knownTotal, clock::get, width);
    }

    /** Each redraw, as the screen shows it last (carriage returns start a redraw). */
    private List<String> frames() {
        return Arrays.stream(drawn.toString(StandardCharsets.UTF_8).split("\r")).filter(s -> !s.isEmpty())
                .map(String::stripTrailing).toList();
    }

    @Test
    void aKnownTotalShowsPercentAmountRateAndAnEtaFromTheRecentRate() {
        TerminalProgress bar = bar(-1, 120);
        bar.started("write big.iso", 100 * MIB);
        // A slow start (1 MiB/s for 4 s), then 10 MiB/s: the ETA follows the recent rate.
        for (int s = 1; s <= 4; s++) {
            clock.addAndGet(SECOND);
            bar.progressed(s * MIB);
        }
        for (int s = 1; s <= 6; s++) {
            clock.addAndGet(SECOND);
            bar.progressed((4 + 10L * s) * MIB);
        }
        String last = frames().get(frames().size() - 1);
        assertThat(last).startsWith("write big.iso   64% [############        ] 64.0/100.0 MiB  ");
        // The last 5 seconds ran at 10 MiB/s: 36 MiB left is about 4 s, not the 14 s the average would say.
        assertThat(last).matches(".*  ([89]\\.[0-9]|10\\.0) MiB/s  ETA 0:0[345]$");
        assertThat(drawn.toString(StandardCharsets.UTF_8)).doesNotContain("\n");

        clock.addAndGet(SECOND);
        bar.finished(true);
        String output = drawn.toString(StandardCharsets.UTF_8);
        assertThat(output).endsWith("\n");
        assertThat(frames().get(frames().size() - 1)).startsWith("write big.iso  100% [####################]"
                + " 100.0/100.0 MiB").endsWith("done in 0:11");
    }

    @Test
    void noEtaBeforeASecondOfWorkNorWithoutATotal() {
        TerminalProgress known = bar(-1, 120);
        known.started("write a.bin", 10 * MIB);
        clock.addAndGet(SECOND / 2);
        known.progressed(2 * MIB);
        assertThat(frames().get(frames().size() - 1)).doesNotContain("ETA");

        drawn.reset();
        TerminalProgress unknown = bar(-1, 120);
        unknown.started("write from-pipe.bin", -1);
        for (int s = 1; s <= 3; s++) {
            clock.addAndGet(SECOND);
            unknown.progressed(s * 2 * MIB);
        }
        assertThat(frames().get(frames().size() - 1)).isEqualTo("write from-pipe.bin  6.0 MiB  2.0 MiB/s");
    }

    @Test
    void theCommandsKnownTotalStandsInForAnUnknownOne() {
        TerminalProgress bar = bar(8 * MIB, 120);
        bar.started("write copy.bin", -1);
        clock.addAndGet(SECOND);
        bar.progressed(2 * MIB);
        assertThat(frames().get(0)).startsWith("write copy.bin   25% [#####               ] 2.0/8.0 MiB");
    }

    @Test
    void aNoteStandsApartFromTheNumbersAndIsCutBeforeThem() {
        TerminalProgress wide = bar(-1, 200);
        wide.started("transaction t-1 (3 operations)", 50 * MIB);
        wide.note("stage 2 of 3: write app.bin");
        clock.addAndGet(SECOND);
        wide.progressed(20 * MIB);
        assertThat(frames().get(0)).endsWith("20.0 MiB/s  ETA 0:02  (stage 2 of 3: write app.bin)");

        drawn.reset();
        TerminalProgress narrow = bar(-1, 60);
        narrow.started("transaction 20261206-184521-1w0ufdb51k4mv (3 operations)", 50 * MIB);
        narrow.note("stage 2 of 3: write app.bin");
        clock.addAndGet(SECOND);
        narrow.progressed(20 * MIB);
        String line = frames().get(0);
        assertThat(line.length()).isLessThan(60);
        assertThat(line).contains(" 40% [########            ] 20.0/50.0 MiB").doesNotContain("stage");
    }

    @Test
    void smallWorkDrawsNothingAndAFailureSaysSo() {
        TerminalProgress small = bar(-1, 120);
        small.started("write small.json", 4096);
        small.progressed(4096);
        small.finished(true);
        assertThat(drawn.size()).isZero();

        TerminalProgress failing = bar(-1, 120);
        failing.started("write big.bin", 10 * MIB);
        clock.addAndGet(SECOND);
        failing.progressed(3 * MIB);
        failing.finished(false);
        assertThat(frames().get(frames().size() - 1)).endsWith("failed");
        assertThat(drawn.toString(StandardCharsets.UTF_8)).endsWith("\n");
    }

    @Test
    void redrawsAtMostFiveTimesASecond() {
        TerminalProgress bar = bar(-1, 120);
        bar.started("write big.bin", 100 * MIB);
        for (int i = 1; i <= 100; i++) {
            clock.addAndGet(SECOND / 100);
            bar.progressed(i * MIB);
        }
        assertThat(frames()).hasSizeBetween(5, 6);
    }

    @Test
    void unitsAndClock() {
        assertThat(TerminalProgress.bytes(512)).isEqualTo("512 B");
        assertThat(TerminalProgress.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(TerminalProgress.bytes(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(TerminalProgress.amount(512 * 1024, 48 * MIB)).isEqualTo("512.0 KiB/48.0 MiB");
        assertThat(TerminalProgress.clock(7 * SECOND)).isEqualTo("0:07");
        assertThat(TerminalProgress.clock(3723 * SECOND)).isEqualTo("1:02:03");
    }

    @Test
    void standardErrorIsATerminalWhenItLeadsToOne() {
        assertThat(StandardError.isTerminalDevice("/dev/pts/3")).isTrue();
        assertThat(StandardError.isTerminalDevice("/dev/tty1")).isTrue();
        assertThat(StandardError.isTerminalDevice("pipe:[12345]")).isFalse();
        assertThat(StandardError.isTerminalDevice("/tmp/log.txt")).isFalse();
        assertThat(StandardError.isTerminalDevice("/dev/null")).isFalse();
    }
}
