package io.atomicfiles.bench;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.util.ListStatistics;
import tools.jackson.databind.JsonNode;

/**
 * Turns a JMH result file ({@code -rf json}) into the tables of BENCHMARKS.md: every result,
 * then each target of the issues as a ratio of two results of the same run.
 *
 * <pre>
 * java -cp atomicfiles-bench/target/benchmarks.jar io.atomicfiles.bench.Ratios results.json
 * </pre>
 *
 * <p>Two kinds of result are read. A plain benchmark's score is its JMH primary metric. A
 * benchmark taking several variants in turns ({@code ...InTurnsBenchmark}) reports counters
 * {@code <variant>Nanos} and {@code <variant>Ops} per iteration; each variant becomes a result
 * {@code Class.<variant>} of its own, and a ratio between two variants of one such benchmark
 * gets its error band from the ratios of each iteration (paired: both measured in the same
 * seconds).
 *
 * <p>A new benchmark with a target (issue 3's transaction commit, say) adds a line to
 * {@link #TARGETS}.
 */
public final class Ratios {
    private static final String SMALL = "SmallWriteBenchmark.";
    private static final String SMALL_TURNS = "SmallWriteInTurnsBenchmark.";
    private static final String LARGE = "LargeWriteBenchmark.";
    private static final String LARGE_TURNS = "LargeWriteInTurnsBenchmark.";
    private static final String TX_TURNS = "TransactionInTurnsBenchmark.";
    private static final String BATCH_TURNS = "BatchInTurnsBenchmark.";
    private static final String UPDATE_TURNS = "JsonUpdateInTurnsBenchmark.";

    /** The targets: each compares a candidate with its baseline, measured in the same run. */
    static final List<Target> TARGETS = List.of(
            Target.atMostCost("1 KiB, backup+verify off / bare (one after the other)",
                    SMALL + "atomicFilesNoBackupNoVerify", SMALL + "bareProtocol", 1.10),
            Target.atMostCost("1 KiB, backup+verify off / bare (in turns)",
                    SMALL_TURNS + "atomicFilesNoBackupNoVerify", SMALL_TURNS + "bareProtocol", 1.10),
            Target.atMostCost("1 KiB, defaults / bare (one after the other)",
                    SMALL + "atomicFilesDefaults", SMALL + "bareProtocol", 1.5),
            Target.atMostCost("1 KiB, defaults / bare (in turns)",
                    SMALL_TURNS + "atomicFilesDefaults", SMALL_TURNS + "bareProtocol", 1.5),
            Target.atLeastThroughput("1 GiB, SHA-256 + verify vs bare write+fsync, throughput (one after the other)",
                    LARGE + "atomicFilesDefaults", LARGE + "bareProtocol", 0.9),
            Target.atLeastThroughput("1 GiB, SHA-256 + verify vs bare write+fsync, throughput (in turns)",
                    LARGE_TURNS + "atomicFilesDefaults", LARGE_TURNS + "bareProtocol", 0.9),
            Target.atLeastThroughput("1 GiB, defaults vs slower of (bare write+fsync, one SHA-256 pass in memory),"
                    + " throughput (in turns; issue 11 W2)",
                    LARGE_TURNS + "atomicFilesDefaults", LARGE_TURNS + "slowerOfBareAndSha256", 0.9),
            Target.atMostCost("100 x 1 KiB: one transaction / 100 sequential durable writes (in turns)",
                    TX_TURNS + "transaction", TX_TURNS + "sequentialWrites", 0.5),
            Target.atMostCost("100 x 1 KiB: one transaction / 100 sequential bare writes (in turns; issue 11 W3:"
                    + " <= 0.30 on journaled ext4, <= 0.6 on the root fs)",
                    TX_TURNS + "transaction", TX_TURNS + "sequentialBareWrites", 0.30),
            Target.atMostCost("100 x 1 KiB: the floor of any all-or-nothing commit (bare, all staged before the first"
                    + " rename) / 100 sequential bare writes (in turns; W3's root-fs bound)",
                    TX_TURNS + "stagedBareWrites", TX_TURNS + "sequentialBareWrites", 0.6),
            Target.atMostCost("1000 x 1 KiB: one WriteBatch / 1000 sequential durable writes (in turns; issue 11,"
                    + " on journaled ext4)", BATCH_TURNS + "batch", BATCH_TURNS + "sequentialWrites", 0.15),
            Target.atLeastThroughput("atomicJsonUpdate: 8 threads vs 1 thread, throughput (in turns; issue 11 W4)",
                    UPDATE_TURNS + "eightThreads", UPDATE_TURNS + "oneThread", 3.0));

