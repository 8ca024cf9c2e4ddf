#!/usr/bin/python3
"""TSM-R50 1×8 inference of bench/torch_bench.py's model and of the independent reference's model
(shared/reference/tsm_models.py), timed in ONE process, interleaved call by call, with the same threads and input.

Why: the two PyTorch programs run one after the other in bench/compare.sh, and on a shared VM their R50 1×8 medians
drift apart by 0–15 % between processes although the models cost the same. Interleaved in one process both see the
same machine state, so this says whether torch_bench.py's model itself is a fair baseline (issue 22, item 6).

Usage: bench/baselines_one_process.py REFERENCE_DIR [--threads 2] [--runs 12] [--json OUT]
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("reference_dir", help="folder holding the reference's tsm_models.py")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=12)
    p.add_argument("--json")
    a = p.parse_args()
    ref_dir = Path(a.reference_dir)
    if not (ref_dir / "tsm_models.py").is_file():
        raise SystemExit(f"baselines_one_process: no tsm_models.py in {ref_dir} (expected the reference's folder)")
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(ref_dir))
    import torch_bench
    import tsm_models

    torch.manual_seed(0)
    models = {"torch_bench": torch_bench.resnet50(True).eval(),
              "reference": tsm_models.build_resnet50(shift=True).eval()}
    x = torch.randn(8, 3, 224, 224)
    times = {k: [] for k in models}
    with torch.no_grad():
        for _ in range(3):
            for m in models.values():
                m(x)
        for _ in range(a.runs):
            for k, m in models.items():
                t0 = time.perf_counter()
                m(x)
                times[k].append((time.perf_counter() - t0) * 1e3)
    med = {k: statistics.median(v) for k, v in times.items()}
    out = {
        "torch_bench_r50_1x8_ms": med["torch_bench"],
        "reference_r50_1x8_ms": med["reference"],
        "ratio": med["torch_bench"] / med["reference"],
        "threads": a.threads,
        "runs": a.runs,
        "torch": torch.__version__,
    }
    print(f"TSM-R50 1x8 in one process, interleaved ({a.runs} runs, {a.threads} threads): "
          f"torch_bench {med['torch_bench']:.1f} ms, reference {med['reference']:.1f} ms, "
          f"ratio {out['ratio']:.3f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
