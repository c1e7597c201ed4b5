package io.atomicfiles;

/**
 * What a {@link MergeStrategy#DEEP} or {@link MergeStrategy#SHALLOW} merge does where an array
 * meets an array. ({@link MergeStrategy#MERGE_PATCH} follows RFC 7396: a later array replaces.)
 */
public enum ArrayMerge {
    /** The later array replaces the earlier one whole (the default). */
    REPLACE,
    /** The later array's elements follow the earlier array's. */
    APPEND,
    /** The earlier array, then each element of the later one that is not already there (equal as JSON). */
    UNION
}
