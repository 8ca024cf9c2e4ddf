#!/usr/bin/python3
"""PyTorch side of `tsm bench`: the same workloads, the same keys, one line per figure.

Run with Debian's python (python3-torch, python3-torchvision):
    /usr/bin/python3 bench/torch_bench.py --threads 2 [--only shift,r50,mbv2,train] [--json out.json]

Workloads (float32, 174 classes, T = 8, 224 px unless --size):
  shift  out-of-place temporal shift (fold 1/8 each way) on [8,256,56,56], [8,2048,7,7], [64,64,56,56];
         GB/s = 2 x bytes / median time; ratio to out.copy_(x) into a reused buffer.
  r50    torchvision ResNet-50 with the shift on conv1 of every Bottleneck (TSM, "blockres") and without
         (TSN): latency of 1 video x 8 frames, videos/s at 4 videos per call, shift overhead %.
  mbv2   online TSM-MobileNetV2 (uni-directional shift caches on the 10 residual inverted-residual
         blocks), one [1,3,224,224] frame per call: ms/frame median and p99.
  train  one SGD step (momentum 0.9, wd 5e-4) of TSM-R50 on 2 videos x 8 frames, train mode; and the network
         `tsm demo` trains (ResNet-18 width 8, uni-directional shift, 16 clips x 4 frames of 32 px): clips/s.
Timing: eval + no_grad for inference, warm-up then --runs timed calls, median reported.
"""
import argparse
import gc
import json
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

NUM_CLASSES = 174
SEGMENTS = 8


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--only", default="shift,r50,mbv2,train")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--json", default=None)
    a = p.parse_args()
    if a.runs < 10:
        p.error(f"--runs must be >= 10, found {a.runs}")
    return a


LINES = []


def emit(key, value, unit, detail=""):
    LINES.append({"key": key, "value": value, "unit": unit, "detail": detail})
    print(f"{key:<32} {value:12.3f} {unit:<9} {detail}", flush=True)


