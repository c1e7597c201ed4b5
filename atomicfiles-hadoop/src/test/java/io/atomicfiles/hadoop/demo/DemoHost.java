package io.atomicfiles.hadoop.demo;

import io.atomicfiles.ContentType;
import io.atomicfiles.hadoop.ClusterFiles;
import io.atomicfiles.hadoop.ClusterOptions;
import io.atomicfiles.hadoop.ClusterTransaction;
import java.net.URI;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One "host" of the demo, in a JVM of its own: {@code DemoHost NAME HDFS_URI ZK_CONNECT ROUNDS}.
 * Each round it adds 1 to the shared counter {@code /demo/counter.json} (read-modify-write under
 * the file's ZooKeeper lock) and rewrites the three files of {@code /demo/release/} in one
 * transaction. It prints "ready", then one line per acknowledged change.
 */
public final class DemoHost {
    private DemoHost() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int rounds = Integer.parseInt(args[3]);
        Configuration conf = new Configuration();
        conf.setBoolean("dfs.client.block.write.replace-datanode-on-failure.best-effort", true);
        FileSystem fs = FileSystem.newInstance(URI.create(args[1]), conf);
        ClusterOptions options = ClusterOptions.builder()
                .zooKeeper(args[2])
                // Short, so that the quorum notices a dead host quickly (the demo kills one).
                .sessionTimeout(Duration.ofSeconds(4))
                .lockTimeout(Duration.ofMinutes(2))
                .build();
        try (ClusterFiles files = ClusterFiles.open(fs, options)) {
            say("ready");
            for (int round = 1; round <= rounds; round++) {
                files.atomicJsonUpdate(new Path("/demo/counter.json"), data -> {
                    data.merge("increments", 1, (a, b) -> ((Number) a).intValue() + ((Number) b).intValue());
                    data.merge(name, 1, (a, b) -> ((Number) a).intValue() + ((Number) b).intValue());
                    return data;
                });
                say("increment " + round);
                String release = name + " round " + round;
                try (ClusterTransaction tx = files.transaction()) {
                    tx.addWrite(new Path("/demo/release/app.json"),
                            java.util.Map.of("release", release, "replicas", round), ContentType.JSON);
                    tx.addWrite(new Path("/demo/release/db.yaml"), java.util.Map.of("release", release),
                            ContentType.YAML);
                    tx.addWrite(new Path("/demo/release/MANIFEST"), release + "\n", ContentType.TEXT);
                    tx.commit();
                }
                say("transaction " + round);
            }
        }
        say("finished");
        System.exit(0);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
