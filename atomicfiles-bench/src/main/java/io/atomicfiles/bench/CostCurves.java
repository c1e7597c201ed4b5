package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Issue 11 (W5): how the cost of a write grows with its size (1 KiB to 1 GiB), and the cost of a
 * transaction with its width (1 to 1000 files of 1 KiB), each beside its bare baseline measured
 * in turns in the same run. Writes {@code cost-vs-size.csv/.png} and
 * {@code cost-vs-width.csv/.png} into the output folder. Each point is the median of its
 * repetitions (fewer for the large sizes).
 *
 * <p>{@code java -cp benchmarks.jar io.atomicfiles.bench.CostCurves <output folder> [max bytes] [max width]}
 * (files go to {@code -Dbench.dir}, as for the JMH benchmarks).
 */
public final class CostCurves {
    private static final WriteOptions DEFAULTS = WriteOptions.defaults().toBuilder().showProgress(false).build();

    private CostCurves() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Paths.get(args.length > 0 ? args[0] : "docs"));
        long maxBytes = args.length > 1 ? Long.parseLong(args[1]) : 1L << 30;
        int maxWidth = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        try (Workspace workspace = Workspace.create("cost-curves")) {
            bySize(workspace, out, maxBytes);
            byWidth(workspace, out, maxWidth);
        }
        System.out.println("load average at start: " + load + "; at end: "
                + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static void bySize(Workspace workspace, Path out, long maxBytes) throws IOException {
        byte[] chunk = new byte[LargeWriteBenchmark.CHUNK];
        new Random(42).nextBytes(chunk);
        Path target = workspace.resolve("sized.bin");
        List<double[]> rows = new ArrayList<>();
        for (long size = 1024; size <= maxBytes; size *= 4) {
            int repetitions = size <= (1 << 20) ? 15 : size <= (64 << 20) ? 5 : 3;
            double[] library = new double[repetitions];
            double[] bare = new double[repetitions];
            for (int r = 0; r < repetitions; r++) {
                for (int turn = 0; turn < 2; turn++) {
                    long start = System.nanoTime();
                    if ((r + turn) % 2 == 0) {
                        writeLibrary(target, chunk, size);
                        library[r] = millisSince(start);
                    } else {
                        BareProtocol.write(target, chunk, size);
                        bare[r] = millisSince(start);
                    }
                    Files.delete(target);
                }
            }
            rows.add(new double[] {size, median(library), median(bare)});
            System.out.printf(Locale.ROOT, "size %d: library %.2f ms, bare %.2f ms%n", size, median(library),
                    median(bare));
        }
        write(out, "cost-vs-size", "bytes", rows, "Write cost against size (medians; log-log)", "size (bytes)");
    }

    private static void writeLibrary(Path target, byte[] chunk, long size) throws IOException {
        AtomicFiles.write(target, DEFAULTS, writer -> {
            OutputStream stream = writer.outputStream();
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(chunk.length, left);
                stream.write(chunk, 0, n);
                left -= n;
            }
        });
    }

    private static void byWidth(Workspace workspace, Path out, int maxWidth) throws IOException {
        byte[] content = new byte[1024];
        new Random(43).nextBytes(content);
        Path folder = Files.createDirectories(workspace.resolve("width"));
        TransactionOptions options = TransactionOptions.builder().showProgress(false)
                .journalDir(Files.createDirectories(workspace.resolve("journal"))).build();
        List<double[]> rows = new ArrayList<>();
        for (int width : new int[] {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}) {
            if (width > maxWidth) {
                break;
            }
            Path[] tx = new Path[width];
            Path[] bare = new Path[width];
            for (int i = 0; i < width; i++) {
                tx[i] = folder.resolve("tx-" + i + ".bin");
                bare[i] = folder.resolve("bare-" + i + ".bin");
                Files.write(tx[i], new byte[1024]);
                Files.write(bare[i], new byte[1024]);
            }
            int repetitions = width <= 100 ? 7 : 3;
            double[] transaction = new double[repetitions];
            double[] bareWrites = new double[repetitions];
            for (int r = 0; r < repetitions; r++) {
                for (int turn = 0; turn < 2; turn++) {
                    long start = System.nanoTime();
                    if ((r + turn) % 2 == 0) {
                        try (FileTransaction t = new FileTransaction(options)) {
                            for (Path p : tx) {
                                t.addWrite(p, content, ContentType.BYTES);
                            }
                            t.commit();
                        }
                        transaction[r] = millisSince(start);
                    } else {
                        for (Path p : bare) {
                            BareProtocol.write(p, content);
                        }
                        bareWrites[r] = millisSince(start);
                    }
                }
            }
            rows.add(new double[] {width, median(transaction), median(bareWrites)});
            System.out.printf(Locale.ROOT, "width %d: transaction %.2f ms, %d bare writes %.2f ms%n", width,
                    median(transaction), width, median(bareWrites));
            try (var files = Files.list(folder)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.delete(p);
                }
            }
        }
        write(out, "cost-vs-width", "files", rows, "Transaction cost against width, 1 KiB files (medians; log-log)",
                "files in the transaction");
    }

    /** {@code <name>.csv} (x, library ms, bare ms, ratio) and {@code <name>.png}, log-log. */
    private static void write(Path out, String name, String xName, List<double[]> rows, String title, String xTitle)
            throws IOException {
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve(name + ".csv"),
                StandardCharsets.UTF_8))) {
            csv.println(xName + ",atomicfiles_ms,bare_ms,ratio");
            for (double[] row : rows) {
                csv.printf(Locale.ROOT, "%d,%.3f,%.3f,%.3f%n", (long) row[0], row[1], row[2], row[1] / row[2]);
            }
        }
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xTitle)
                .yAxisTitle("milliseconds").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        double[] x = rows.stream().mapToDouble(r -> r[0]).toArray();
        chart.addSeries("atomicfiles (defaults)", x, rows.stream().mapToDouble(r -> r[1]).toArray())
                .setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries(xName.equals("files") ? "the same number of bare writes" : "bare protocol", x,
                rows.stream().mapToDouble(r -> r[2]).toArray()).setMarker(SeriesMarkers.DIAMOND);
        BitmapEncoder.saveBitmap(chart, out.resolve(name + ".png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static double millisSince(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
