package io.atomicfiles;

/**
 * How hard a write works to survive a power loss, not just a crash of the process.
 *
 * <p>Every level is atomic: readers and crashed processes see the old or the new
 * content, never a mix. The levels differ only in what survives the machine losing power.
 */
public enum Durability {
    /** No fsync at all. After a power loss the file may hold the old content, or be empty. */
    NONE,
    /**
     * The content is forced to disk before it is published, so the file is never
     * empty or torn after a power loss; the rename itself may still be lost (old content comes back).
     */
    FILE,
    /**
     * The content and the folder entry are both forced to disk: once the call returns,
     * the new content survives a power loss. The default.
     */
    FULL;

    /** Whether the file's data must be forced before it is published. */
    public boolean syncsFile() {
        return this != NONE;
    }

    /** Whether the folder holding the file must be forced after a rename. */
    public boolean syncsFolder() {
        return this == FULL;
    }
}
