package io.atomicfiles.hadoop.demo;

import io.atomicfiles.RecoveryReport;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.hadoop.ClusterFiles;
import io.atomicfiles.hadoop.ClusterOptions;
import io.atomicfiles.hadoop.testing.Child;
import io.atomicfiles.hadoop.testing.Clusters;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The cluster demo: starts a real HDFS (a MiniDFSCluster: one NameNode, three DataNodes) and a
 * real three-server ZooKeeper quorum on this machine, runs several client JVMs ("hosts") that
 * update a shared counter and run transactions on shared files, kills one of them with SIGKILL
 * in the middle of its work, and shows the state the others and recovery leave: consistent.
 *
 * <p>{@code ClusterDemo [--hosts N] [--rounds R]} (defaults 3 and 20); exit code 0 when every
 * check holds. Run it with {@code atomicfiles-hadoop/demo.sh}.
 */
public final class ClusterDemo {
    private ClusterDemo() {
    }

    public static void main(String[] args) throws Exception {
        int hosts = 3;
        int rounds = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: ClusterDemo [--hosts N] [--rounds R]");
            }
        }
        boolean consistent = run(hosts, rounds, System.out);
        System.exit(consistent ? 0 : 1);
    }

    /** Runs the demo; true when the final state is consistent. */
    public static boolean run(int hostCount, int rounds, PrintStream out) throws Exception {
        if (hostCount < 2) {
            throw new IllegalArgumentException("the demo needs at least 2 hosts (one of them is killed)");
        }
        out.println("Starting HDFS (1 NameNode, 3 DataNodes) and a 3-server ZooKeeper quorum ...");
        try (Clusters clusters = Clusters.start("demo", 3)) {
            return run(clusters, hostCount, rounds, out);
        }
    }

    /** Runs the demo on running engines (the tests' shared ones); true when the final state is consistent. */
    public static boolean run(Clusters clusters, int hostCount, int rounds, PrintStream out) throws Exception {
        if (hostCount < 2) {
            throw new IllegalArgumentException("the demo needs at least 2 hosts (one of them is killed)");
        }
        {
            out.println("  HDFS:      " + clusters.hdfsUri());
            out.println("  ZooKeeper: " + clusters.zooKeeperConnect());
            FileSystem fs = clusters.fileSystem();
            List<Child> hosts = new ArrayList<>();
            List<Integer> increments = new ArrayList<>();
            try {
                for (int h = 0; h < hostCount; h++) {
                    hosts.add(Child.start(DemoHost.class, "host-" + (h + 1), clusters.hdfsUri(),
                            clusters.zooKeeperConnect(), Integer.toString(rounds)));
                    increments.add(0);
                }
                for (Child host : hosts) {
                    if (host.awaitLineStartingWith("ready", Duration.ofMinutes(3)) == null) {
                        throw new IllegalStateException("a host did not start: " + host.stderr());
                    }
                }
                out.println("Started " + hostCount + " client JVMs (hosts), each doing " + rounds
                        + " counter increments and " + rounds + " 3-file transactions on the same files.");
                // Kill host-1 once it has done about a third of its work.
                Child victim = hosts.get(0);
                int victimIncrements = 0;
                while (victimIncrements < Math.max(1, rounds / 3)) {
                    String line = victim.readLine(Duration.ofMinutes(3));
                    if (line == null) {
                        break;
                    }
                    if (line.startsWith("increment ")) {
                        victimIncrements++;
                    }
                }
                victim.kill();
                for (String line : victim.drain()) {
                    victimIncrements += line.startsWith("increment ") ? 1 : 0;
                }
                increments.set(0, victimIncrements);
                out.println("Killed host-1 (SIGKILL, pid " + victim.process().pid() + ") after " + victimIncrements
                        + " acknowledged increments, in the middle of its work. Its ZooKeeper session expires"
                        + " after 4 s and its locks with it; the others go on.");
                for (int h = 1; h < hostCount; h++) {
                    Child host = hosts.get(h);
                    int done = 0;
                    for (String line; (line = host.readLine(Duration.ofMinutes(5))) != null; ) {
                        done += line.startsWith("increment ") ? 1 : 0;
                        if (line.equals("finished")) {
                            break;
                        }
                    }
                    increments.set(h, done);
                    host.awaitExit(Duration.ofMinutes(1));
                    out.println("host-" + (h + 1) + " finished: " + done + " increments acknowledged");
                }
            } finally {
                hosts.forEach(Child::close);
            }
            try (ClusterFiles files = ClusterFiles.open(fs,
                    ClusterOptions.builder().zooKeeper(clusters.zooKeeperConnect()).build())) {
                RecoveryReport report = files.recover();
                out.println("Recovery from this JVM: " + report);
                out.println("  (a transaction host-1 left half-done is finished by whichever client comes next:"
                        + " the other hosts' next transaction, or this recover())");
            }
            return check(fs, increments, out);
        }
    }

    private static boolean check(FileSystem fs, List<Integer> increments, PrintStream out) throws IOException {
        boolean ok = true;
        out.println();
        out.println("Final state on HDFS:");
        @SuppressWarnings("unchecked")
        Map<String, Object> counter = Codecs.json().readValue(read(fs, new Path("/demo/counter.json")), Map.class);
        int acknowledged = increments.stream().mapToInt(Integer::intValue).sum();
        int total = ((Number) counter.get("increments")).intValue();
        out.println("  /demo/counter.json: " + counter);
        // host-1 may have been killed after its increment was published but before it said so.
        boolean counterOk = total == acknowledged || total == acknowledged + 1;
        out.println("  increments acknowledged by the hosts: " + acknowledged + " -> counter "
                + (counterOk ? "OK (no update lost)" : "WRONG"));
        ok &= counterOk;
        String app = read(fs, new Path("/demo/release/app.json"));
        String db = read(fs, new Path("/demo/release/db.yaml"));
        String manifest = read(fs, new Path("/demo/release/MANIFEST")).trim();
        out.println("  /demo/release/MANIFEST: " + manifest);
        out.println("  /demo/release/app.json: " + app.replace("\n", " "));
        out.println("  /demo/release/db.yaml:  " + db.trim());
        boolean releaseOk = app.contains("\"" + manifest + "\"") && db.contains(manifest);
        out.println("  the three files of the last transaction agree: " + (releaseOk ? "OK" : "WRONG"));
        ok &= releaseOk;
        List<String> hidden = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> all = fs.listFiles(new Path("/demo"), true);
        while (all.hasNext()) {
            String name = all.next().getPath().getName();
            if (name.startsWith(".")) {
                hidden.add(name);
            }
        }
        boolean journalsGone = !fs.exists(ClusterOptions.DEFAULT_JOURNAL_DIR)
                || fs.listStatus(ClusterOptions.DEFAULT_JOURNAL_DIR).length == 0;
        out.println("  temp/staged files left: " + hidden.size() + ", journals left: " + (journalsGone ? 0 : "some")
                + " -> " + (hidden.isEmpty() && journalsGone ? "OK" : "WRONG " + hidden));
        ok &= hidden.isEmpty() && journalsGone;
        out.println(ok ? "CONSISTENT" : "INCONSISTENT");
        return ok;
    }

    private static String read(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
