package io.atomicfiles.hadoop.journal;

import org.apache.hadoop.fs.Path;

/** One change a cluster transaction was asked to make. Paths are fully qualified. */
public sealed interface Operation permits Operation.Write, Operation.Copy, Operation.Move, Operation.Delete {

    /** The file this operation changes. */
    Path target();

    /** "write hdfs://nn/app.json", for progress and errors. */
    String describe();

    /** Put {@code content} (already serialised and validated) at {@code target}. */
    record Write(Path target, byte[] content) implements Operation {
        @Override
        public String describe() {
            return "write " + target;
        }
    }

    /** Put a copy of {@code source} at {@code target}. */
    record Copy(Path source, Path target) implements Operation {
        @Override
        public String describe() {
            return "copy " + source + " to " + target;
        }
    }

    /** Move {@code source} to {@code target} (one filesystem: a rename). */
    record Move(Path source, Path target) implements Operation {
        @Override
        public String describe() {
            return "move " + source + " to " + target;
        }
    }

    /** Delete {@code target} (kept as {@code NAME.deleted_backup} when backups are on). */
    record Delete(Path target) implements Operation {
        @Override
        public String describe() {
            return "delete " + target;
        }
    }
}
