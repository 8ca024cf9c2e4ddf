#!/usr/bin/env bash
# Runs `tsm bench` (tsm4j), bench/torch_bench.py (PyTorch) and, where present, the independent reference
# ../shared/reference/tsm_torch_bench.py on this machine with the same threads, workloads and allocator settings,
# one after the other, then writes the side-by-side tables and a bar chart into docs/benchmarks.md.
# Usage: bench/compare.sh            (env: THREADS=2 ONLY=shift,r50,mbv2,train RUNS=10 OUT=target/bench REF=path)
# Needs: a built tsm-examples/target/tsm.jar (built here if missing), Debian's python3-torch and
# python3-torchvision (apt-get install -y python3-torch python3-torchvision libopenblas0-openmp).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
ONLY=${ONLY:-shift,r50,mbv2,train}
RUNS=${RUNS:-10}
OUT=${OUT:-target/bench}
JAR=tsm-examples/target/tsm.jar
mkdir -p "$OUT"
[ -f "$JAR" ] || mvn -o -B -q -pl tsm-examples -am package -DskipTests
# glibc keeps freed memory (first-touch page faults are very expensive on these VMs); same for both sides
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=536870912
export OMP_NUM_THREADS=$THREADS
echo "== load before: $(cat /proc/loadavg)"
java -Xms512m -Xmx512m -XX:+AlwaysPreTouch -Dorg.bytedeco.javacpp.maxbytes=12G \
  -jar "$JAR" bench --threads "$THREADS" --only "$ONLY" --runs "$RUNS" --json "$OUT/tsm4j.json" | tee "$OUT/tsm4j.txt"
BLAS=/usr/lib/x86_64-linux-gnu/openblas-openmp
LD_LIBRARY_PATH=$([ -f $BLAS/libblas.so.3 ] && echo $BLAS || true) \
  /usr/bin/python3 bench/torch_bench.py --threads "$THREADS" --only "$ONLY" --runs "$RUNS" --json "$OUT/torch.json" | tee "$OUT/torch.txt"
java -cp "$JAR" io.github.tsm4j.examples.bench.CompareReport "$OUT/tsm4j.json" "$OUT/torch.json" \
  docs/benchmarks.md docs/img/bench-vs-torch.png
REF=${REF:-../shared/reference/tsm_torch_bench.py}
if [ -f "$REF" ]; then
  /usr/bin/python3 "$REF" --threads "$THREADS" --tuned-malloc $([ -f $BLAS/libblas.so.3 ] && echo --blas openblas) \
    --sections "$ONLY" --json "$OUT/ref.json" | tee "$OUT/ref.txt"
  # item 6: the two PyTorch programs' TSM-R50 in one process, interleaved (no process-to-process drift)
  LD_LIBRARY_PATH=$([ -f $BLAS/libblas.so.3 ] && echo $BLAS || true) \
    /usr/bin/python3 bench/baselines_one_process.py "$(dirname "$REF")" --threads "$THREADS" --json "$OUT/one_process.json"
  /usr/bin/python3 bench/three_way.py "$OUT/tsm4j.json" "$OUT/torch.json" "$OUT/ref.json" docs/benchmarks.md \
    "$OUT/one_process.json"
fi
echo "== load after: $(cat /proc/loadavg); table and chart written to docs/benchmarks.md, docs/img/bench-vs-torch.png"
