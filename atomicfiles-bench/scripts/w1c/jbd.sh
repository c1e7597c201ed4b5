#!/bin/bash
# jbd.sh OUT variant n : one variant alone, jbd2 per-transaction stats and handle starts
OUT=$1; V=$2; N=$3
I=/sys/kernel/tracing/instances/w1cj
mkdir -p $I; rm -f /tmp/w1c/go
echo 0 > $I/tracing_on; echo > $I/trace; echo 8192 > $I/buffer_size_kb
java -DwarmDir=/dev/shm/w1c/wj -cp ${JAR}:${CLASSES:-/tmp/w1c} Drive2 /mnt/jext4/w1c/j-$V 3000 $N $V > $OUT.out &
JP=$!
while ! grep -q TID $OUT.out 2>/dev/null; do sleep 0.2; done
for e in jbd2/jbd2_run_stats jbd2/jbd2_handle_start jbd2/jbd2_start_commit jbd2/jbd2_commit_locking jbd2/jbd2_commit_flushing jbd2/jbd2_commit_logging jbd2/jbd2_end_commit jbd2/jbd2_submit_inode_data block/block_rq_issue block/block_rq_complete; do echo 1 > $I/events/$e/enable; done
echo 1 > $I/tracing_on
touch /tmp/w1c/go
wait $JP
echo 0 > $I/tracing_on
cp $I/trace $OUT.trace
for e in jbd2/jbd2_run_stats jbd2/jbd2_handle_start jbd2/jbd2_start_commit jbd2/jbd2_commit_locking jbd2/jbd2_commit_flushing jbd2/jbd2_commit_logging jbd2/jbd2_end_commit jbd2/jbd2_submit_inode_data block/block_rq_issue block/block_rq_complete; do echo 0 > $I/events/$e/enable; done
