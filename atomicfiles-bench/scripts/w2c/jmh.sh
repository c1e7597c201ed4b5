#!/bin/bash
# usage: jmh.sh JAR DIR OUT
J=$1; D=$2; O=$3
mkdir -p $D
flock /tmp/bench.lock java -Dbench.dir=$D -jar $J 'LargeWriteInTurns' -f 1 -wi 1 -i 20 -jvmArgsAppend -Xmx64m -rf json -rff $O > $O.log 2>&1
echo "$(date -u +%T) done $O" >> /tmp/w2c/jmh-progress.txt
