/**
 * atomicfiles: file operations that never leave a file half-written.
 *
 * <p>The API is {@code io.atomicfiles} (writes, transactions, options, audit trail, recovery)
 * and {@code io.atomicfiles.format} (JSON/YAML codecs, JSON Schema, config merging).
 * {@code io.atomicfiles.internal} and {@code io.atomicfiles.journal} hold the write and
 * transaction protocols; they are exported only because the project's other modules (the
 * command line, the Hadoop module) build on them, and are not API: they change without notice.
 */
// JNA is an automatic module (below): the one requires of that kind, and a deliberate one.
@SuppressWarnings("requires-automatic")
module io.atomicfiles {
    // Jackson's types appear in the API (a JsonNode as schema, the mappers of format.Codecs).
    requires transitive tools.jackson.databind;
    requires tools.jackson.dataformat.yaml;
    // The YAML events under Jackson's tokens (anchors, aliases, plain keys; comments), read by format.YamlTrees.
    requires org.snakeyaml.engine;
    // A compiled Schema is returned by format.Schemas.
    requires transitive com.networknt.schema;
    // The schema validator's optional date-time parser (a static requires in its descriptor):
    // resolved here so that formats are checked alike on the module path and the class path.
    requires com.ethlo.time;
    requires org.slf4j;
    requires dev.failsafe.core;
    // statx(2) without the timestamps, for a temp file's stat (internal.UntimedStat). JNA's jar
    // is an automatic module (its name in the manifest); its jna-jpms twin would clash on a
    // class path that also holds the plain jar, which other libraries bring.
    requires com.sun.jna;

    exports io.atomicfiles;
    exports io.atomicfiles.format;
    exports io.atomicfiles.internal;
    exports io.atomicfiles.journal;
}
