package io.atomicfiles;

/** How {@link AtomicFileOperations#atomicConfigMerge} combines configuration files, each later file over the result so far. */
public enum MergeStrategy {
    /**
     * Objects merge recursively; on anything else the later file wins. Arrays are replaced
     * whole unless {@link MergeOptions#arrays()} says to append or unite them. A later
     * {@code null} sets the key to null.
     */
    DEEP,
    /** Only top-level keys merge: a later file's top-level value replaces the earlier one whole. */
    SHALLOW,
    /**
     * The first file is the base document and each later file is applied to it as an RFC 7396
     * JSON Merge Patch: objects merge recursively, {@code null} removes a key, anything else
     * (arrays included) replaces.
     */
    MERGE_PATCH
}
