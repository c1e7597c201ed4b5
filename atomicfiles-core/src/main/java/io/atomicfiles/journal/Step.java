package io.atomicfiles.journal;

import java.nio.file.Path;
import java.nio.file.FileSystem;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One primitive step of a transaction, as recorded in its journal before anything is touched.
 *
 * <p>Everything a transaction does to the user's folders is one of these. Before the commit
 * point it only creates new hidden names ({@link MakeFolder}, {@link Stage}, {@link Keep});
 * after it, it only renames ({@link Rename}). Every step can be redone and undone, and doing
 * either twice is the same as doing it once, which is what makes recovery after a crash (even
 * a crash during recovery) safe.
 */
public sealed interface Step permits Step.MakeFolder, Step.Stage, Step.Keep, Step.Rename {

    /** A folder created so a new target has somewhere to live; removed on rollback if empty. */
    record MakeFolder(Path dir) implements Step {
    }

    /**
     * New content for {@code target}, written to the hidden name {@code path} beside it: the
     * operation's bytes, or a copy of {@code source} when that is not null.
     */
    record Stage(int op, Path path, Path target, Path source) implements Step {
    }

    /**
     * A hard link {@code path} to the current content of {@code of}, made before the commit
     * point: what a rename will displace, kept so the rename can be undone, or the content a
     * backup will receive.
     */
    record Keep(int op, Path path, Path of) implements Step {
    }

    /**
     * The apply step: rename {@code from} to {@code to}.
     *
     * @param displaced the {@link Keep} of {@code to}'s previous content, or null when {@code to} did not exist
     * @param displacedSha the SHA-256 of that previous content (what {@code displaced} holds), or
     *     null (journals of version 1): how an undo knows it already put the content back, since
     *     the keep is gone once it has
     * @param fromSha the SHA-256 {@code from} must have for the step to be ours to redo, or null
     *     (a staged file: its SHA-256 is in the commit record)
     * @param toBefore the state {@code to} must still have for the step to be redone without
     *     clobbering someone else's change, or null for no check (the library's own backup names)
     * @param trash whether {@code to} is a hidden name to be deleted once the transaction is done
     */
    record Rename(int op, Path from, Path to, Path displaced, String displacedSha, String fromSha, FileState toBefore,
            boolean trash) implements Step {
    }

    /** The content a path had when the transaction was planned: absent, or a SHA-256. */
    record FileState(boolean exists, String sha256) {
        static final FileState ABSENT = new FileState(false, null);

        @Override
        public String toString() {
            return exists ? "sha256 " + sha256 : "absent";
        }
    }

    /** This step as a journal record. */
    default ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (this instanceof MakeFolder) {
            node.put("type", "mkdir").put("dir", ((MakeFolder) this).dir().toString());
        } else if (this instanceof Stage) {
            Stage s = (Stage) this;
            node.put("type", "stage").put("op", s.op()).put("path", s.path().toString())
                    .put("target", s.target().toString());
            if (s.source() != null) {
                node.put("source", s.source().toString());
            }
        } else if (this instanceof Keep) {
            Keep k = (Keep) this;
            node.put("type", "keep").put("op", k.op()).put("path", k.path().toString()).put("of", k.of().toString());
        } else {
            Rename r = (Rename) this;
            node.put("type", "rename").put("op", r.op()).put("from", r.from().toString())
                    .put("to", r.to().toString()).put("trash", r.trash());
            if (r.displaced() != null) {
                node.put("displaced", r.displaced().toString());
            }
            if (r.displacedSha() != null) {
                node.put("displacedSha", r.displacedSha());
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

    /**
     * The step a journal record describes, or null when the record is not a step. Paths are
     * read on {@code fs}: the filesystem of the journal folder, which is the targets' too.
     */
    static Step fromJson(JsonNode node, FileSystem fs) {
        switch (node.path("type").asString()) {
            case "mkdir":
                return new MakeFolder(path(fs, node, "dir"));
            case "stage":
                return new Stage(node.path("op").asInt(), path(fs, node, "path"), path(fs, node, "target"),
                        node.has("source") ? path(fs, node, "source") : null);
            case "keep":
                return new Keep(node.path("op").asInt(), path(fs, node, "path"), path(fs, node, "of"));
            case "rename":
                FileState before = node.has("toExisted")
                        ? new FileState(node.path("toExisted").asBoolean(),
                                node.has("toSha") ? node.path("toSha").asString() : null)
                        : null;
                return new Rename(node.path("op").asInt(), path(fs, node, "from"), path(fs, node, "to"),
                        node.has("displaced") ? path(fs, node, "displaced") : null,
                        node.has("displacedSha") ? node.path("displacedSha").asString() : null,
                        node.has("fromSha") ? node.path("fromSha").asString() : null, before,
                        node.path("trash").asBoolean());
            default:
                return null;
        }
    }

    private static Path path(FileSystem fs, JsonNode node, String field) {
        return fs.getPath(node.path(field).asString());
    }
}
