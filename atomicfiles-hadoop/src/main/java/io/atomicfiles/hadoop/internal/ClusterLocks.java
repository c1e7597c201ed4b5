package io.atomicfiles.hadoop.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.LockTimeoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.hadoop.fs.Path;

/**
 * Cross-host locks through ZooKeeper (Curator's {@link InterProcessMutex}), keyed by a file's
 * fully qualified path, and the guard that tells whether the session that holds them is still
 * the one that took them.
 *
 * <p>A lock is the znode {@code <root>/locks/<first 32 hex digits of SHA-256(qualified path)>}
 * (a container node: ZooKeeper removes it once unused). Several locks are always taken in the
 * order of their keys, so two transactions never deadlock. Without ZooKeeper ({@link #none()})
 * nothing is locked: writes stay atomic, but concurrent read-modify-write loses updates.
 *
 * <p>A lock is only as good as the session behind it: when the connection is suspended or the
 * session lost, ZooKeeper may already have given the lock to another host. Every suspension or
 * loss is counted; {@link Held#checkSession} fails once one happened since the locks were taken,
 * or when the session is another one than at that time.
 */
public final class ClusterLocks {
    private final CuratorFramework client;
    private final String root;
    /** Suspensions and losses of the connection seen so far. */
    private final AtomicLong interruptions = new AtomicLong();
    private final ConnectionStateListener listener;

