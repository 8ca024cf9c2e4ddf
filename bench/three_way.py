#!/usr/bin/python3
"""Side-by-side table of one run: tsm4j (`tsm bench --json`), PyTorch (`bench/torch_bench.py --json`) and the
independent reference (`shared/reference/tsm_torch_bench.py --json`), written by bench/compare.sh.

Usage: bench/three_way.py TSM4J.json TORCH.json REF.json [DOC.md [ONE_PROCESS.json]]
Prints the Markdown table; with DOC.md also replaces the text between the three-way markers in it. ONE_PROCESS.json
(bench/baselines_one_process.py) adds the two PyTorch programs' TSM-R50 1×8 timed interleaved in one process.
The shift rows divide tsm4j's GB/s by the best copy of the same tensor in this run: the fastest of tsm4j's
multi-threaded memcpy, PyTorch's copy_ (bench/torch_bench.py) and the reference's copy_/clone.
"""
import json
import sys

BEGIN = "<!-- three-way:begin -->"
END = "<!-- three-way:end -->"


def load(path):
    with open(path) as f:
        return json.load(f)


def ours(d, key):
    f = d.get("figures", {}).get(key)
    return None if f is None else f["value"]


def ref(d, key):
    f = d.get(key)
    return None if f is None else f["value"]


def fmt(v, digits=2):
    return "—" if v is None else f"{v:,.{digits}f}"


def ratio(a, b, digits=2):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.{digits}f}×"


