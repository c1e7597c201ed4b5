#!/usr/bin/env bash
# The cluster benchmark (BENCHMARKS.md, "On a cluster (HDFS)"): one MiniDFSCluster and a
# ZooKeeper quorum on this machine, the library's writes and transactions side by side with the
# bare HDFS protocol, and the NameNode calls and CPU time per write. Usage:
# atomicfiles-hadoop/bench.sh [--pairs N] [--tx-pairs M] [--rpc-writes K] [--writes-only]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl atomicfiles-hadoop -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/demo.classpath
cp="atomicfiles-hadoop/target/test-classes:atomicfiles-hadoop/target/classes:$(cat atomicfiles-hadoop/target/demo.classpath)"
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$cp" \
    io.atomicfiles.hadoop.bench.ClusterBenchmark "$@"
