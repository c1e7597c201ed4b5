#!/bin/bash
# Every issue-11 target in one go on a quiet machine (W1, W3, WriteBatch, W4, W2, W5), as run 2026-12-07 12:34-12:54 UTC.
# Usage: atomicfiles-bench/scripts/final-issue11.sh OUTDIR (the journaled ext4 mounted at /mnt/jext4, see BENCHMARKS.md "Run it").
# PARTS="small-tx group" (say) runs only those parts; the default is all four: small-tx group w2 w5.
# Needs the bench jar built from main (mvn -B -q -o -pl atomicfiles-bench -am package -DskipTests).
set -u
out=$(realpath -m "$1"); mkdir -p "$out"; cd "$(dirname "$0")/../.."
jar=$out/benchmarks.jar; cp atomicfiles-bench/target/benchmarks.jar $jar
git log -1 --format='main %h %s' > $out/commit.txt
parts=" ${PARTS:-small-tx group w2 w5} "
part() { [[ $parts == *" $1 "* ]]; }
log() { echo "$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) $*" | tee -a $out/times.txt; }
for fs in jext4 rootfs; do
  dir=/var/tmp/bench-d10f; [ $fs = jext4 ] && dir=/mnt/jext4/bench-d10f; mkdir -p $dir
  if [ $fs = rootfs ]; then log "pause 40 s: inodes freed by the jext4 runs' files no longer count as recent"; sleep 40; fi
  if part small-tx; then
  log "start small+tx $fs"
  java -Dbench.dir=$dir -jar $jar 'SmallWriteInTurns|TransactionInTurns' -f 2 -i 6 -r 3s -rf json -rff $out/small-tx-$fs.json > $out/small-tx-$fs.log 2>&1
  java -cp $jar io.atomicfiles.bench.Ratios $out/small-tx-$fs.json > $out/small-tx-$fs.ratios 2>&1
  fi
  if [ $fs = jext4 ] && part group; then
    log "start batch+w4 $fs"
    java -Dbench.dir=$dir -jar $jar 'BatchInTurns|JsonUpdateInTurns' -f 1 -wi 1 -i 8 -rf json -rff $out/group-$fs.json > $out/group-$fs.log 2>&1
    java -cp $jar io.atomicfiles.bench.Ratios $out/group-$fs.json > $out/group-$fs.ratios 2>&1
  fi
  if part w2; then
  log "start w2 $fs"
  java -Dbench.dir=$dir -jar $jar 'LargeWriteInTurns' -f 1 -wi 1 -i 20 -jvmArgsAppend -Xmx64m -rf json -rff $out/w2-$fs.json > $out/w2-$fs.log 2>&1
  java -cp $jar io.atomicfiles.bench.Ratios $out/w2-$fs.json > $out/w2-$fs.ratios 2>&1
  fi
  if part w5; then
  log "start w5 $fs"
  java -Dbench.dir=$dir -cp $jar io.atomicfiles.bench.CostCurves $out/cost/$fs > $out/w5-$fs.log 2>&1
  fi
  log "done $fs"
done
