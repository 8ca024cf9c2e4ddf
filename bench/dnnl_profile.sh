#!/usr/bin/env bash
# Where the time of a `tsm bench` section goes inside oneDNN: runs the section with DNNL_VERBOSE=1 and sums
# oneDNN's own execution times per primitive kind and implementation; compare with the section's wall time.
# Usage: bench/dnnl_profile.sh r50 [THREADS]      (any section of `tsm bench --only`)
set -euo pipefail
cd "$(dirname "$0")/.."
SECTION=${1:-r50}
THREADS=${2:-2}
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=536870912
export OMP_NUM_THREADS=$THREADS DNNL_VERBOSE=1
java -Xms1g -Xmx1g -Dorg.bytedeco.javacpp.maxbytes=12G -jar tsm-examples/target/tsm.jar \
  bench --threads "$THREADS" --only "$SECTION" --runs 10 --warmup 1 > "target/dnnl-$SECTION.log" 2>&1
grep -v '^dnnl_verbose' "target/dnnl-$SECTION.log" | grep -E "^($SECTION|#)" || true
echo "== oneDNN execution time over the whole run (all warm-up and timed calls), by primitive:"
grep '^dnnl_verbose,exec' "target/dnnl-$SECTION.log" | awk -F, '{k=$4","$5; s[k]+=$NF; c[k]++; t+=$NF}
  END {for (k in s) printf "%-45s %7d calls %10.1f ms\n", k, c[k], s[k]; printf "%-45s %7s       %10.1f ms\n", "total", "", t}' \
  | sort -k4 -rn