    private Ratios() {
    }

    /**
     * One target. {@code bound} is a cost ratio (candidate time / baseline time, at most
     * {@code bound}) or a throughput ratio (baseline time / candidate time, at least {@code bound}).
     */
    record Target(String what, String candidate, String baseline, double bound, boolean throughput) {
        static Target atMostCost(String what, String candidate, String baseline, double bound) {
            return new Target(what, candidate, baseline, bound, false);
        }

        static Target atLeastThroughput(String what, String candidate, String baseline, double bound) {
            return new Target(what, candidate, baseline, bound, true);
        }
    }

    /**
     * One result in milliseconds per operation. {@code errorMillis} is the 99.9% half-width;
     * {@code perIteration} holds each iteration's mean for variants taken in turns (else null),
     * {@code cpuMillis} the process's CPU time per operation where it was measured (else NaN).
     */
    record Result(String name, String mode, double millis, double errorMillis, int samples, long bytes,
            double[] perIteration, double cpuMillis) {
        double mibPerSecond() {
            return bytes / (double) (1 << 20) / (millis / 1000.0);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Ratios <jmh results.json>");
            System.exit(2);
        }
        Map<String, Result> results = read(Paths.get(args[0]));
        System.out.println("| benchmark | mode | time per write | ± (99.9%) | samples | throughput | CPU per write |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        for (Result r : results.values()) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d | %s | %s |%n", r.name(), r.mode(),
                    time(r.millis()), time(r.errorMillis()), r.samples(),
                    r.bytes() > 0 ? String.format(Locale.ROOT, "%.0f MiB/s", r.mibPerSecond()) : "",
                    Double.isNaN(r.cpuMillis()) ? "" : time(r.cpuMillis()));
        }
        System.out.println();
        System.out.println("| target | ratio | ± (99.9%) | bound | verdict | median of the iterations' ratios |"
                + " iterations within the bound |");
        System.out.println("|---|---:|---:|---:|---|---:|---:|");
        for (Target t : TARGETS) {
            Result candidate = results.get(t.candidate());
            Result baseline = results.get(t.baseline());
            if (candidate == null || baseline == null) {
                System.out.printf(Locale.ROOT, "| %s | not in this run | | | |%n", t.what());
                continue;
            }
            double ratio = t.throughput() ? baseline.millis() / candidate.millis() : candidate.millis() / baseline.millis();
            double spread = spread(t, candidate, baseline, ratio);
            double[] paired = pairedRatios(t, candidate, baseline);
            String median = "";
            String within = "";
            if (paired != null) {
                double[] sorted = paired.clone();
                Arrays.sort(sorted);
                int n = sorted.length;
                median = String.format(Locale.ROOT, "%.3f ×", n % 2 == 1 ? sorted[n / 2]
                        : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
                long meeting = Arrays.stream(paired).filter(r -> t.throughput() ? r >= t.bound() : r <= t.bound()).count();
                within = meeting + " of " + n;
            }
            System.out.printf(Locale.ROOT, "| %s | %.3f × | %.3f | %s %.2f × | %s | %s | %s |%n", t.what(), ratio,
                    spread, t.throughput() ? "≥" : "≤", t.bound(), verdict(t, ratio, spread), median, within);
        }
    }

    /**
     * "met" or "MISSED" when the whole error band is on one side of the bound, else
     * "undecided": a ratio whose band straddles the bound proves nothing either way.
     */
    private static String verdict(Target t, double ratio, double spread) {
        double worst = t.throughput() ? ratio - spread : ratio + spread;
        double best = t.throughput() ? ratio + spread : ratio - spread;
        boolean worstMeets = t.throughput() ? worst >= t.bound() : worst <= t.bound();
        boolean bestMeets = t.throughput() ? best >= t.bound() : best <= t.bound();
        if (worstMeets) {
            return "met";
        }
        if (!bestMeets) {
            return "MISSED";
        }
        return "undecided (" + (t.throughput() ? (ratio >= t.bound() ? "mean meets it" : "mean misses it")
                : (ratio <= t.bound() ? "mean meets it" : "mean misses it")) + ")";
    }

    /**
     * The error band of a ratio: from the per-iteration ratios when both sides were taken in
     * turns, else the relative errors of the two scores added in quadrature (rough).
     */
    private static double spread(Target t, Result candidate, Result baseline, double ratio) {
        double[] ratios = pairedRatios(t, candidate, baseline);
        if (ratios != null) {
            ListStatistics paired = new ListStatistics();
            for (double r : ratios) {
                paired.addValue(r);
            }
            return paired.getMeanErrorAt(0.999);
        }
        return ratio * Math.hypot(candidate.errorMillis() / candidate.millis(),
                baseline.errorMillis() / baseline.millis());
    }

