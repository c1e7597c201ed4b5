package io.atomicfiles.bench;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Turns a JMH result file ({@code -rf json}) into the tables of BENCHMARKS.md: every result,
 * then each target of the issues as a ratio of two results of the same run.
 *
 * <pre>
 * java -cp atomicfiles-bench/target/benchmarks.jar io.atomicfiles.bench.Ratios results.json
 * </pre>
 *
 * <p>A new benchmark with a target (issue 3's transaction commit, say) adds one line to
 * {@link #TARGETS}.
 */
public final class Ratios {
    /** The targets: each compares a candidate with its baseline, measured in the same run. */
    static final List<Target> TARGETS = List.of(
            Target.atMostCost("1 KiB durable write, backup and verify off, vs bare protocol",
                    "SmallWriteBenchmark.atomicFilesNoBackupNoVerify", "SmallWriteBenchmark.bareProtocol", 1.10),
            Target.atMostCost("1 KiB durable write, defaults, vs bare protocol",
                    "SmallWriteBenchmark.atomicFilesDefaults", "SmallWriteBenchmark.bareProtocol", 1.5),
            Target.atLeastThroughput("1 GiB write with SHA-256 and verify, vs bare write + fsync",
                    "LargeWriteBenchmark.atomicFilesDefaults", "LargeWriteBenchmark.bareProtocol", 0.9));

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

    /** One benchmark's score, in milliseconds per operation, with JMH's 99.9% error. */
    record Result(String name, String mode, double millis, double errorMillis, int samples, long bytes) {
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
        System.out.println("| benchmark | mode | score (per op) | ± (99.9%) | samples | throughput |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (Result r : results.values()) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d | %s |%n", r.name(), r.mode(), time(r.millis()),
                    time(r.errorMillis()), r.samples(),
                    r.bytes() > 0 ? String.format(Locale.ROOT, "%.0f MiB/s", r.mibPerSecond()) : "");
        }
        System.out.println();
        System.out.println("| target | ratio | bound | verdict |");
        System.out.println("|---|---:|---:|---|");
        for (Target t : TARGETS) {
            Result candidate = results.get(t.candidate());
            Result baseline = results.get(t.baseline());
            if (candidate == null || baseline == null) {
                System.out.printf(Locale.ROOT, "| %s | not in this run | | |%n", t.what());
                continue;
            }
            double ratio = t.throughput() ? baseline.millis() / candidate.millis() : candidate.millis() / baseline.millis();
            // Relative errors add in quadrature for a quotient: a rough band, not a confidence interval.
            double spread = ratio * Math.hypot(candidate.errorMillis() / candidate.millis(),
                    baseline.errorMillis() / baseline.millis());
            boolean met = t.throughput() ? ratio >= t.bound() : ratio <= t.bound();
            System.out.printf(Locale.ROOT, "| %s | %.3f × (± %.3f) | %s %.2f × | %s |%n", t.what(), ratio, spread,
                    t.throughput() ? "≥" : "≤", t.bound(), met ? "met" : "MISSED");
        }
    }

    /** The results by short name ({@code Class.method}), in the order of the file. */
    static Map<String, Result> read(Path file) throws IOException {
        Map<String, Result> results = new LinkedHashMap<>();
        for (JsonNode run : Codecs.read(file, DataFormat.JSON)) {
            String full = run.path("benchmark").asString();
            String[] parts = full.split("\\.");
            String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
            JsonNode metric = run.path("primaryMetric");
            double scale = millisPer(metric.path("scoreUnit").asString());
            int samples = 0;
            for (JsonNode fork : metric.path("rawData")) {
                samples += fork.size();
            }
            long bytes = run.path("params").path("bytes").asLong(0);
            results.put(name, new Result(name, run.path("mode").asString(), metric.path("score").asDouble() * scale,
                    metric.path("scoreError").asDouble(0) * scale, samples, bytes));
        }
        return results;
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