    private ClusterLocks(CuratorFramework client, String root) {
        this.client = client;
        this.root = root;
        this.listener = client == null ? null : (c, state) -> {
            if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
                interruptions.incrementAndGet();
            }
        };
        if (client != null) {
            client.getConnectionStateListenable().addListener(listener);
        }
    }

    /** No ZooKeeper: every acquire succeeds at once and excludes nobody. */
    public static ClusterLocks none() {
        return new ClusterLocks(null, null);
    }

    /** Locks in ZooKeeper under {@code root}, through a started client. */
    public static ClusterLocks zooKeeper(CuratorFramework client, String root) {
        return new ClusterLocks(client, root);
    }

    public boolean enabled() {
        return client != null;
    }

    /** Stops listening to the client (which its owner closes). */
    public void detach() {
        if (client != null) {
            client.getConnectionStateListenable().removeListener(listener);
        }
    }

    /** The key of a path's lock. */
    public String key(Path qualified) {
        return "locks/" + sha256(qualified.toString()).substring(0, 32);
    }

    /**
     * Takes the locks of {@code paths} (qualified), in key order, waiting up to {@code timeout}
     * in all. On failure, the locks taken so far are released.
     *
     * @throws LockTimeoutException when another holder kept one of them longer
     */
    public Held acquire(List<Path> paths, Duration timeout, String operation) throws IOException {
        Map<String, Path> byKey = new TreeMap<>();
        for (Path path : paths) {
            byKey.put(key(path), path);
        }
        Held held = new Held(this, sessionId(), interruptions.get());
        if (client == null) {
            return held;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Map.Entry<String, Path> entry : byKey.entrySet()) {
                InterProcessMutex mutex = new InterProcessMutex(client, root + "/" + entry.getKey());
                long left = Math.max(0, deadline - System.nanoTime());
                boolean got;
                try {
                    got = mutex.acquire(left, TimeUnit.NANOSECONDS);
                } catch (IOException e) {
                    throw e;
                } catch (Exception e) {
                    throw Failures.failed(operation, entry.getValue(), "take ZooKeeper lock", e);
                }
                if (!got) {
                    throw new LockTimeoutException(Names.display(entry.getValue()), timeout);
                }
                held.mutexes.add(mutex);
            }
            return held;
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
    }

    /**
     * Takes the lock of {@code path} if it is free right now.
     *
     * @return the held lock, or null when someone holds it
     */
    public Held tryAcquire(Path path, String operation) throws IOException {
        Held held = new Held(this, sessionId(), interruptions.get());
        if (client == null) {
            return held;
        }
        InterProcessMutex mutex = new InterProcessMutex(client, root + "/" + key(path));
        try {
            if (!mutex.acquire(0, TimeUnit.MILLISECONDS)) {
                return null;
            }
        } catch (Exception e) {
            throw Failures.failed(operation, path, "take ZooKeeper lock", e);
        }
        held.mutexes.add(mutex);
        return held;
    }

    private long sessionId() throws IOException {
        if (client == null) {
            return 0;
        }
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            throw new IOException("cannot reach ZooKeeper: " + e.getMessage(), e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Locks held by this thread, released by {@link #close()}. */
    public static final class Held implements AutoCloseable {
        private final ClusterLocks locks;
        private final long sessionId;
        private final long interruptionsAtStart;
        private final List<InterProcessMutex> mutexes = new ArrayList<>();

        private Held(ClusterLocks locks, long sessionId, long interruptionsAtStart) {
            this.locks = locks;
            this.sessionId = sessionId;
            this.interruptionsAtStart = interruptionsAtStart;
        }

        /**
         * Fails when the locks may no longer be ours: the connection was suspended or the session
         * lost since they were taken, or the session is another one now. Without ZooKeeper it
         * never fails.
         */
        public void checkSession(String operation, Path path, String beforeWhat) throws AtomicWriteException {
            if (locks.client == null || mutexes.isEmpty()) {
                return;
            }
            boolean interrupted = locks.interruptions.get() != interruptionsAtStart;
            boolean connected = locks.client.getZookeeperClient().isConnected();
            long now;
            try {
                now = locks.client.getZookeeperClient().getZooKeeper().getSessionId();
            } catch (Exception e) {
                now = -1;
            }
            if (interrupted || !connected || now != sessionId) {
                throw new AtomicWriteException(operation + " " + path + " failed at step '" + beforeWhat
                        + "': the ZooKeeper session that holds its lock was suspended or lost, so another host may"
                        + " hold the lock now; nothing was published", null,
                        Failures.context(operation, path, beforeWhat));
            }
        }

        /**
         * {@link #checkSession}, then asks the quorum: the lock node that grants this client its
         * first lock must still exist and belong to this session (an ephemeral node lives exactly
         * as long as its session, so one node answers for all the locks held). This catches a
         * session the quorum expired while this client has not noticed yet (a long pause, a
         * partition): its connection may look fine until it next talks to a server. Two reads,
         * served by the server this client is connected to. Without ZooKeeper it never fails.
         *
         * <p>What it cannot close: a pause of this client longer than the session timeout
         * <em>after</em> this check and before the step it guards reaches the NameNode. HDFS takes
         * no fencing token, so no client-side check can; see README.md, "On a cluster", the fencing paragraph.
         */
        public void confirmWithQuorum(String operation, Path path, String beforeWhat) throws AtomicWriteException {
            checkSession(operation, path, beforeWhat);
            if (locks.client == null || mutexes.isEmpty()) {
                return;
            }
            String why;
            try {
                java.util.Iterator<String> holders = mutexes.get(0).getParticipantNodes().iterator();
                org.apache.zookeeper.data.Stat stat = holders.hasNext()
                        ? locks.client.checkExists().forPath(holders.next()) : null;
                if (stat != null && stat.getEphemeralOwner() == sessionId) {
                    return;
                }
                why = stat == null ? "its lock node is gone" : "its lock is held by another session ("
                        + Long.toHexString(stat.getEphemeralOwner()) + ")";
            } catch (Exception e) {
                why = "the quorum could not be asked (" + e + ")";
            }
            throw new AtomicWriteException(operation + " " + path + " failed at step '" + beforeWhat
                    + "': the ZooKeeper quorum no longer knows this client's lock (" + why + "), so another host"
                    + " may hold it now; nothing was published", null, Failures.context(operation, path, beforeWhat));
        }

        /** Releases every lock; a lock whose session is gone was released by ZooKeeper already. */
        @Override
        public void close() {
            for (int i = mutexes.size() - 1; i >= 0; i--) {
                try {
                    mutexes.get(i).release();
                } catch (Exception e) {
                    // The session is gone, and with it the lock's node: nothing left to release.
                }
            }
            mutexes.clear();
        }
    }
}