    /**
     * Each iteration's ratio, when both sides were taken in turns (the two variants of one
     * iteration met the same disk and the same moment of the machine), else null. Their median
     * is the figure least moved by the few iterations where one side met a slow moment alone.
     */
    private static double[] pairedRatios(Target t, Result candidate, Result baseline) {
        double[] c = candidate.perIteration();
        double[] b = baseline.perIteration();
        if (c == null || b == null || c.length != b.length || c.length < 2) {
            return null;
        }
        double[] ratios = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            ratios[i] = t.throughput() ? b[i] / c[i] : c[i] / b[i];
        }
        return ratios;
    }

    /** The results by short name ({@code Class.method} or {@code Class.variant}), in the order of the file. */
    static Map<String, Result> read(Path file) throws IOException {
        Map<String, Result> results = new LinkedHashMap<>();
        for (JsonNode run : Codecs.read(file, DataFormat.JSON)) {
            String[] parts = run.path("benchmark").asString().split("\\.");
            String className = parts[parts.length - 2];
            String name = className + "." + parts[parts.length - 1];
            String mode = run.path("mode").asString();
            long bytes = run.path("params").path("bytes").asLong(0);
            JsonNode metric = run.path("primaryMetric");
            double scale = millisPer(metric.path("scoreUnit").asString());
            JsonNode secondary = run.path("secondaryMetrics");
            boolean inTurns = false;
            for (Map.Entry<String, JsonNode> counter : secondary.properties()) {
                String key = counter.getKey();
                if (!key.endsWith("Nanos") || !secondary.has(key.substring(0, key.length() - 5) + "Ops")) {
                    continue;
                }
                inTurns = true;
                String variant = key.substring(0, key.length() - 5);
                List<Double> ops = flatten(secondary.path(variant + "Ops").path("rawData"));
                results.put(className + "." + variant, inTurns(className + "." + variant, mode, bytes,
                        flatten(counter.getValue().path("rawData")), ops,
                        flatten(secondary.path(variant + "CpuNanos").path("rawData"))));
            }
            if (!inTurns) {
                // (A benchmark taking variants in turns is reported per variant only: its own score
                // covers several writes and the housekeeping between them.)
                List<Double> raw = flatten(metric.path("rawData"));
                results.put(name, new Result(name, mode, metric.path("score").asDouble() * scale,
                        number(metric.path("scoreError")) * scale, raw.size(), bytes, null, Double.NaN));
            }
        }
        return results;
    }

    /** A variant taken in turns: its mean over all iterations, each iteration's mean, its CPU time per write. */
    private static Result inTurns(String name, String mode, long bytes, List<Double> nanos, List<Double> ops,
            List<Double> cpuNanos) {
        double[] perIteration = new double[nanos.size()];
        double totalNanos = 0;
        double totalOps = 0;
        ListStatistics stats = new ListStatistics();
        for (int i = 0; i < perIteration.length; i++) {
            perIteration[i] = nanos.get(i) / ops.get(i) / 1e6;
            stats.addValue(perIteration[i]);
            totalNanos += nanos.get(i);
            totalOps += ops.get(i);
        }
        double error = perIteration.length > 1 ? stats.getMeanErrorAt(0.999) : Double.NaN;
        double cpu = cpuNanos.isEmpty() ? Double.NaN
                : cpuNanos.stream().mapToDouble(Double::doubleValue).sum() / totalOps / 1e6;
        return new Result(name, mode + " in turns", totalNanos / totalOps / 1e6, error, (int) totalOps, bytes,
                perIteration, cpu);
    }

    private static List<Double> flatten(JsonNode rawData) {
        List<Double> values = new ArrayList<>();
        for (JsonNode fork : rawData) {
            for (JsonNode value : fork) {
                values.add(number(value));
            }
        }
        return values;
    }

    /** JMH writes an unknown value as the string "NaN". */
    private static double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : Double.NaN;
    }

    private static double millisPer(String unit) {
        switch (unit) {
            case "ns/op":
                return 1e-6;
            case "us/op":
                return 1e-3;
            case "ms/op":
                return 1;
            case "s/op":
                return 1e3;
            default:
                throw new IllegalArgumentException("unexpected JMH unit " + unit + " (expected time per operation)");
        }
    }

    private static String time(double millis) {
        if (Double.isNaN(millis)) {
            return "n/a";
        }
        return millis < 10 ? String.format(Locale.ROOT, "%.1f µs", millis * 1000)
                : String.format(Locale.ROOT, "%.1f ms", millis);
    }
}
