package io.atomicfiles.hadoop.journal;

import org.apache.hadoop.fs.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One primitive step of a cluster transaction, recorded in its journal before anything is
 * touched: the same steps, and the same journal records, as core's transactions.
 *
 * <p>Before the commit point a transaction only creates hidden names ({@link MakeFolder},
 * {@link Stage}, {@link Keep}); after it, it only renames ({@link Rename}). HDFS has no hard
 * links, so a {@link Keep} is a copy, not a second name.
 */
public sealed interface Step permits Step.MakeFolder, Step.Stage, Step.Keep, Step.Rename {

    /** A folder created so a new target has somewhere to live; removed on rollback if empty. */
    record MakeFolder(Path dir) implements Step {
    }

    /** New content for {@code target} at the hidden {@code path}: the operation's bytes, or a copy of {@code source}. */
    record Stage(int op, Path path, Path target, Path source) implements Step {
    }

    /**
     * A copy {@code path} of the current content of {@code of}, made before the commit point: the
     * content {@code NAME.backup} will receive when the rename displaces it.
     */
    record Keep(int op, Path path, Path of) implements Step {
    }

    /**
     * The apply step: rename {@code from} over {@code to}, atomically.
     *
     * @param displaced the {@link Keep} of {@code to}'s previous content, or null when {@code to} did not exist
     * @param fromSha the state (SHA-256, or HDFS identity) {@code from} must have for the step to be ours to redo, or null
     * @param toBefore the state {@code to} must still have for a redo not to clobber someone else's change, or null
     * @param trash whether {@code to} is a hidden name deleted once the transaction is done
     */
    record Rename(int op, Path from, Path to, Path displaced, String fromSha, FileState toBefore, boolean trash)
            implements Step {
    }

    /**
     * The content a path had when the transaction was planned: absent, or its SHA-256 (on HDFS,
     * its identity {@code inode:<id>:<length>:<mtime>} instead, see {@code ClusterFs.identity}:
     * either tells whether someone else changed the file since).
     */
    record FileState(boolean exists, String sha256) {
        static final FileState ABSENT = new FileState(false, null);

        @Override
        public String toString() {
            return exists ? "sha256 " + sha256 : "absent";
        }
    }

    /** This step as a journal record (the fields of core's journal). */
    default ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (this instanceof MakeFolder m) {
            node.put("type", "mkdir").put("dir", m.dir().toString());
        } else if (this instanceof Stage s) {
            node.put("type", "stage").put("op", s.op()).put("path", s.path().toString())
                    .put("target", s.target().toString());
            if (s.source() != null) {
                node.put("source", s.source().toString());
            }
        } else if (this instanceof Keep k) {
            node.put("type", "keep").put("op", k.op()).put("path", k.path().toString()).put("of", k.of().toString());
        } else {
            Rename r = (Rename) this;
            node.put("type", "rename").put("op", r.op()).put("from", r.from().toString())
                    .put("to", r.to().toString()).put("trash", r.trash());
            if (r.displaced() != null) {
                node.put("displaced", r.displaced().toString());
            }
            if (r.fromSha() != null) {
                node.put("fromSha", r.fromSha());
            }
            if (r.toBefore() != null) {
                node.put("toExisted", r.toBefore().exists());
                if (r.toBefore().sha256() != null) {
                    node.put("toSha", r.toBefore().sha256());
                }
            }
        }
        return node;
    }

    /** The step a journal record describes, or null when the record is not a step. */
    static Step fromJson(JsonNode node) {
        switch (node.path("type").asString()) {
            case "mkdir":
                return new MakeFolder(path(node, "dir"));
            case "stage":
                return new Stage(node.path("op").asInt(), path(node, "path"), path(node, "target"),
                        node.has("source") ? path(node, "source") : null);
            case "keep":
                return new Keep(node.path("op").asInt(), path(node, "path"), path(node, "of"));
            case "rename":
                FileState before = node.has("toExisted")
                        ? new FileState(node.path("toExisted").asBoolean(),
                                node.has("toSha") ? node.path("toSha").asString() : null)
                        : null;
                return new Rename(node.path("op").asInt(), path(node, "from"), path(node, "to"),
                        node.has("displaced") ? path(node, "displaced") : null,
                        node.has("fromSha") ? node.path("fromSha").asString() : null, before,
                        node.path("trash").asBoolean());
            default:
                return null;
        }
    }

    private static Path path(JsonNode node, String field) {
        return new Path(node.path(field).asString());
    }
}