def time_ms(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    p99 = ts[min(len(ts) - 1, int(-(-0.99 * len(ts) // 1)) - 1)]
    return statistics.median(ts), p99, ts[0], ts[-1]


def describe(st):
    med, p99, lo, hi = st
    return f"{med:.2f} ms (p99 {p99:.2f}, min {lo:.2f}, max {hi:.2f})"


# ---------------------------------------------------------------- shift (official ordering)
def shift(x, segments, fold_div=8, out=None):
    """[N*T, C, H, W] -> same; channels [0,f) take frame t+1, [f,2f) take t-1, rest unchanged."""
    nt, c, h, w = x.shape
    v = x.view(nt // segments, segments, c, h, w)
    o = torch.empty_like(v) if out is None else out.view_as(v)
    f = c // fold_div
    o[:, :-1, :f] = v[:, 1:, :f]
    o[:, -1, :f] = 0
    o[:, 1:, f:2 * f] = v[:, :-1, f:2 * f]
    o[:, 0, f:2 * f] = 0
    o[:, :, 2 * f:] = v[:, :, 2 * f:]
    return o.view(nt, c, h, w)


class Shifted(nn.Module):
    def __init__(self, conv, segments):
        super().__init__()
        self.net, self.segments = conv, segments

    def forward(self, x):
        return self.net(shift(x, self.segments))


class Copied(nn.Module):
    """A plain copy of the block input instead of the shift: what any shift that writes its output pays at least."""

    def __init__(self, conv):
        super().__init__()
        self.net = conv

    def forward(self, x):
        return self.net(x.clone())


class OnlineShifted(nn.Module):
    """Uni-directional online shift: the first C/8 channels come from the previous frame's cache."""

    def __init__(self, conv):
        super().__init__()
        self.net, self.cache = conv, None

    def forward(self, x):
        f = x.shape[1] // 8
        if self.cache is None:
            self.cache = torch.zeros_like(x[:, :f])
        new_cache = x[:, :f].clone()
        x = torch.cat((self.cache, x[:, f:]), dim=1)
        self.cache = new_cache
        return self.net(x)


def resnet50(shifted, copied=False):
    m = torchvision.models.resnet50(num_classes=NUM_CLASSES)
    if shifted or copied:
        for layer in (m.layer1, m.layer2, m.layer3, m.layer4):
            for block in layer:
                block.conv1 = Shifted(block.conv1, SEGMENTS) if shifted else Copied(block.conv1)
    return m


def mobilenet_v2_online():
    m = torchvision.models.mobilenet_v2(num_classes=NUM_CLASSES)
    for i in (3, 5, 6, 8, 9, 10, 12, 13, 15, 16):
        m.features[i].conv[0] = OnlineShifted(m.features[i].conv[0])
    return m


# ---------------------------------------------------------------- sections
def shift_case(a, name, x, layout):
    """Shift into a preallocated output and a plain copy of the same tensor; GB/s and their ratio."""
    out = torch.empty_like(x)
    copy = torch.empty_like(x)
    gb = 2 * x.numel() * 4 / 1e9
    runs = max(a.runs, 50)
    st = time_ms(lambda: shift(x, SEGMENTS, out=out), a.warmup + 5, runs)
    cp = time_ms(lambda: copy.copy_(x), a.warmup + 5, runs)
    emit(f"shift.{name}.gbps", gb / (st[0] / 1e3), "GB/s", describe(st) + f" ({layout}, preallocated output)")
    emit(f"shift.{name}.copy_gbps", gb / (cp[0] / 1e3), "GB/s", describe(cp) + f" (out.copy_(x), {layout})")
    emit(f"shift.{name}.ratio", cp[0] / st[0], "x", "shift GB/s / copy GB/s")


def bench_shift(a):
    for shape in ((8, 256, 56, 56), (8, 2048, 7, 7), (64, 64, 56, 56)):
        shift_case(a, "x".join(map(str, shape)), torch.rand(shape), "contiguous")
    # channels_last (NHWC in memory), the ResNet-50 block-input shapes, as tsm4j's shift.nhwc_* keys
    for n, h, w, c in ((8, 56, 56, 256), (8, 28, 28, 512), (8, 14, 14, 1024), (8, 7, 7, 2048)):
        x = torch.rand(n, c, h, w).contiguous(memory_format=torch.channels_last)
        shift_case(a, f"nhwc_{n}x{h}x{w}x{c}", x, "channels_last")


def interleaved(*fs, warmup, runs):
    for _ in range(warmup):
        for f in fs:
            f()
    times = [[] for _ in fs]
    for _ in range(runs):
        for f, ts in zip(fs, times):
            t0 = time.perf_counter()
            f()
            ts.append((time.perf_counter() - t0) * 1e3)
    out = []
    for ts in times:
        ts.sort()
        out.append((statistics.median(ts), ts[min(len(ts) - 1, -(-99 * len(ts) // 100) - 1)], ts[0], ts[-1]))
    return out


def bench_r50(a):
    tsm, tsn, cpy = resnet50(True).eval(), resnet50(False).eval(), resnet50(False, copied=True).eval()
    with torch.no_grad():
        for videos, label in ((1, "1x8"), (4, "4x8")):
            x = torch.rand(videos * SEGMENTS, 3, a.size, a.size)
            st_tsm, st_tsn, st_cpy = interleaved(lambda: tsm(x), lambda: tsn(x), lambda: cpy(x),
                                                 warmup=a.warmup, runs=a.runs)
            if videos == 1:
                emit("r50.tsm.latency_1x8", st_tsm[0], "ms", describe(st_tsm))
                emit("r50.tsn.latency_1x8", st_tsn[0], "ms", describe(st_tsn))
            else:
                emit("r50.tsm.videos_per_s_4x8", videos / (st_tsm[0] / 1e3), "videos/s", describe(st_tsm))
                emit("r50.tsn.videos_per_s_4x8", videos / (st_tsn[0] / 1e3), "videos/s", describe(st_tsn))
            emit(f"r50.shift_overhead_{label}", (st_tsm[0] / st_tsn[0] - 1) * 100, "%", "TSM/TSN - 1")
            emit(f"r50.copy_overhead_{label}", (st_cpy[0] / st_tsn[0] - 1) * 100, "%",
                 "(TSN + x.clone() of each shifted block input)/TSN - 1; " + describe(st_cpy))


def bench_mbv2(a):
    m = mobilenet_v2_online().eval()
    frames = [torch.rand(1, 3, a.size, a.size) for _ in range(4)]
    i = [0]

    def step():
        m(frames[i[0] % 4])
        i[0] += 1

    with torch.no_grad():
        st = time_ms(step, max(a.warmup, 10), max(a.runs, 100))
    emit("mbv2.online.ms_per_frame", st[0], "ms", describe(st))
    emit("mbv2.online.p99_ms", st[1], "ms", "99th percentile per frame")


class UniShifted(nn.Module):
    """The demo's uni-directional shift before conv1 of a block: channels [0, C/DEMO_FOLD_DIV) take frame t-1 (zeros at t=0)."""

    def __init__(self, conv, segments):
        super().__init__()
        self.net, self.segments = conv, segments

    def forward(self, x):
        nt, c, h, w = x.shape
        v = x.view(nt // self.segments, self.segments, c, h, w)
        f = c // DEMO_FOLD_DIV
        o = torch.empty_like(v)
        o[:, 1:, :f] = v[:, :-1, :f]
        o[:, 0, :f] = 0
        o[:, :, f:] = v[:, :, f:]
        return self.net(o.view(nt, c, h, w))


DEMO_WIDTH, DEMO_SEGMENTS, DEMO_SIZE, DEMO_CLASSES, DEMO_BATCH, DEMO_FOLD_DIV = 8, 4, 32, 6, 16, 4
DEMO_WARMUP_SECONDS = 10  # tsm bench: NetworkBench.DEMO_WARMUP_SECONDS
DEMO_RUNS = 200  # NetworkBench.DEMO_RUNS


def demo_net():
    """`tsm demo`'s network: torchvision's ResNet-18 layout at base width 8 (stem 8, stages 8/16/32/64), the
    uni-directional residual shift on conv1 of every BasicBlock, no dropout, 6 classes."""
    m = torchvision.models.ResNet(torchvision.models.resnet.BasicBlock, [2, 2, 2, 2], num_classes=DEMO_CLASSES)
    w = DEMO_WIDTH
    m.conv1 = nn.Conv2d(3, w, 7, 2, 3, bias=False)
    m.bn1 = nn.BatchNorm2d(w)
    m.inplanes = w
    m.layer1 = m._make_layer(torchvision.models.resnet.BasicBlock, w, 2)
    m.layer2 = m._make_layer(torchvision.models.resnet.BasicBlock, 2 * w, 2, stride=2)
    m.layer3 = m._make_layer(torchvision.models.resnet.BasicBlock, 4 * w, 2, stride=2)
    m.layer4 = m._make_layer(torchvision.models.resnet.BasicBlock, 8 * w, 2, stride=2)
    m.fc = nn.Linear(8 * w, DEMO_CLASSES)
    for layer in (m.layer1, m.layer2, m.layer3, m.layer4):
        for block in layer:
            block.conv1 = UniShifted(block.conv1, DEMO_SEGMENTS)
    return m


def bench_train_demo_net(a):
    """Training speed of `tsm demo`'s network and batch (16 clips x 4 frames of 32 px), SGD Nesterov 0.9, wd 5e-4."""
    m = demo_net().train()
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
    x = torch.rand(DEMO_BATCH * DEMO_SEGMENTS, 3, DEMO_SIZE, DEMO_SIZE)
    y = torch.arange(DEMO_BATCH) % DEMO_CLASSES

    def step():
        opt.zero_grad()
        logits = m(x).view(DEMO_BATCH, DEMO_SEGMENTS, -1).mean(1)
        F.cross_entropy(logits, y).backward()
        opt.step()

    # as tsm bench: 10 s of untimed steps (at least 50), then at least 200 timed
    t_end = time.perf_counter() + DEMO_WARMUP_SECONDS
    warm = 0
    while warm < 50 or time.perf_counter() < t_end:
        step()
        warm += 1
    st = time_ms(step, 0, max(DEMO_RUNS, a.runs))
    emit("train.demo_net.clips_per_s", DEMO_BATCH / (st[0] / 1e3), "clips/s",
         describe(st) + f" per step of {DEMO_BATCH} clips after {DEMO_WARMUP_SECONDS} s of warm-up; the tsm demo network (ResNet-18 width {DEMO_WIDTH}, "
         f"{DEMO_SEGMENTS} x {DEMO_SIZE} px, {DEMO_CLASSES} classes)")


def bench_train(a):
    bench_train_demo_net(a)
    m = resnet50(True).train()
    opt = torch.optim.SGD(m.parameters(), lr=0.001, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(2 * SEGMENTS, 3, a.size, a.size)
    y = torch.randint(0, NUM_CLASSES, (2,))

    def step():
        opt.zero_grad()
        logits = m(x).view(2, SEGMENTS, -1).mean(1)
        F.cross_entropy(logits, y).backward()
        opt.step()

    st = time_ms(step, 2, a.runs)
    emit("train.tsm.s_per_step", st[0] / 1e3, "s", describe(st) + "; 2 videos x 8 frames, SGD")


def reset_peak_rss():
    """Resets VmHWM to the current resident size (Linux: "5" into /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def vm_hwm_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    env = {k: v for k, v in os.environ.items() if k.startswith("MALLOC_") or k in ("OMP_NUM_THREADS", "LD_LIBRARY_PATH")}
    with open("/proc/loadavg") as f:
        load = f.read().strip()
    machine = {"torch": torch.__version__, "torchvision": torchvision.__version__, "threads": torch.get_num_threads(),
               "mkldnn": torch.backends.mkldnn.is_available(), "env": env, "load average": load}
    for k, v in machine.items():
        print(f"# {k:<12} {v}")
    sections = {"shift": bench_shift, "r50": bench_r50, "mbv2": bench_mbv2, "train": bench_train}
    names = [s.strip().lower() for s in a.only.split(",")]
    for s in names:
        if s not in sections:
            raise SystemExit(f"--only: unknown section '{s}', expected one of {', '.join(sections)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # training first, as tsm bench runs it; each section's own peak after resetting VmHWM (Linux clear_refs)
    for s in sorted(names, key=lambda n: n != "train"):
        reset = reset_peak_rss()
        sections[s](a)
        gc.collect()
        section_peak = vm_hwm_mib()
        peak = max(peak, section_peak)
        if reset:
            emit(f"memory.{s}.peak_rss", section_peak, "MiB",
                 "peak resident size of the process while this section ran (VmHWM reset before it)")
    emit("memory.peak_rss", peak, "MiB", "peak resident size (VmHWM; the largest of the sections' peaks)")
    with open("/proc/loadavg") as f:
        print(f"# load after   {f.read().strip()}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"implementation": "pytorch", "machine": machine,
                       "figures": {l["key"]: l for l in LINES}}, f, indent=2)


if __name__ == "__main__":
    main()
