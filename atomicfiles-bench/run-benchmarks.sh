#!/usr/bin/env bash
# Builds the benchmarks jar, runs every benchmark in one JMH run and prints the tables of
# BENCHMARKS.md (all results, then each target as a ratio of two results of this run).
#
#   atomicfiles-bench/run-benchmarks.sh [JMH arguments, e.g. 'SmallWrite' -f 1 -i 3]
#
# Files are written under $BENCH_DIR (default: java.io.tmpdir), which must be on a real disk.
set -euo pipefail
cd "$(dirname "$0")/.."
results=atomicfiles-bench/target/results-$(date +%Y%m%d-%H%M%S).json
mvn -B -q -pl atomicfiles-bench -am package -DskipTests
java ${BENCH_DIR:+-Dbench.dir="$BENCH_DIR"} -jar atomicfiles-bench/target/benchmarks.jar "$@" \
    -rf json -rff "$results"
echo
echo "results: $results"
java -cp atomicfiles-bench/target/benchmarks.jar io.atomicfiles.bench.Ratios "$results"
