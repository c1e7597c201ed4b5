#!/bin/bash
set -e
OUT=$1; shift
# The driver: Drive2 (this folder), or MAIN=Stats CLASSES=/tmp/w1f for ../w1f/Stats.java.
I=/sys/kernel/tracing/instances/w1c
[ -d /sys/kernel/tracing/instances ] || mount -t tracefs nodev /sys/kernel/tracing
mkdir -p $I /tmp/w1c; rm -f /tmp/w1c/go
echo 0 > $I/tracing_on; echo > $I/trace; echo 16384 > $I/buffer_size_kb
java ${JOPTS} -cp ${CP}:${CLASSES:-/tmp/w1c} ${MAIN:-Drive2} "$@" > $OUT.out &
JP=$!
while ! grep -q TID $OUT.out 2>/dev/null; do sleep 0.2; done
TID=$(awk '/TID/{print $2}' $OUT.out)
echo $TID > $I/set_event_pid
for e in raw_syscalls/sys_enter raw_syscalls/sys_exit sched/sched_switch sched/sched_wakeup; do echo 1 > $I/events/$e/enable; done
echo 1 > $I/tracing_on
touch /tmp/w1c/go
wait $JP
echo 0 > $I/tracing_on
cp $I/trace $OUT.trace
for e in raw_syscalls/sys_enter raw_syscalls/sys_exit sched/sched_switch sched/sched_wakeup; do echo 0 > $I/events/$e/enable; done
echo > $I/set_event_pid