def table(t, p, r, one=None):
    rows = []

    def add(name, unit, a, b, c, rat):
        rows.append(f"| {name} | {unit} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {rat} |")

    add("TSM-R50 1×8 latency", "ms", ours(t, "r50.tsm.latency_1x8"), ours(p, "r50.tsm.latency_1x8"),
        ref(r, "tsm_r50_1x8_latency_median"), ratio(ours(t, "r50.tsm.latency_1x8"), ref(r, "tsm_r50_1x8_latency_median")))
    if one:
        add("TSM-R50 1×8, the two PyTorch models in one process, interleaved (baselines_one_process.py)", "ms",
            None, one["torch_bench_r50_1x8_ms"], one["reference_r50_1x8_ms"],
            f"torch_bench / reference {one['ratio']:.3f}")
    add("TSN-R50 1×8 latency", "ms", ours(t, "r50.tsn.latency_1x8"), ours(p, "r50.tsn.latency_1x8"),
        ref(r, "tsn_r50_1x8_latency_median"), ratio(ours(t, "r50.tsn.latency_1x8"), ref(r, "tsn_r50_1x8_latency_median")))
    add("TSM-R50 4×8 throughput", "videos/s", ours(t, "r50.tsm.videos_per_s_4x8"), ours(p, "r50.tsm.videos_per_s_4x8"),
        ref(r, "tsm_r50_4x8_videos_per_s"), ratio(ours(t, "r50.tsm.videos_per_s_4x8"), ref(r, "tsm_r50_4x8_videos_per_s")))
    add("shift overhead TSM/TSN − 1, R50 1×8", "%", ours(t, "r50.shift_overhead_1x8"),
        ours(p, "r50.shift_overhead_1x8"), ref(r, "r50_1x8_shift_overhead"), "")
    add("shift overhead TSM/TSN − 1, R50 4×8", "%", ours(t, "r50.shift_overhead_4x8"),
        ours(p, "r50.shift_overhead_4x8"), ref(r, "r50_4x8_shift_overhead"), "")
    add("TSM-R50 1×8 through DL4J's graph (tsm4j, same folded network)", "ms",
        ours(t, "r50.tsm.dl4j_graph_latency_1x8"), None, None, "")
    add("online TSM-MobileNetV2 per frame", "ms", ours(t, "mbv2.online.ms_per_frame"),
        ours(p, "mbv2.online.ms_per_frame"), ref(r, "tsm_mbv2_online_frame_latency_median"),
        ratio(ours(t, "mbv2.online.ms_per_frame"), ref(r, "tsm_mbv2_online_frame_latency_median")))
    add("TSM-R50 SGD step, 2×8, 224 px (the CLI's defaults)", "s", ours(t, "train.tsm.s_per_step"),
        ours(p, "train.tsm.s_per_step"), ref(r, "tsm_r50_train_step_2x8_median"),
        ratio(ours(t, "train.tsm.s_per_step"), ref(r, "tsm_r50_train_step_2x8_median")))
    for suffix, what in (("_onednn_bn", "oneDNN BatchNorm (`-Dtsm4j.bn=onednn`)"),
                         ("_native_bn", "libnd4j BatchNorm (`-Dtsm4j.bn=native`)")):
        if ours(t, "train.tsm.s_per_step" + suffix) is not None:
            add("TSM-R50 SGD step, 2×8, 224 px, " + what, "s", ours(t, "train.tsm.s_per_step" + suffix),
                ours(p, "train.tsm.s_per_step"), ref(r, "tsm_r50_train_step_2x8_median"),
                ratio(ours(t, "train.tsm.s_per_step" + suffix), ref(r, "tsm_r50_train_step_2x8_median")))
    add("training the `tsm demo` network (16 clips × 4 × 32 px, the CLI's defaults)", "clips/s",
        ours(t, "train.demo_net.clips_per_s"), ours(p, "train.demo_net.clips_per_s"), None,
        ratio(ours(t, "train.demo_net.clips_per_s"), ours(p, "train.demo_net.clips_per_s")) + " of PyTorch")
    for suffix, what in (("_onednn_bn", "oneDNN BatchNorm"), ("_native_bn", "libnd4j BatchNorm")):
        if ours(t, "train.demo_net.clips_per_s" + suffix) is not None:
            add("the `tsm demo` network, " + what, "clips/s", ours(t, "train.demo_net.clips_per_s" + suffix),
                ours(p, "train.demo_net.clips_per_s"), None,
                ratio(ours(t, "train.demo_net.clips_per_s" + suffix), ours(p, "train.demo_net.clips_per_s"))
                + " of PyTorch")
    add("peak RSS of the whole bench", "MiB", ours(t, "memory.peak_rss"), ours(p, "memory.peak_rss"), None,
        ratio(ours(t, "memory.peak_rss"), ours(p, "memory.peak_rss")) + " of PyTorch")
    for sec in ("train", "r50", "mbv2", "shift"):
        k = f"memory.{sec}.peak_rss"
        if ours(t, k) is not None and ours(p, k) is not None:
            add(f"peak RSS while the {sec} section ran", "MiB", ours(t, k), ours(p, k), None,
                ratio(ours(t, k), ours(p, k)) + " of PyTorch")
    shapes = ["8x256x56x56", "8x2048x7x7", "64x64x56x56", "nhwc_8x56x56x256", "nhwc_8x28x28x512",
              "nhwc_8x14x14x1024", "nhwc_8x7x7x2048"]
    for s in shapes:
        fwd = ours(t, f"shift.{s}.gbps")
        back = ours(t, f"shift.{s}.back_gbps")
        copies = [ours(t, f"shift.{s}.copy_gbps"), ours(p, f"shift.{s}.copy_gbps")]
        if not s.startswith("nhwc"):
            copies += [ref(r, f"copy_prealloc_{s}_GBps"), ref(r, f"clone_{s}_GBps")]
        copies = [c for c in copies if c is not None]
        best = max(copies) if copies else None
        if fwd is None:
            continue
        rows.append(f"| shift {s.replace('nhwc_', 'NHWC ')} forward / backward (best copy {fmt(best, 1)}) | GB/s | "
                    f"{fmt(fwd, 1)} / {fmt(back, 1)} | {fmt(ours(p, f'shift.{s}.gbps'), 1)} | "
                    f"{fmt(ref(r, f'shift_{s}_GBps'), 1)} | {ratio(fwd, best)} / {ratio(back, best)} of the best copy"
                    + (f"; interleaved with tsm4j's memcpy {ours(t, f'shift.{s}.interleaved_ratio'):.2f}× / "
                       f"{ours(t, f'shift.{s}.interleaved_back_ratio'):.2f}×"
                       if ours(t, f"shift.{s}.interleaved_ratio") is not None else "") + " |")
    head = ("| figure | unit | tsm4j | PyTorch (bench/torch_bench.py) | independent reference | tsm4j / reference |\n"
            "|---|---|---:|---:|---:|---:|\n")
    return head + "\n".join(rows) + "\n"


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    t, p, r = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
    one = load(sys.argv[5]) if len(sys.argv) > 5 else None
    md = table(t, p, r, one)
    print(md)
    if len(sys.argv) > 4:
        doc = sys.argv[4]
        with open(doc) as f:
            text = f.read()
        b, e = text.find(BEGIN), text.find(END)
        block = f"{BEGIN}\n{md}{END}"
        text = text[:b] + block + text[e + len(END):] if b >= 0 and e > b else text + "\n" + block + "\n"
        with open(doc, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
