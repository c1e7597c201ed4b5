package io.atomicfiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Some files of a {@link WriteBatch} could not be written. The others were: each file is either
 * published (its new content in place, atomically) or left as it was; no temp file is left.
 * {@link #published()} lists the files published, {@link #failures()} each file's error. A file
 * whose folder could not be forced after its rename is in both: its new content is visible, but
 * whether it survives a power loss is in doubt ({@link #notDurable()}).
 */
public class WriteBatchException extends AtomicWriteException {
    private static final long serialVersionUID = 1L;

    private final transient List<WriteResult> published;
    private final transient Set<Path> notDurable;
    private final transient Map<Path, java.io.IOException> failures;
    private final transient Set<Path> namedTwice;

    public WriteBatchException(List<WriteResult> published, Set<Path> notDurable,
            Map<Path, java.io.IOException> failures) {
        this(published, notDurable, failures, Set.of());
    }

    /**
     * @param namedTwice failed files that are the same file as a published one (see {@link #namedTwice()})
     */
    public WriteBatchException(List<WriteResult> published, Set<Path> notDurable,
            Map<Path, java.io.IOException> failures, Set<Path> namedTwice) {
        super(message(published, failures), failures.isEmpty() ? null : failures.values().iterator().next(),
                context(published, failures));
        this.published = List.copyOf(published);
        this.notDurable = Set.copyOf(notDurable);
        this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        this.namedTwice = Set.copyOf(namedTwice);
        failures.values().stream().skip(1).forEach(this::addSuppressed);
    }

    private static String message(List<WriteResult> published, Map<Path, java.io.IOException> failures) {
        StringBuilder text = new StringBuilder("batch write failed for ").append(failures.size()).append(" file(s) (")
                .append(published.size()).append(" published):");
        failures.forEach((path, error) -> text.append("\n  ").append(path).append(": ").append(error.getMessage()));
        return text.toString();
    }

    private static Map<String, Object> context(List<WriteResult> published, Map<Path, java.io.IOException> failures) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("operation", "batch");
        context.put("published", published.size());
        context.put("failed", failures.size());
        return context;
    }

    /** The files published, each atomically, in path order. */
    public List<WriteResult> published() {
        return published;
    }

    /** Published files whose folder could not be forced: visible now, durability in doubt. */
    public Set<Path> notDurable() {
        return notDurable;
    }

    /** The files that failed (as the caller named them; a published but not durable file by its target), with their errors. */
    public Map<Path, java.io.IOException> failures() {
        return failures;
    }

    /**
     * Files named twice in the batch, the second time through a link (or as the other's backup):
     * each failed as a duplicate (its own content was not written), but the file is the same as
     * another file of the batch that was published, whose content it now holds. In
     * {@link #failures()}, not in {@link #notPublished()}.
     */
    public Set<Path> namedTwice() {
        return namedTwice;
    }

    /** The files left as they were: failed, not published, and not the same file as one published. */
    public List<Path> notPublished() {
        List<Path> paths = new ArrayList<>();
        for (Path path : failures.keySet()) {
            if (!notDurable.contains(path) && !namedTwice.contains(path)) {
                paths.add(path);
            }
        }
        return paths;
    }
}
