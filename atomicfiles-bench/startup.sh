#!/bin/sh
# Start-up of the command: `atomicfiles --version` and a 1 KiB write, through plain `java -jar` and
# through bin/atomicfiles, side by side, with hyperfine (Debian: apt-get install -y hyperfine).
# Also each start-up option alone, to show what each one buys. Run from the repository's root
# after `mvn -B -q package -DskipTests`; results as Markdown tables in target/startup-*.md.
#   sh atomicfiles-bench/startup.sh [RUNS]
set -eu
runs=${1:-40}
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/atomicfiles-cli/target/atomicfiles.jar
archive=$root/atomicfiles-cli/target/atomicfiles.jsa
launcher=$root/bin/atomicfiles
out=$root/atomicfiles-bench/target
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
export ATOMICFILES_STATE_DIR="$work/state"
head -c 1024 /dev/urandom > "$work/in.bin"
cd "$work"
echo "load before: $(cat /proc/loadavg)"
hyperfine -N -w 5 -r "$runs" --export-markdown "$out/startup-side-by-side.md" \
    -n "java -jar: --version" "java -jar $jar --version" \
    -n "bin/atomicfiles: --version" "$launcher --version" \
    -n "java -jar: write 1 KiB" "java -jar $jar write out.bin --from in.bin --no-backup" \
    -n "bin/atomicfiles: write 1 KiB" "$launcher write out.bin --from in.bin --no-backup"
hyperfine -N -w 5 -r "$runs" --export-markdown "$out/startup-options.md" \
    -n "none" "java -jar $jar --version" \
    -n "archive (G1: its heap part used)" "java -XX:+UseG1GC -XX:SharedArchiveFile=$archive -jar $jar --version" \
    -n "archive, SerialGC (heap part ignored)" "java -XX:+UseSerialGC -XX:SharedArchiveFile=$archive -jar $jar --version" \
    -n "archive, G1, -UsePerfData (the launcher)" "java -XX:+UseG1GC -XX:-UsePerfData -XX:SharedArchiveFile=$archive -jar $jar --version" \
    -n "archive, G1, -UsePerfData, C1 only (rejected)" "java -XX:+UseG1GC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile=$archive -jar $jar --version" \
    -n "G1, -UsePerfData (no archive)" "java -XX:+UseG1GC -XX:-UsePerfData -jar $jar --version" \
    -n "java -version (the JVM alone)" "java -Xshare:auto -XX:-UsePerfData -version"
echo "load after: $(cat /proc/loadavg)"
