package io.atomicfiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Totals over audit records.
 *
 * <p>An operation counts once, by its outcome record ({@code completed} or {@code failed});
 * {@code started} records and {@code retry} records of attempts tried again are not counted.
 * The chain's own bookkeeping records are not operations.
 *
 * @param sessionId the session summed up (or {@value #ALL_SESSIONS})
 * @param totalOperations operations with an outcome
 * @param successful operations that completed
 * @param failed operations that failed
 * @param filesAffected distinct files named by a counted operation, whatever it did and however it
 *     ended: the seed's {@code files_affected} (a write, a read and a failed delete of three files
 *     count 3)
 * @param filesChanged distinct files named by a completed operation that changes files, that is any
 *     operation but those in {@link #READ_ONLY_OPERATIONS}: a failed operation leaves its files as
 *     they were, and a read changes nothing
 * @param files per file, every file named by a counted operation, in order of first appearance
 */
public record AuditSummary(String sessionId, int totalOperations, int successful, int failed, int filesAffected,
        int filesChanged, List<FileActivity> files) {

    /** The session id of a summary over every session in a trail. */
    public static final String ALL_SESSIONS = "all sessions";

    /**
     * Operations that look at a file without changing it, as callers of
     * {@link AuditTrail#logOperation} name them. Every operation the library records itself
     * (write, copy, move, rotate, json_update, ...) changes files.
     */
    public static final Set<String> READ_ONLY_OPERATIONS = Set.of("read", "verify");

    public AuditSummary {
        files = List.copyOf(files);
    }

    /**
     * The operations on one file.
     *
     * @param lastOperation the last operation recorded on it, such as {@code write}
     * @param lastStatus that operation's outcome
     */
    public record FileActivity(Path path, int operations, int successful, int failed, String lastOperation,
            String lastStatus) {
    }

    /** Sums up {@code entries} (already selected for one session, or for all) under {@code sessionId}. */
    public static AuditSummary of(String sessionId, List<AuditEntry> entries) {
        int successful = 0;
        int failed = 0;
        Map<Path, FileActivity> files = new LinkedHashMap<>();
        Set<Path> changed = new HashSet<>();
        for (AuditEntry e : entries) {
            if (!e.isOutcome()) {
                continue;
            }
            boolean ok = AuditEntry.COMPLETED.equals(e.status());
            if (ok) {
                successful++;
            } else {
                failed++;
            }
            if (e.path() != null) {
                FileActivity before = files.getOrDefault(e.path(), new FileActivity(e.path(), 0, 0, 0, null, null));
                files.put(e.path(), new FileActivity(e.path(), before.operations() + 1,
                        before.successful() + (ok ? 1 : 0), before.failed() + (ok ? 0 : 1), e.operation(), e.status()));
                if (ok && !READ_ONLY_OPERATIONS.contains(e.operation())) {
                    changed.add(e.path());
                }
            }
        }
        return new AuditSummary(sessionId, successful + failed, successful, failed, files.size(), changed.size(),
                new ArrayList<>(files.values()));
    }

    /** The summary as a plain-text table: totals, then one row per file. */
    public String toTable() {
        List<List<String>> totals = List.of(
                List.of("Session", sessionId),
                List.of("Total operations", String.valueOf(totalOperations)),
                List.of("Successful", String.valueOf(successful)),
                List.of("Failed", String.valueOf(failed)),
                List.of("Files affected", String.valueOf(filesAffected)),
                List.of("Files changed", String.valueOf(filesChanged)));
        StringBuilder out = new StringBuilder("Audit summary\n");
        table(out, List.of("", ""), totals, false);
        if (!files.isEmpty()) {
            List<List<String>> rows = files.stream()
                    .map(f -> List.of(f.path().toString(), String.valueOf(f.operations()), String.valueOf(f.successful()),
                            String.valueOf(f.failed()), f.lastOperation() + " (" + f.lastStatus() + ")"))
                    .collect(Collectors.toList());
            out.append("Operations per file\n");
            table(out, List.of("File", "Operations", "Successful", "Failed", "Last"), rows, true);
        }
        return out.toString();
    }

    private static void table(StringBuilder out, List<String> header, List<List<String>> rows, boolean showHeader) {
        int[] widths = new int[header.size()];
        for (List<String> row : showHeader ? concat(header, rows) : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        String rule = rule(widths);
        out.append(rule);
        if (showHeader) {
            row(out, header, widths);
            out.append(rule);
        }
        for (List<String> row : rows) {
            row(out, row, widths);
        }
        out.append(rule);
    }

    private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }

    private static String rule(int[] widths) {
        StringBuilder rule = new StringBuilder("+");
        for (int w : widths) {
            rule.append("-".repeat(w + 2)).append('+');
        }
        return rule.append('\n').toString();
    }

    private static void row(StringBuilder out, List<String> cells, int[] widths) {
        out.append('|');
        for (int i = 0; i < cells.size(); i++) {
            out.append(' ').append(cells.get(i)).append(" ".repeat(widths[i] - cells.get(i).length())).append(" |");
        }
        out.append('\n');
    }
}
