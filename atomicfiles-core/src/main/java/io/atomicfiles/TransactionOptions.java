package io.atomicfiles;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a {@link FileTransaction} behaves. Immutable; build with {@link #builder()}.
 *
 * <p>The defaults: the journal in the state folder (see {@link FileTransaction}), a generated
 * id, progress on (reported to the {@link #progressListener()} if one is set; the library itself
 * never draws anything, see {@link ProgressListener}), backups on ({@code
 * NAME.backup} for overwritten files, {@code NAME.deleted_backup} for deleted ones),
 * {@link Durability#FULL}, wait up to 60 seconds for the files' locks, not confined to a folder.
 */
public final class TransactionOptions {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final TransactionOptions DEFAULTS = new Builder().build();

    private final Path journalDir;
    private final String transactionId;
    private final boolean showProgress;
    private final boolean backup;
    private final Durability durability;
    private final Duration lockTimeout;
    private final ProgressListener progressListener;
    private final Path confinedTo;

    private TransactionOptions(Builder b) {
        this.journalDir = b.journalDir;
        this.transactionId = b.transactionId;
        this.showProgress = b.showProgress;
        this.backup = b.backup;
        this.durability = b.durability;
        this.lockTimeout = b.lockTimeout;
        this.progressListener = b.progressListener;
        this.confinedTo = b.confinedTo;
    }

    public static TransactionOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The folder of the journal; empty means the state folder. */
    public Optional<Path> journalDir() {
        return Optional.ofNullable(journalDir);
    }

    /** The transaction's id; empty means a generated one. */
    public Optional<String> transactionId() {
        return Optional.ofNullable(transactionId);
    }

    public boolean showProgress() {
        return showProgress;
    }

    /** Whether overwritten files are kept as {@code NAME.backup} and deleted ones as {@code NAME.deleted_backup}. */
    public boolean backup() {
        return backup;
    }

    public Durability durability() {
        return durability;
    }

    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** The listener set by the caller; empty means progress goes nowhere (the library draws nothing). */
    public Optional<ProgressListener> progressListener() {
        return Optional.ofNullable(progressListener);
    }

    /**
     * The folder every change of the transaction must stay inside; empty means no confinement.
     * See {@link Builder#confinedTo(Path)}.
     */
    public Optional<Path> confinedTo() {
        return Optional.ofNullable(confinedTo);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TransactionOptions)) {
            return false;
        }
        TransactionOptions other = (TransactionOptions) o;
        return Objects.equals(journalDir, other.journalDir) && Objects.equals(transactionId, other.transactionId)
                && showProgress == other.showProgress && backup == other.backup && durability == other.durability
                && lockTimeout.equals(other.lockTimeout) && Objects.equals(progressListener, other.progressListener)
                && Objects.equals(confinedTo, other.confinedTo);
    }

    @Override
    public int hashCode() {
        return Objects.hash(journalDir, transactionId, showProgress, backup, durability, lockTimeout,
                progressListener, confinedTo);
    }

    @Override
    public String toString() {
        return "TransactionOptions{journalDir=" + journalDir + ", transactionId=" + transactionId + ", showProgress="
                + showProgress + ", backup=" + backup + ", durability=" + durability + ", lockTimeout=" + lockTimeout
                + (confinedTo == null ? "" : ", confinedTo=" + confinedTo) + "}";
    }

    /** Builds {@link TransactionOptions}. */
    public static final class Builder {
        private Path journalDir;
        private String transactionId;
        private boolean showProgress = true;
        private boolean backup = true;
        private Durability durability = Durability.FULL;
        private Duration lockTimeout = Duration.ofSeconds(60);
        private ProgressListener progressListener;
        private Path confinedTo;

        private Builder() {
        }

        private Builder(TransactionOptions o) {
            this.journalDir = o.journalDir;
            this.transactionId = o.transactionId;
            this.showProgress = o.showProgress;
            this.backup = o.backup;
            this.durability = o.durability;
            this.lockTimeout = o.lockTimeout;
            this.progressListener = o.progressListener;
            this.confinedTo = o.confinedTo;
        }

        /** Where the journal lives (null: the state folder). Recovery must be pointed at the same folder. */
        public Builder journalDir(Path journalDir) {
            this.journalDir = journalDir == null ? null : journalDir.toAbsolutePath();
            return this;
        }

        /** 1 to 64 characters of letters, digits, '.', '_' and '-', starting with a letter or digit; null: generated. */
        public Builder transactionId(String transactionId) {
            if (transactionId != null && !ID.matcher(transactionId).matches()) {
                throw new IllegalArgumentException("transactionId must be 1-64 characters [A-Za-z0-9._-] starting"
                        + " with a letter or digit, got: " + transactionId);
            }
            this.transactionId = transactionId;
            return this;
        }

        public Builder showProgress(boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        public Builder backup(boolean backup) {
            this.backup = backup;
            return this;
        }

        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
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

        /** Who receives progress while {@code showProgress} is on; null (the default) for nobody. */
        public Builder progressListener(ProgressListener progressListener) {
            this.progressListener = progressListener;
            return this;
        }

        /**
         * Confines every change of the transaction to the folder {@code root} (null: no
         * confinement). Adding an operation whose path, with its symbolic links followed, leads
         * outside the root is refused. At commit, right before each change on disk (creating a
         * folder, a staged file or a keep link, each rename, each deletion; in recovery too, the
         * journal records the root), the folders on the path are looked at again one by one from
         * the filesystem's root without following links: one that has become a symbolic link
         * (a folder swapped for a link since the operation was added) fails the transaction,
         * which is undone, and nothing is done through the link.
         *
         * <p>Renames, deletions and reads of sources are then made relative to folders opened
         * from the root without following links ({@code renameat}, {@code unlinkat},
         * {@code openat}): no swap, however timed, redirects them. What remains possible: a swap
         * timed into the instant between the check and the creation of a new name (a folder, a
         * staged file, a keep link) can make that name appear in the folder the link points to;
         * creation never replaces, so nothing existing outside the root is changed, but the new
         * name is left there (Java has no {@code mkdirat} or {@code linkat}). The root's own path
         * is resolved once, when the first operation is added.
         */
        public Builder confinedTo(Path root) {
            this.confinedTo = root == null ? null : root.toAbsolutePath();
            return this;
        }

        public TransactionOptions build() {
            return new TransactionOptions(this);
        }
    }
}
