package io.atomicfiles.hadoop.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Counts the calls the NameNode served, by method, from its RPC metrics (the JMX beans
 * {@code Hadoop:service=NameNode,name=RpcDetailedActivityForPort*}, attributes
 * {@code <Method>NumOps}), in the benchmark's own JVM where the MiniDFSCluster runs. The count is
 * deterministic where times are not: what a write costs the NameNode, call by call. The
 * DataNodes' own calls (heartbeats, block reports) run meanwhile and are left out by name, and so
 * are the "Overall" aggregates. Hadoop's metrics system caches what JMX shows for its period
 * (10 s by default): each snapshot waits that long first, so that it is fresh.
 */
final class NameNodeCalls {
    /** The DataNode-to-NameNode protocol: not the client's calls. */
    private static final java.util.Set<String> DATANODE_CALLS = java.util.Set.of("SendHeartbeat",
            "BlockReceivedAndDeleted", "BlockReport", "CacheReport", "VersionRequest", "RegisterDatanode",
            "ErrorReport", "SendLifeline", "GetServiceStatus", "MonitorHealth");

    private NameNodeCalls() {
    }

    /** Runs {@code op} {@code times} times and prints the NameNode calls per run, by method. */
    static void print(String name, int times, ClusterBenchmark.Op op) throws Exception {
        Map<String, Long> before = freshSnapshot();
        long cpuStart = processCpuNanos();
        for (int i = 0; i < times; i++) {
            op.run();
        }
        double cpuMs = (processCpuNanos() - cpuStart) / 1e6 / times;
        Map<String, Long> after = freshSnapshot();
        StringBuilder line = new StringBuilder();
        double total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (delta > 0 && !DATANODE_CALLS.contains(e.getKey()) && !e.getKey().startsWith("Overall")) {
                double perOp = (double) delta / times;
                total += perOp;
                line.append(String.format(Locale.ROOT, " %s %.2f", e.getKey(), perOp));
            }
        }
        System.out.printf(Locale.ROOT, "NameNode calls per op, %s (%d ops): %.2f:%s; CPU time of the whole JVM"
                + " (client, NameNode, DataNodes) per op %.2f ms%n", name, times, total, line, cpuMs);
    }

    /**
     * The CPU time of this JVM, all threads: the client, the NameNode and the DataNodes run here,
     * so this is the whole work of an operation, whatever the machine's load (plus the cluster's
     * background threads, heartbeats, alike for both sides).
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Map<String, Long> freshSnapshot() throws Exception {
        Thread.sleep(CACHE_MS);
        return snapshot();
    }

    /** The metrics system's default period, after which JMX shows new values; and a margin. */
    private static final long CACHE_MS = 11_000;

    private static Map<String, Long> snapshot() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Long> counts = new TreeMap<>();
        for (ObjectName bean : server.queryNames(new ObjectName("Hadoop:service=NameNode,name=RpcDetailedActivityForPort*"),
                null)) {
            for (MBeanAttributeInfo attribute : server.getMBeanInfo(bean).getAttributes()) {
                String attr = attribute.getName();
                if (attr.endsWith("NumOps")) {
                    Object value = server.getAttribute(bean, attr);
                    if (value instanceof Number n) {
                        counts.merge(attr.substring(0, attr.length() - "NumOps".length()), n.longValue(), Long::sum);
                    }
                }
            }
        }
        return counts;
    }
}
