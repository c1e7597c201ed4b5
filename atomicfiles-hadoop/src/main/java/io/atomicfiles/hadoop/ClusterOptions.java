package io.atomicfiles.hadoop;

import io.atomicfiles.Durability;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.hadoop.fs.Path;

/**
 * How a {@link ClusterFiles} behaves. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * ClusterOptions options = ClusterOptions.builder()
 *         .zooKeeper("zk1:2181,zk2:2181,zk3:2181")   // cross-host locks; none: no locks
 *         .lockTimeout(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 *
 * <p>The defaults: the journal folder {@code /.atomicfiles/journal} on the filesystem given to
 * {@link ClusterFiles#open}, no ZooKeeper (writes are still atomic, but concurrent
 * read-modify-write from several hosts can lose updates: see {@link ClusterFiles}), a lock
 * timeout of 60 seconds, backups on, {@link Durability#FULL}, ZooKeeper nodes under
 * {@code /atomicfiles}, a ZooKeeper session timeout of 30 seconds.
 */
public final class ClusterOptions {
    /** The default journal folder, on the cluster's filesystem. */
    public static final Path DEFAULT_JOURNAL_DIR = new Path("/.atomicfiles/journal");
    private static final ClusterOptions DEFAULTS = new Builder().build();

    private final Path journalDir;
    private final String zooKeeper;
    private final CuratorFramework curator;
    private final Duration lockTimeout;
    private final boolean backup;
    private final Durability durability;
    private final String zooKeeperRoot;
    private final Duration sessionTimeout;

    private ClusterOptions(Builder b) {
        this.journalDir = b.journalDir;
        this.zooKeeper = b.zooKeeper;
        this.curator = b.curator;
        this.lockTimeout = b.lockTimeout;
        this.backup = b.backup;
        this.durability = b.durability;
        this.zooKeeperRoot = b.zooKeeperRoot;
        this.sessionTimeout = b.sessionTimeout;
    }

    /** No ZooKeeper, the default journal folder, backups on, {@link Durability#FULL}. */
    public static ClusterOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Where transaction journals live on the cluster: every host that may recover must see it. */
    public Path journalDir() {
        return journalDir;
    }

    /** The ZooKeeper connect string, when {@link ClusterFiles} is to make its own Curator client. */
    public Optional<String> zooKeeper() {
        return Optional.ofNullable(zooKeeper);
    }

    /** The caller's started Curator client, used as is and never closed by this library. */
    public Optional<CuratorFramework> curator() {
        return Optional.ofNullable(curator);
    }

    /** Whether cross-host locks are configured (a connect string or a Curator client). */
    public boolean hasZooKeeper() {
        return zooKeeper != null || curator != null;
    }

    /** How long a write or transaction waits for another host's lock before it gives up. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /**
     * Whether a replaced file's previous content is kept as {@code NAME.backup} (and a deleted
     * one as {@code NAME.deleted_backup}): the default of writes given no {@code WriteOptions},
     * and of transactions.
     */
    public boolean backup() {
        return backup;
    }

    /** What survives a power loss, for transactions and for writes given no {@code WriteOptions}. */
    public Durability durability() {
        return durability;
    }

    /** The ZooKeeper node under which locks live (default {@code /atomicfiles}). */
    public String zooKeeperRoot() {
        return zooKeeperRoot;
    }

    /** The session timeout of a Curator client made from {@link #zooKeeper()}. */
    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    @Override
    public String toString() {
        return "ClusterOptions{journalDir=" + journalDir + ", zooKeeper="
                + (curator != null ? "(Curator client)" : zooKeeper) + ", lockTimeout=" + lockTimeout + ", backup="
                + backup + ", durability=" + durability + ", zooKeeperRoot=" + zooKeeperRoot + ", sessionTimeout="
                + sessionTimeout + "}";
    }

    /** Builds {@link ClusterOptions}; every setter returns the builder. */
    public static final class Builder {
        private Path journalDir = DEFAULT_JOURNAL_DIR;
        private String zooKeeper;
        private CuratorFramework curator;
        private Duration lockTimeout = Duration.ofSeconds(60);
        private boolean backup = true;
        private Durability durability = Durability.FULL;
        private String zooKeeperRoot = "/atomicfiles";
        private Duration sessionTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        private Builder(ClusterOptions o) {
            this.journalDir = o.journalDir;
            this.zooKeeper = o.zooKeeper;
            this.curator = o.curator;
            this.lockTimeout = o.lockTimeout;
            this.backup = o.backup;
            this.durability = o.durability;
            this.zooKeeperRoot = o.zooKeeperRoot;
            this.sessionTimeout = o.sessionTimeout;
        }

        /** An absolute path on the cluster's filesystem (null restores the default). */
        public Builder journalDir(Path journalDir) {
            if (journalDir != null && !journalDir.isAbsolute()) {
                throw new IllegalArgumentException("journalDir must be an absolute path, got: " + journalDir);
            }
            this.journalDir = journalDir == null ? DEFAULT_JOURNAL_DIR : journalDir;
            return this;
        }

        /** A ZooKeeper connect string ({@code host:port,...}); replaces a Curator client set before. */
        public Builder zooKeeper(String connectString) {
            if (connectString != null && connectString.isBlank()) {
                throw new IllegalArgumentException("zooKeeper connect string is blank");
            }
            this.zooKeeper = connectString;
            if (connectString != null) {
                this.curator = null;
            }
            return this;
        }

        /** A started Curator client of the caller's; replaces a connect string set before. */
        public Builder curator(CuratorFramework curator) {
            this.curator = curator;
            if (curator != null) {
                this.zooKeeper = null;
            }
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

        public Builder backup(boolean backup) {
            this.backup = backup;
            return this;
        }

        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /** An absolute ZooKeeper path such as {@code /atomicfiles} (several applications may share one root). */
        public Builder zooKeeperRoot(String root) {
            if (root == null || !root.startsWith("/") || root.length() < 2 || root.endsWith("/")) {
                throw new IllegalArgumentException("zooKeeperRoot must be an absolute ZooKeeper path such as"
                        + " /atomicfiles, got: " + root);
            }
            this.zooKeeperRoot = root;
            return this;
        }

        public Builder sessionTimeout(Duration sessionTimeout) {
            Objects.requireNonNull(sessionTimeout, "sessionTimeout");
            if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
                throw new IllegalArgumentException("sessionTimeout must be positive: " + sessionTimeout);
            }
            this.sessionTimeout = sessionTimeout;
            return this;
        }

        public ClusterOptions build() {
            return new ClusterOptions(this);
        }
    }
}
