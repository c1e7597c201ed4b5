package io.atomicfiles;

import java.nio.file.Path;

/**
 * The result of {@link AuditTrail#verify()}: the chain is intact, or the first line that was
 * edited, removed, inserted or reordered.
 *
 * <p>The chain shows any change inside it. Removing the newest records at the end of the
 * current file leaves a shorter chain that is still intact: {@link AuditTrail#verify()} and
 * {@link AuditTrail#verify(Path)} detect that with the trail's head file {@code NAME.head};
 * {@link AuditTrail#verify(java.util.List)}, given files only, cannot.
 *
 * @param ok whether every line checked is intact and in place
 * @param file the file holding the first bad line (null when ok, or for a trail in memory)
 * @param lineNumber that line's number in its file, from 1 (0 when ok)
 * @param recordsChecked the intact lines before it (all lines, when ok), each file's start record included
 * @param reason what is wrong with the line (null when ok)
 * @param lastHash the hash of the last intact record, or null when there is none
 */
public record AuditVerification(boolean ok, Path file, long lineNumber, long recordsChecked, String reason,
        String lastHash) {

    @Override
    public String toString() {
        if (ok) {
            return "audit trail intact: " + recordsChecked + " records";
        }
        return "audit trail broken at " + (file == null ? "" : file + " ") + "line " + lineNumber + ": " + reason;
    }
}
