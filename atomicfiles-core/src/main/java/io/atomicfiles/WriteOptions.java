package io.atomicfiles;

import io.atomicfiles.format.Schemas;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How a single-file write behaves. Immutable; build with {@link #builder()} or start from
 * {@link #defaults()} and change what you need with {@link #toBuilder()}.
 *
 * <pre>{@code
 * WriteOptions quiet = WriteOptions.defaults().toBuilder()
 *         .showProgress(false)
 *         .durability(Durability.FILE)
 *         .build();
 * }</pre>
 *
 * <p>The defaults: backup on, progress on (reported to the {@link #progressListener()} if one is
 * set; the library itself never draws anything, see {@link ProgressListener}),
 * integrity verification on, no schema, {@link Durability#FULL}, replace an existing target,
 * no expected checksum, write through symbolic links, wait up to 60 seconds for the path's lock.
 */
public final class WriteOptions {
    private static final WriteOptions DEFAULTS = new Builder().build();

    private final boolean backup;
    private final boolean showProgress;
    private final boolean verifyIntegrity;
    private final Object schema;
    private final Durability durability;
    private final boolean createNew;
    private final String expectedChecksum;
    private final boolean followSymlinks;
    private final ProgressListener progressListener;
    private final Duration lockTimeout;
    private final RetryPolicy retryPolicy;

    private WriteOptions(Builder b) {
        this.backup = b.backup;
        this.showProgress = b.showProgress;
        this.verifyIntegrity = b.verifyIntegrity;
        this.schema = b.schema;
        this.durability = b.durability;
        this.createNew = b.createNew;
        this.expectedChecksum = b.expectedChecksum;
        this.followSymlinks = b.followSymlinks;
        this.progressListener = b.progressListener;
        this.lockTimeout = b.lockTimeout;
        this.retryPolicy = b.retryPolicy;
    }

    /** Backup on, progress on, verify on, no schema, {@link Durability#FULL}. */
    public static WriteOptions defaults() {
        return DEFAULTS;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to derive changed ones. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether the previous content of {@code NAME} is kept as {@code NAME.backup}. */
    public boolean backup() {
        return backup;
    }

    /**
     * Whether progress is reported to {@link #progressListener()}. The library never draws on the
     * console: without a listener, progress goes nowhere.
     */
    public boolean showProgress() {
        return showProgress;
    }

    /**
     * Whether the temp file is read back after it is forced, and compared with what was written,
     * before it is published. The comparison is by CRC32C of each 512 KiB chunk, taken as the
     * chunk was written: it detects a disk or filesystem that returns other bytes than it was
     * given (accidental corruption), not a deliberate forgery. The SHA-256 the write reports is
     * computed once, from the content as it was streamed. A mismatch is an
     * {@link IntegrityException} and the target is left as it was.
     */
    public boolean verifyIntegrity() {
        return verifyIntegrity;
    }

    /**
     * The JSON Schema that structured content must satisfy: a {@code Map}, a Jackson
     * {@code JsonNode}, a JSON string or a {@code Path} to a schema file; empty for none.
     */
    public Optional<Object> schema() {
        return Optional.ofNullable(schema);
    }

    /** What survives a power loss; see {@link Durability}. */
    public Durability durability() {
        return durability;
    }

    /** Whether the write must fail, atomically, when the target already exists. */
    public boolean createNew() {
        return createNew;
    }

    /**
     * The hex SHA-256 the target must still have for the write to go ahead (optimistic
     * concurrency); empty for no check.
     */
    public Optional<String> expectedChecksum() {
        return Optional.ofNullable(expectedChecksum);
    }

    /**
     * Whether a target that is a symbolic link is written through (its target receives the
     * content; the default) or replaced by a regular file. Links are followed only as Linux's
     * {@code fs.protected_symlinks} rule allows, whatever the system's setting: a link in a
     * sticky folder that everyone may write to (like {@code /tmp}) must belong to this process's
     * user or to the folder's owner, else the write is refused.
     */
    public boolean followSymlinks() {
        return followSymlinks;
    }

    /** The listener set by the caller; empty means progress goes nowhere (the library draws nothing). */
    public Optional<ProgressListener> progressListener() {
        return Optional.ofNullable(progressListener);
    }

    /** How long a write waits for another writer of the same path before it gives up. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** How transient failures are retried; {@link RetryPolicy#none()} by default. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof WriteOptions)) {
            return false;
        }
        WriteOptions other = (WriteOptions) o;
        return backup == other.backup && showProgress == other.showProgress
                && verifyIntegrity == other.verifyIntegrity && Objects.equals(schema, other.schema)
                && durability == other.durability && createNew == other.createNew
                && Objects.equals(expectedChecksum, other.expectedChecksum) && followSymlinks == other.followSymlinks
                && Objects.equals(progressListener, other.progressListener)
                && lockTimeout.equals(other.lockTimeout) && retryPolicy.equals(other.retryPolicy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(backup, showProgress, verifyIntegrity, schema, durability, createNew, expectedChecksum,
                followSymlinks, progressListener, lockTimeout, retryPolicy);
    }

    @Override
    public String toString() {
        return "WriteOptions{backup=" + backup + ", showProgress=" + showProgress + ", verifyIntegrity="
                + verifyIntegrity + ", schema=" + (schema == null ? "none" : schema.getClass().getSimpleName())
                + ", durability=" + durability + ", createNew=" + createNew + ", expectedChecksum="
                + expectedChecksum + ", followSymlinks=" + followSymlinks + ", lockTimeout=" + lockTimeout
                + ", retryPolicy=" + retryPolicy + "}";
    }

    /** Builds {@link WriteOptions}; every setter returns the builder. */
    public static final class Builder {
        private boolean backup = true;
        private boolean showProgress = true;
        private boolean verifyIntegrity = true;
        private Object schema;
        private Durability durability = Durability.FULL;
        private boolean createNew;
        private String expectedChecksum;
        private boolean followSymlinks = true;
        private ProgressListener progressListener;
        private Duration lockTimeout = Duration.ofSeconds(60);
        private RetryPolicy retryPolicy = RetryPolicy.none();

        private Builder() {
        }

        private Builder(WriteOptions o) {
            this.backup = o.backup;
            this.showProgress = o.showProgress;
            this.verifyIntegrity = o.verifyIntegrity;
            this.schema = o.schema;
            this.durability = o.durability;
            this.createNew = o.createNew;
            this.expectedChecksum = o.expectedChecksum;
            this.followSymlinks = o.followSymlinks;
            this.progressListener = o.progressListener;
            this.lockTimeout = o.lockTimeout;
            this.retryPolicy = o.retryPolicy;
        }

        public Builder backup(boolean backup) {
            this.backup = backup;
            return this;
        }

        public Builder showProgress(boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        /** Read the temp file back and compare it by CRC32C per chunk before publishing; see {@link WriteOptions#verifyIntegrity()}. */
        public Builder verifyIntegrity(boolean verifyIntegrity) {
            this.verifyIntegrity = verifyIntegrity;
            return this;
        }

        /**
         * A {@code Map}, a Jackson {@code JsonNode}, a JSON string, a {@code Path}, or null for none.
         *
         * @throws IllegalArgumentException for a value of any other type
         */
        public Builder schema(Object schema) {
            if (schema != null) {
                Schemas.requireSchemaShape(schema);
            }
            // Options are immutable: a Map or a tree is kept as a private copy (a JsonNode), so
            // changing the caller's object later cannot change what writes are checked against.
            if (schema instanceof java.util.Map) {
                schema = io.atomicfiles.format.Codecs.toTree(schema);
            } else if (schema instanceof tools.jackson.databind.JsonNode) {
                schema = ((tools.jackson.databind.JsonNode) schema).deepCopy();
            }
            this.schema = schema;
            return this;
        }

        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        public Builder createNew(boolean createNew) {
            this.createNew = createNew;
            return this;
        }

        /** Hex SHA-256 (64 characters, any case) the target must have, or null for no check. */
        public Builder expectedChecksum(String sha256) {
            if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("expectedChecksum must be 64 hex digits (SHA-256), got: " + sha256);
            }
            this.expectedChecksum = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
            return this;
        }

        public Builder followSymlinks(boolean followSymlinks) {
            this.followSymlinks = followSymlinks;
            return this;
        }

        /** Who receives progress while {@code showProgress} is on; null (the default) for nobody. */
        public Builder progressListener(ProgressListener progressListener) {
            this.progressListener = progressListener;
            return this;
        }

        public Builder lockTimeout(Duration lockTimeout) {
            Objects.requireNonNull(lockTimeout, "lockTimeout");
            if (lockTimeout.isNegative()) {
                throw new IllegalArgumentException("lockTimeout must not be negative: " + lockTimeout);
            }
            this.lockTimeout = lockTimeout;
            return this;
        }

        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        public WriteOptions build() {
            return new WriteOptions(this);
        }
    }
}
