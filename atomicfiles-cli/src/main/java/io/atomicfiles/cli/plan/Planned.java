package io.atomicfiles.cli.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One operation of a plan as it was added to the transaction, with what is known about it
 * beforehand: for the lines {@code tx apply} prints, before ({@link #planned()}, for a dry run)
 * or after ({@link #done()}) the commit.
 *
 * @param verb "write", "copy", "move" or "delete"
 * @param path the path the operation names first, as the plan wrote it: "config/app.json", the source of a copy
 * @param to the target of a copy or move, as the plan wrote it; null for a write or delete
 * @param how what the content is, such as "JSON from app.yaml, checked against app.schema.json"; null for none
 * @param result the file that holds the content afterwards, to tell its size; null for a delete
 * @param replaces whether the operation replaces an existing file
 * @param keptAs where the replaced or deleted content is kept (relative to the root); null for nowhere
 */
public record Planned(String verb, String path, String to, String how, Path result, boolean replaces,
        String keptAs) {

    /** The paths as the plan wrote them: "config/app.json", "a.txt to b.txt". */
    public String subject() {
        return to == null ? path : path + " to " + to;
    }

    /** "write   config/app.json  (JSON; replaces the current file, kept as config/app.json.backup)" */
    public String planned() {
        List<String> details = new ArrayList<>();
        if (how != null) {
            details.add(how);
        }
        if (verb.equals("delete")) {
            details.add(keptAs == null ? "not kept" : "kept as " + keptAs);
        } else if (replaces) {
            details.add("replaces the current file" + (keptAs == null ? "" : ", kept as " + keptAs));
        } else {
            details.add("new file");
        }
        return String.format(Locale.ROOT, "%-7s %s  (%s)", verb, subject(), String.join("; ", details));
    }

    /** "wrote   config/app.json  (412 bytes; previous content kept as config/app.json.backup)" */
    public String done() throws IOException {
        List<String> details = new ArrayList<>();
        if (result != null && Files.isRegularFile(result)) {
            long size = Files.size(result);
            details.add(size + (size == 1 ? " byte" : " bytes"));
        }
        if (keptAs != null) {
            details.add((verb.equals("delete") ? "kept as " : "previous content kept as ") + keptAs);
        } else if (replaces) {
            details.add("replaced the previous file");
        }
        String line = String.format(Locale.ROOT, "%-7s %s", past(verb), subject());
        return details.isEmpty() ? line : line + "  (" + String.join("; ", details) + ")";
    }

    private static String past(String verb) {
        switch (verb) {
            case "write":
                return "wrote";
            case "copy":
                return "copied";
            case "move":
                return "moved";
            default:
                return "deleted";
        }
    }
}
