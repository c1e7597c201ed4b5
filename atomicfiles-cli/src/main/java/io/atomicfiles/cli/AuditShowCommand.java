package io.atomicfiles.cli;

import io.atomicfiles.AuditEntry;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.format.Codecs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/** {@code atomicfiles audit show FILE}: the records of {@link AuditTrail#entries()}, oldest first. */
@Command(name = "show",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "List the records of an audit trail, oldest first.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Every record of every session, the rotated files' first. One line each:",
            "  time  session  status  operation  path  bytes, sha256, duration, batch/tx id",
            "and the error under a failed one. With --json, one JSON object per line with",
            "the fields of the file (ts, session, pid, op, path, status, bytes, sha256,",
            "durationMs, tx, batch, error, metadata, prev, hash), for jq and other tools."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed", "1:FILE cannot be read", "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  atomicfiles audit show ops.audit --last 20",
            "  atomicfiles audit show ops.audit --json | jq 'select(.status == \"failed\")'"})
final class AuditShowCommand implements Callable<Integer> {
    private static final int SESSION_SHOWN = 8;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The audit trail (its current file).")
    private Path file;

    @Option(names = "--last", paramLabel = "N", description = "Only the newest N records.")
    private Integer last;

    @Option(names = "--json", description = "One JSON object per record (JSON Lines).")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        if (last != null && last < 1) {
            throw new ParameterException(spec.commandLine(), "--last must be at least 1, got " + last);
        }
        AuditCommand.requireTrail(file);
        List<AuditEntry> entries = new AuditTrail(file).entries();
        List<AuditEntry> shown = last == null || last >= entries.size() ? entries
                : entries.subList(entries.size() - last, entries.size());
        PrintWriter out = spec.commandLine().getOut();
        for (AuditEntry entry : shown) {
            if (json) {
                out.println(Codecs.json().writeValueAsString(toJson(entry)));
            } else {
                out.println(line(entry));
                if (entry.error() != null) {
                    out.println("    error: " + entry.error());
                }
            }
        }
        if (!json) {
            out.println(shown.size() == entries.size() ? records(entries.size())
                    : "the last " + records(shown.size()) + " of " + entries.size());
        }
        out.flush();
        return Main.OK;
    }

    private static String records(int count) {
        return count + (count == 1 ? " record" : " records");
    }

    /** "2025-05-01T10:00:00.123Z  1a2b3c4d  completed  write  /srv/app.json  412 B, sha256 9f86d081..., 3.2 ms" */
    private static String line(AuditEntry e) {
        StringBuilder line = new StringBuilder(e.timestamp().toString()).append("  ")
                .append(e.sessionId() == null ? "-" : e.sessionId().substring(0, Math.min(SESSION_SHOWN, e.sessionId().length())))
                .append("  ").append(String.format(Locale.ROOT, "%-9s", e.status()))
                .append("  ").append(e.operation());
        if (e.path() != null) {
            line.append("  ").append(e.path());
        }
        StringBuilder details = new StringBuilder();
        if (e.bytes() >= 0) {
            details.append(e.bytes()).append(" B");
        }
        if (e.sha256() != null) {
            append(details, "sha256 " + e.sha256().substring(0, Math.min(16, e.sha256().length())) + "...");
        }
        if (e.duration() != null) {
            append(details, String.format(Locale.ROOT, "%.1f ms", e.duration().toNanos() / 1_000_000.0));
        }
        if (e.batchId() != null) {
            append(details, e.batchId());
        }
        if (e.transactionId() != null) {
            append(details, "tx " + e.transactionId());
        }
        if (details.length() > 0) {
            line.append("  ").append(details);
        }
        return line.toString();
    }

    private static void append(StringBuilder details, String detail) {
        details.append(details.length() == 0 ? "" : ", ").append(detail);
    }

    /** The record with the field names of the audit file (see {@link AuditEntry}). */
    private static ObjectNode toJson(AuditEntry e) {
        ObjectNode node = Codecs.json().createObjectNode();
        node.put("ts", e.timestamp().toString());
        node.put("session", e.sessionId());
        node.put("pid", e.pid());
        node.put("op", e.operation());
        if (e.path() != null) {
            node.put("path", e.path().toString());
        }
        node.put("status", e.status());
        if (e.bytes() >= 0) {
            node.put("bytes", e.bytes());
        }
        putIfPresent(node, "sha256", e.sha256());
        if (e.duration() != null) {
            node.put("durationMs", e.duration().toNanos() / 1_000_000.0);
        }
        putIfPresent(node, "tx", e.transactionId());
        putIfPresent(node, "batch", e.batchId());
        putIfPresent(node, "error", e.error());
        if (!e.metadata().isEmpty()) {
            node.set("metadata", Codecs.toTree(e.metadata()));
        }
        putIfPresent(node, "prev", e.previousHash());
        putIfPresent(node, "hash", e.hash());
        return node;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
