#!/usr/bin/env bash
# The cluster demo: a real HDFS (MiniDFSCluster) and a 3-server ZooKeeper quorum on this machine,
# several client JVMs updating shared files while one is killed, then the recovered state.
# Usage: atomicfiles-hadoop/demo.sh [--hosts N] [--rounds R]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl atomicfiles-hadoop -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/demo.classpath
cp="atomicfiles-hadoop/target/test-classes:atomicfiles-hadoop/target/classes:$(cat atomicfiles-hadoop/target/demo.classpath)"
exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$cp" \
    io.atomicfiles.hadoop.demo.ClusterDemo "$@"
