#!/usr/bin/env bash
# End-to-end `tsm stream` run (decoder thread + online TSM-MobileNetV2 at 224 px) on a generated 640x480 clip.
# Usage: bench/stream_e2e.sh [FRAMES=300] [THREADS=2]   (from the repository root; builds tsm.jar if missing)
# Prints the machine, the load average before and after, and tsm stream's summary line
# (latency median / p99, frame age, frames/s). See docs/streaming.md.
set -euo pipefail
cd "$(dirname "$0")/.."
FRAMES=${1:-300}
THREADS=${2:-2}
JAR=tsm-examples/target/tsm.jar
OUT=${STREAM_E2E_DIR:-/tmp/tsm-stream-e2e}
if [ ! -f "$JAR" ]; then
  mvn -B -q -o package -DskipTests -pl tsm-examples -am
fi
if [ ! -f "$OUT/mbv2-online.zip" ] || [ ! -f "$OUT/clip640.mp4" ] || [ "${REGENERATE:-0}" = 1 ]; then
  java -cp "$JAR" bench/StreamE2eFixtures.java "$OUT" "$FRAMES"
fi
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  cpu: $(lscpu | sed -n 's/^Model name: *//p')  cores: $(nproc)  java: $(java -version 2>&1 | head -1)"
echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')  threads: $THREADS  load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# allocator and heap settings of docs/performance.md
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=536870912
export OMP_NUM_THREADS=$THREADS
java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -jar "$JAR" stream "$OUT/clip640.mp4" -m "$OUT/mbv2-online.zip" --every 0
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
