package io.atomicfiles.hadoop.testing;

import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * Ends a ZooKeeper session from outside, as the quorum does when a client falls silent: the
 * session's ephemeral nodes (its locks) go at once. Used after a client JVM is killed, instead of
 * waiting for the session timeout, and to expire a live client's session mid-transaction.
 */
public final class Sessions {
    private Sessions() {
    }

    /** "session <hex id> <hex password>", as a child prints it. */
    public static String describe(CuratorFramework client) throws Exception {
        ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
        return "session " + Long.toHexString(zk.getSessionId()) + " " + HexFormat.of().formatHex(zk.getSessionPasswd());
    }

    /** Expires the session a line of {@link #describe} names. */
    public static void expire(String connect, String line) throws Exception {
        String[] parts = line.split(" ");
        expire(connect, Long.parseUnsignedLong(parts[1], 16), HexFormat.of().parseHex(parts[2]));
    }

    public static void expire(String connect, long sessionId, byte[] password) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 5000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, sessionId, password);
        try {
            if (!connected.await(20, TimeUnit.SECONDS)) {
                // The session is gone already (expired): nothing to end.
                return;
            }
        } finally {
            zk.close(); // closing the session from here ends it for its owner too
        }
    }
}
