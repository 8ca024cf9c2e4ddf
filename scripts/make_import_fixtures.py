#!/usr/bin/python3
"""Generates the checkpoint fixtures of the tsm-models import tests (tsm4j's own code).

Run with Debian's python3-torch (``apt-get install -y python3-torch python3-torchvision``):

    /usr/bin/python3 scripts/make_import_fixtures.py [OUTDIR]
    /usr/bin/python3 scripts/make_import_fixtures.py --full DIR     (full-size models for scripts/parity_full.sh)
    /usr/bin/python3 scripts/make_import_fixtures.py --hostile [OUTDIR]   (only reader/hostile/)

OUTDIR defaults to tsm-models/src/test/resources/io/github/tsm4j/models/importer.

What it writes
--------------
reader/      small state dicts exercising the reader: wrapper dict with metadata and an optimizer,
             DataParallel ``module.`` prefix, ``num_batches_tracked``, float64/int64/float16 tensors,
             a transposed (non-contiguous) view, a slice with a storage offset, two tensors sharing a
             storage; each in the legacy and the zip format, plus ``reader/expected.json`` with the
             values in row-major order; ``evil_*.pth``: a pickle naming ``os.system``.
reader/hostile/  one checkpoint per pickle route to a Python global (GLOBAL, STACK_GLOBAL at protocols 4
             and 5, INST, OBJ, NEWOBJ/NEWOBJ_EX, BUILD, REDUCE, getattr chains, an allowlisted name under a
             wrong module, a copyreg extension code), each in the legacy and the zip container, plus
             ``reader/hostile/expected.json``: route -> the global the reader must name when refusing it.
             Routes torch.save writes itself are saved as such; the others are hand-assembled opcodes
             that torch.save writes into its own container (see ``RawPickle``).
models/      structurally faithful, narrow TSM networks in the published key layouts (official TSM
             offline ``base_model.*``/``new_fc``, the online demo ``features.N.conv.K``, torchvision,
             mmaction2 ``backbone.``/``cls_head.fc_cls``), randomised BatchNorm statistics, an input clip
             and PyTorch's logits (``<name>.json``: shapes, the clip and logits as lists).

The networks are written from the TSM paper (Lin, Gan, Han, ICCV 2019) and the published key layout,
on torchvision's own BasicBlock/Bottleneck/InvertedResidual classes.
"""
import json
import os
import sys
from collections import OrderedDict

import torch

torch.set_num_threads(2)
torch.manual_seed(20191027)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else os.path.join(
    ROOT, "tsm-models/src/test/resources/io/github/tsm4j/models/importer")


def save_both(obj, path_no_ext):
    """Writes <path>_legacy.pth (pre-1.6 format) and <path>_zip.pth (zip format)."""
    torch.save(obj, path_no_ext + "_legacy.pth", _use_new_zipfile_serialization=False)
    torch.save(obj, path_no_ext + "_zip.pth")


def flat(t):
    t = t.detach().contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    return t.reshape(-1).tolist()


# ----------------------------------------------------------------------------- reader fixtures

def reader_fixtures():
    d = os.path.join(OUT, "reader")
    os.makedirs(d, exist_ok=True)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8 - 1
    shared = torch.randn(10)
    sd = OrderedDict()
    sd["conv.weight"] = torch.randn(4, 3, 3, 3)
    sd["bn.weight"] = torch.rand(4) + 0.5
    sd["bn.bias"] = torch.randn(4) * 0.1
    sd["bn.running_mean"] = torch.randn(4)
    sd["bn.running_var"] = torch.rand(4) + 0.5
    sd["bn.num_batches_tracked"] = torch.tensor(7, dtype=torch.int64)
    sd["transposed"] = base.t()                 # non-contiguous view: stride (1, 6)
    sd["sliced"] = base[1:3, 2:5]               # storage offset 8, stride (6, 1)
    sd["shared.a"] = shared[:4]                 # two views of one storage
    sd["shared.b"] = shared[5:]
    sd["double"] = torch.randn(2, 3, dtype=torch.float64)
    sd["long"] = torch.tensor([[-3, 0, 5], [1 << 40, 2, -(1 << 33)]], dtype=torch.int64)
    sd["half"] = torch.tensor([0.5, -2.0, 65504.0, 6.1035156e-05, 5.9604645e-08, 1.0 / 3], dtype=torch.float16)
    sd["scalar"] = torch.tensor(2.5)
    dp = OrderedDict(("module." + k, v) for k, v in sd.items())
    opt = torch.optim.SGD([torch.nn.Parameter(sd["conv.weight"].clone())], lr=0.1, momentum=0.9)
    opt.state[opt.param_groups[0]["params"][0]] = {"momentum_buffer": torch.randn(4, 3, 3, 3)}
    wrapper = {"epoch": 25, "arch": "resnet50", "state_dict": dp, "best_prec1": 45.625,
               "optimizer": opt.state_dict()}
    save_both(wrapper, os.path.join(d, "wrapped"))
    save_both(sd, os.path.join(d, "bare"))
    expected = OrderedDict()
    for k, v in sd.items():
        if k.endswith("num_batches_tracked"):
            continue
        expected[k] = {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                       "contiguous": v.is_contiguous(), "offset": v.storage_offset(), "values": flat(v)}
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo this checkpoint runs code",))

    evil = OrderedDict(sd)
    evil["payload"] = Evil()
    save_both(evil, os.path.join(d, "evil"))


# ----------------------------------------------------------------------------- hostile fixtures

import copyreg
import pickle
import types


class RawPickle:
    """Hand-assembled pickle bytes that ``torch.save`` writes in place of the object pickle."""

    def __init__(self, data):
        self.data = data


class _RawPickler(pickle.Pickler):
    def __init__(self, file, protocol=None, **kw):
        super().__init__(file, protocol, **kw)
        self.out = file

    def dump(self, obj):
        if isinstance(obj, RawPickle):
            self.out.write(obj.data)
        else:
            super().dump(obj)


RAW_PICKLE_MODULE = types.SimpleNamespace(Pickler=_RawPickler, dump=pickle.dump, load=pickle.load,
                                          Unpickler=pickle.Unpickler, __name__="raw_pickle")


def _u(text):
    """SHORT_BINUNICODE."""
    b = text.encode()
    return b"\x8c" + bytes([len(b)]) + b


class _Evil:
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


class _NewObjEx:
    """Pickled by protocol 4 as STACK_GLOBAL of its class + NEWOBJ_EX (keyword arguments)."""

    def __init__(self, x=0):
        self.x = x

    def __getnewargs_ex__(self):
        return (), {"x": self.x}


_NewObjEx.__module__ = "tsm4j_fixture"
_NewObjEx.__qualname__ = "NewObjEx"
sys.modules["tsm4j_fixture"] = types.SimpleNamespace(NewObjEx=_NewObjEx)  # so that pickle finds it by name


def hostile_fixtures():
    """Every opcode route to a global, in both containers; expected.json names the global refused."""
    d = os.path.join(OUT, "reader", "hostile")
    os.makedirs(d, exist_ok=True)
    sd = OrderedDict(w=torch.arange(4, dtype=torch.float32))
    system = os.system.__module__ + ".system"          # posix.system on Linux
    routes = OrderedDict()                              # name -> (object, protocol, global named)

    def payload(x):
        evil = OrderedDict(sd)
        evil["payload"] = x
        return evil

    routes["global_p2"] = (payload(_Evil(os.system, "echo pwned")), 2, system)
    routes["stack_global_p4"] = (payload(_Evil(os.system, "echo pwned")), 4, system)
    routes["stack_global_p5"] = (payload(_Evil(os.system, "echo pwned")), 5, system)
    # INST (protocol 0): MARK, the argument, INST os system
    routes["inst"] = (RawPickle(b"(S'echo pwned'\nios\nsystem\n."), 2, "os.system")
    # OBJ (protocol 1+): MARK, GLOBAL builtins exec, the argument, OBJ
    routes["obj"] = (RawPickle(b"\x80\x02(cbuiltins\nexec\n" + _u("print(1)") + b"o."), 2, "builtins.exec")
    # OBJ whose class is an allowlisted storage type: calling it is not allowed either
    routes["obj_storage_type"] = (RawPickle(b"\x80\x02(ctorch\nFloatStorage\nK\x10o."), 2, "torch.FloatStorage")
    # a whole nn.Module: NEWOBJ of torch.nn.modules.linear.Linear, then BUILD with its __dict__
    torch.manual_seed(1)
    routes["build_module"] = (torch.nn.Linear(2, 2), 2, "torch.nn.modules.linear.Linear")
    # BUILD (setstate) applied to an allowlisted global itself: would overwrite the function's attributes
    routes["build_on_global"] = (RawPickle(b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n}" + _u("__defaults__")
                                           + b"N" + b"sb."), 2, "torch._utils._rebuild_tensor_v2")
    # REDUCE of a callable outside the allowlist
    routes["reduce_callable"] = (payload(_Evil(torch.load, "other.pth")), 2, "torch.serialization.load")
    # REDUCE of an allowlisted name that is not a callable (a storage type)
    routes["reduce_storage_type"] = (RawPickle(b"\x80\x02ctorch\nFloatStorage\nK\x10\x85R."), 2, "torch.FloatStorage")
    # NEWOBJ_EX (protocol 4) of a class outside the allowlist
    routes["newobj_ex"] = (payload(_NewObjEx(3)), 4, "tsm4j_fixture.NewObjEx")
    # a bound method pickles as getattr(OrderedDict, 'fromkeys'): REDUCE of builtins.getattr
    routes["getattr_builtin"] = (payload(OrderedDict.fromkeys), 4, "builtins.getattr")
    # protocol 4 resolves a dotted name as a getattr chain: torch -> _utils -> _rebuild_tensor_v2
    routes["getattr_chain"] = (RawPickle(b"\x80\x04" + _u("torch") + _u("_utils._rebuild_tensor_v2") + b"\x93."), 4,
                               "torch._utils._rebuild_tensor_v2")
    # ... and a chain from an allowlisted class to what it can reach
    routes["getattr_chain_escape"] = (RawPickle(b"\x80\x04" + _u("collections") + _u("OrderedDict.__init__.__globals__")
                                                + b"\x93."), 4, "collections.OrderedDict.__init__.__globals__")
    # an allowlisted name under another module (typing.OrderedDict is a different object)
    routes["wrong_module"] = (RawPickle(b"\x80\x02ctyping\nOrderedDict\n)R."), 2, "typing.OrderedDict")
    routes["wrong_module_stack_global"] = (RawPickle(b"\x80\x04" + _u("torch") + _u("_rebuild_tensor_v2") + b"\x93)R."), 4,
                                           "torch._rebuild_tensor_v2")
    # a copyreg extension code: EXT1 resolves to a global through the registry, no name in the file
    routes["ext1"] = ("ext", 2, "copyreg extension code 240")

    expected = OrderedDict()
    for name, (obj, protocol, global_name) in routes.items():
        for legacy in (True, False):
            path = os.path.join(d, name + ("_legacy.pth" if legacy else "_zip.pth"))
            if obj == "ext":
                copyreg.add_extension(os.system.__module__, "system", 240)
                try:
                    torch.save(payload(_Evil(os.system, "echo pwned")), path, pickle_protocol=protocol,
                               _use_new_zipfile_serialization=not legacy)
                finally:
                    copyreg.remove_extension(os.system.__module__, "system", 240)
            else:
                torch.save(obj, path, pickle_module=RAW_PICKLE_MODULE, pickle_protocol=protocol,
                           _use_new_zipfile_serialization=not legacy)
        expected[name] = global_name
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


# ----------------------------------------------------------------------------- model fixtures

import gzip
import io
import re

import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock, Bottleneck


def temporal_shift(x, n_segment, fold_div):
    """Bi-directional shift of x [N*T, C, H, W] (paper Fig. 1b): channels [0, fold) take frame t+1,
    [fold, 2 fold) frame t-1, zeros at the clip ends; the rest unchanged."""
    nt, c, h, w = x.shape
    x5 = x.view(nt // n_segment, n_segment, c, h, w)
    fold = c // fold_div
    out = torch.zeros_like(x5)
    out[:, :-1, :fold] = x5[:, 1:, :fold]
    out[:, 1:, fold:2 * fold] = x5[:, :-1, fold:2 * fold]
    out[:, :, 2 * fold:] = x5[:, :, 2 * fold:]
    return out.view(nt, c, h, w)


class Shift(nn.Module):
    """Shift, then the wrapped module, kept as ``.net`` (hence the ``.net.`` in the published keys)."""

    def __init__(self, net, n_segment, fold_div):
        super().__init__()
        self.net, self.n_segment, self.fold_div = net, n_segment, fold_div

    def forward(self, x):
        return self.net(temporal_shift(x, self.n_segment, self.fold_div))


class OnlineShift(nn.Module):
    """Streaming shift of one frame [B, C, H, W]: the first C/fold_div channels come from the previous
    frame (zeros at the first), then the wrapped module."""

    def __init__(self, net, fold_div):
        super().__init__()
        self.net, self.fold_div, self.cache = net, fold_div, None

    def forward(self, x):
        fold = x.shape[1] // self.fold_div
        if self.cache is None:
            self.cache = torch.zeros_like(x[:, :fold])
        shifted = torch.cat((self.cache, x[:, fold:]), dim=1)
        self.cache = x[:, :fold].clone()
        return self.net(shifted)


class TemporalPool(nn.Module):
    """Max over time, kernel 3, stride 2, padding 1 (the official tpool), then the wrapped layer as ``.net``."""

    def __init__(self, net, n_segment):
        super().__init__()
        self.net, self.n_segment = net, n_segment

    def forward(self, x):
        nt, c, h, w = x.shape
        n = nt // self.n_segment
        x = x.view(n, self.n_segment, c, h, w).transpose(1, 2)
        x = F.max_pool3d(x, kernel_size=(3, 1, 1), stride=(2, 1, 1), padding=(1, 0, 0))
        x = x.transpose(1, 2).contiguous().view(nt // 2, c, h, w)
        return self.net(x)


class NarrowResNet(nn.Module):
    """torchvision's ResNet layout (module names conv1, bn1, layer1..4, fc) on torchvision's own
    BasicBlock/Bottleneck, with stem width ``width`` instead of 64."""

    def __init__(self, block, layers, width, num_classes):
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(block, width, layers[0], 1)
        self.layer2 = self._make_layer(block, width * 2, layers[1], 2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], 2)
        self.layer4 = self._make_layer(block, width * 8, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width * 8 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class FlatInvertedResidual(nn.Module):
    """MobileNetV2 block in the flat layout of the official TSM/online-demo code: conv.0..conv.7
    (expansion) or conv.0..conv.4 (t = 1), ReLU6, depthwise 3x3."""

    def __init__(self, inp, oup, stride, t):
        super().__init__()
        hidden = inp * t
        self.use_res_connect = stride == 1 and inp == oup
        dw = [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(True)]
        pw_linear = [nn.Conv2d(hidden, oup, 1, bias=False), nn.BatchNorm2d(oup)]
        if t == 1:
            self.conv = nn.Sequential(*dw, *pw_linear)
        else:
            self.conv = nn.Sequential(nn.Conv2d(inp, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(True),
                                      *dw, *pw_linear)

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


MBV2_SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


class FlatMobileNetV2(nn.Module):
    """MobileNetV2 width 1.0 (paper Table 2) in the flat layout: features.0 (3x3 conv, BN, ReLU6),
    features.1..17 blocks, features.18 (1x1 conv to 1280, BN, ReLU6), mean pool, ``classifier`` Linear."""

    def __init__(self, num_classes):
        super().__init__()
        feats = [nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU6(True))]
        inp = 32
        for t, c, n, s in MBV2_SETTINGS:
            for i in range(n):
                feats.append(FlatInvertedResidual(inp, c, s if i == 0 else 1, t))
                inp = c
        feats.append(nn.Sequential(nn.Conv2d(inp, 1280, 1, bias=False), nn.BatchNorm2d(1280), nn.ReLU6(True)))
        self.features = nn.Sequential(*feats)
        self.classifier = nn.Linear(1280, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean(3).mean(2))


def shifted_mbv2_blocks(mbv2):
    return [m for m in mbv2.features if isinstance(m, FlatInvertedResidual) and m.use_res_connect and len(m.conv) == 8]


class TSN(nn.Module):
    """The official TSN/TSM wrapper: ``base_model`` with its classifier replaced by dropout, ``new_fc``,
    average consensus over the T (or T/2 with tpool) frames."""

    def __init__(self, base, head_attr, features, num_classes, consensus_segments):
        super().__init__()
        self.base_model = base
        setattr(base, head_attr, nn.Dropout(0.5))
        self.new_fc = nn.Linear(features, num_classes)
        self.consensus_segments = consensus_segments

    def forward(self, x):
        logits = self.new_fc(self.base_model(x))
        return logits.view(-1, self.consensus_segments, logits.shape[-1]).mean(1)


def periodic_(model, period=61):
    """Conv/Linear weights (and biases) as a random sequence of prime period tiled over each tensor in
    row-major order, so that the gzipped fixtures stay small (deflate finds the repeats). A transposition
    or permutation still moves different values onto almost every position, so layout mistakes still
    change the logits; the BatchNorm statistics stay fully random."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                for p in [m.weight] + ([m.bias] if m.bias is not None else []):
                    seq = torch.randn(period) * p.std().item()
                    reps = -(-p.numel() // period)
                    p.copy_(seq.repeat(reps)[:p.numel()].view(p.shape))


def make_clip(*shape):
    """A random clip on a 1/8 grid in [-2, 2] (exact in float32 and compact once gzipped)."""
    return torch.clamp(torch.round(torch.randn(shape) * 8) / 8, -2, 2)


@torch.no_grad()
def randomize_bn(model, batches):
    """Random gamma/beta, then running statistics estimated from the batches (train-mode forward,
    cumulative average), then eval mode: well-scaled activations whose logits depend on the input."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.weight.copy_(torch.rand(m.weight.shape) + 0.5)
        m.bias.copy_(torch.randn(m.bias.shape) * 0.1)
        m.reset_running_stats()
        m.momentum = None
    model.train()
    for b in batches:
        model(b)
    for m in bns:
        m.momentum = 0.1
        m.num_batches_tracked.fill_(1234)
    model.eval()


def resnet_tsm(block, layers, width, classes, segments, fold_div, place, tpool):
    base = NarrowResNet(block, layers, width, 1000)
    seg = [segments, segments // 2, segments // 2, segments // 2] if tpool else [segments] * 4
    stages = [base.layer1, base.layer2, base.layer3, base.layer4]
    if place == "blockres":
        for stage, t in zip(stages, seg):
            for b in stage:
                b.conv1 = Shift(b.conv1, t, fold_div)
    elif place == "block":
        for stage, t in zip(stages, seg):
            for i in range(len(stage)):
                stage[i] = Shift(stage[i], t, fold_div)
    if tpool:
        base.layer2 = TemporalPool(base.layer2, segments)
    return TSN(base, "fc", width * 8 * block.expansion, classes, segments // 2 if tpool else segments)


def write_model_fixture(d, name, state_dict, clip, logits, info, legacy):
    """<name>.pth.gz (the torch.save bytes, gzipped) and <name>.json (clip, logits, info)."""
    buf = io.BytesIO()
    torch.save(state_dict, buf, _use_new_zipfile_serialization=not legacy)
    with gzip.GzipFile(os.path.join(d, name + ".gz"), "wb", mtime=0) as f:
        f.write(buf.getvalue())
    stem = re.sub(r"\.pth(\.tar)?$", "", name)
    with gzip.GzipFile(os.path.join(d, stem + ".clip.f32.gz"), "wb", mtime=0) as f:
        f.write(clip.contiguous().numpy().astype("<f4").tobytes())
    meta = dict(info)
    meta.update({"file": name, "clipShape": list(clip.shape), "logitsShape": list(logits.shape),
                 "logits": flat(logits)})
    with open(os.path.join(d, stem + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{name}: {len(buf.getvalue())} bytes, gzipped {os.path.getsize(os.path.join(d, name + '.gz'))}")


def with_prefix(sd, prefix):
    return OrderedDict((prefix + k, v) for k, v in sd.items())


def mmaction2_keys(sd):
    """torchvision/TSM ResNet keys to mmaction2's: ConvModules hold ``conv``/``bn``, the head is
    ``cls_head.fc_cls``."""
    out = OrderedDict()
    for k, v in sd.items():
        k = k.replace("base_model.", "backbone.")
        k = k.replace("new_fc.", "cls_head.fc_cls.")
        k = re.sub(r"^backbone\.conv1\.", "backbone.conv1.conv.", k)
        k = re.sub(r"^backbone\.bn1\.", "backbone.conv1.bn.", k)
        k = re.sub(r"\.(conv[123])\.(net\.)?(weight)$", r".\1.conv.\2\3", k)
        k = re.sub(r"\.bn([123])\.", r".conv\1.bn.", k)
        k = k.replace("downsample.0.", "downsample.conv.").replace("downsample.1.", "downsample.bn.")
        out[k] = v
    return out


def model_fixtures():
    d = os.path.join(OUT, "models")
    os.makedirs(d, exist_ok=True)
    size = 32

    # 1. official TSM-ResNet50 (residual shift), legacy format, DataParallel wrapper dict
    torch.manual_seed(1)
    t = 4
    net = resnet_tsm(Bottleneck, [3, 4, 6, 3], 4, 7, t, 4, "blockres", False)
    periodic_(net)
    randomize_bn(net, [torch.randn(2 * t, 3, size, size) for _ in range(3)])
    clip = make_clip(2 * t, 3, size, size)
    with torch.no_grad():
        logits = net(clip)
    ckpt = {"epoch": 45, "arch": "resnet50", "state_dict": with_prefix(net.state_dict(), "module."),
            "best_prec1": 47.5}
    write_model_fixture(d, "TSM_something_RGB_resnet50_shift4_blockres_avg_segment4_e45.pth", ckpt, clip, logits,
                        {"layout": "OFFICIAL_TSM", "backbone": "RESNET50", "segments": t, "foldDiv": 4,
                         "placement": "RESIDUAL", "temporalPool": False, "baseWidth": 4, "numClasses": 7}, True)

    # 2. official TSM-ResNet18, in-place shift + temporal pool, zip format
    torch.manual_seed(2)
    net = resnet_tsm(BasicBlock, [2, 2, 2, 2], 4, 5, t, 4, "block", True)
    periodic_(net)
    randomize_bn(net, [torch.randn(2 * t, 3, size, size) for _ in range(3)])
    clip = make_clip(2 * t, 3, size, size)
    with torch.no_grad():
        logits = net(clip)
    write_model_fixture(d, "TSM_kinetics_RGB_resnet18_shift4_block_tpool_avg_segment4_e50.pth",
                        {"epoch": 50, "arch": "resnet18", "state_dict": net.state_dict(), "best_prec1": 12.0},
                        clip, logits,
                        {"layout": "OFFICIAL_TSM", "backbone": "RESNET18", "segments": t, "foldDiv": 4,
                         "placement": "IN_PLACE", "temporalPool": True, "baseWidth": 4, "numClasses": 5}, False)

    # 3. official TSM-MobileNetV2 (flat layout, shift before conv.0 of 10 blocks), legacy format
    torch.manual_seed(3)
    t = 2
    base = FlatMobileNetV2(1000)
    for b in shifted_mbv2_blocks(base):
        b.conv[0] = Shift(b.conv[0], t, 8)
    net = TSN(base, "classifier", 1280, 6, t)
    periodic_(net)
    randomize_bn(net, [torch.randn(2 * t, 3, size, size) for _ in range(3)])
    clip = make_clip(2 * t, 3, size, size)
    with torch.no_grad():
        logits = net(clip)
    write_model_fixture(d, "TSM_somethingv2_RGB_mobilenetv2_shift8_blockres_avg_segment2_e25.pth",
                        {"epoch": 25, "arch": "mobilenetv2", "state_dict": with_prefix(net.state_dict(), "module."),
                         "best_prec1": 30.0}, clip, logits,
                        {"layout": "OFFICIAL_TSM", "backbone": "MOBILENET_V2", "segments": t, "foldDiv": 8,
                         "placement": "RESIDUAL", "temporalPool": False, "baseWidth": 64, "numClasses": 6}, True)

    # 4. online demo: flat MobileNetV2, bare state dict without .net, 27 classes, frame by frame
    torch.manual_seed(4)
    frames = 3
    offline = FlatMobileNetV2(27)
    periodic_(offline)
    online = FlatMobileNetV2(27)
    calib = FlatMobileNetV2(27)  # BN statistics from clip-free frames: no shift needed for calibration
    calib.load_state_dict(offline.state_dict())
    randomize_bn(calib, [torch.randn(4, 3, size, size) for _ in range(3)])
    online.load_state_dict(calib.state_dict())
    for b in shifted_mbv2_blocks(online):
        b.conv[0] = OnlineShift(b.conv[0], 8)
    online.eval()
    clip = make_clip(frames, 3, size, size)
    with torch.no_grad():
        logits = torch.cat([online(clip[i:i + 1]) for i in range(frames)])
    write_model_fixture(d, "mobilenetv2_jester_online.pth.tar", calib.state_dict(), clip, logits,
                        {"layout": "ONLINE_DEMO", "backbone": "MOBILENET_V2", "segments": 1, "foldDiv": 8,
                         "placement": "RESIDUAL", "temporalPool": False, "baseWidth": 64, "numClasses": 27,
                         "perFrame": True}, True)

    # 5. torchvision ResNet-18 layout (TSN: no shift), zip format; logits = average of per-frame fc
    torch.manual_seed(5)
    t = 2
    net = NarrowResNet(BasicBlock, [2, 2, 2, 2], 4, 10)
    periodic_(net)
    randomize_bn(net, [torch.randn(4, 3, size, size) for _ in range(3)])
    clip = make_clip(2 * t, 3, size, size)
    with torch.no_grad():
        logits = net(clip).view(-1, t, 10).mean(1)
    write_model_fixture(d, "resnet18_torchvision.pth", net.state_dict(), clip, logits,
                        {"layout": "TORCHVISION", "backbone": "RESNET18", "segments": t, "foldDiv": 4,
                         "placement": "NONE", "temporalPool": False, "baseWidth": 4, "numClasses": 10}, False)

    # 6. mmaction2 TSM-ResNet18 (residual shift): backbone.* with ConvModules, cls_head.fc_cls
    torch.manual_seed(6)
    t = 4
    net = resnet_tsm(BasicBlock, [2, 2, 2, 2], 4, 4, t, 4, "blockres", False)
    periodic_(net)
    randomize_bn(net, [torch.randn(2 * t, 3, size, size) for _ in range(3)])
    clip = make_clip(2 * t, 3, size, size)
    with torch.no_grad():
        logits = net(clip)
    sd = mmaction2_keys(net.state_dict())
    write_model_fixture(d, "tsm_r18_mmaction2.pth", {"meta": {"epoch": 3, "mmaction_version": "0.x"}, "state_dict": sd},
                        clip, logits,
                        {"layout": "MMACTION2", "backbone": "RESNET18", "segments": t, "foldDiv": 4,
                         "placement": "RESIDUAL", "temporalPool": False, "baseWidth": 4, "numClasses": 4}, False)

    torchvision_mobilenet_v2_fixture(d, size)


def torchvision_mobilenet_v2_fixture(d, size=32):
    """7. torchvision's own mobilenet_v2 (nested conv.0.0 / classifier.1 keys, 1000 ImageNet classes), zip format;
    TSN logits (average of per-frame classifier outputs over 2 frames)."""
    import torchvision
    torch.manual_seed(7)
    t = 2
    net = torchvision.models.mobilenet_v2(num_classes=1000)
    periodic_(net)
    randomize_bn(net, [torch.randn(4, 3, size, size) for _ in range(3)])
    clip = make_clip(2 * t, 3, size, size)
    with torch.no_grad():
        logits = net(clip).view(-1, t, 1000).mean(1)
    write_model_fixture(d, "mobilenet_v2_torchvision.pth", net.state_dict(), clip, logits,
                        {"layout": "TORCHVISION", "backbone": "MOBILENET_V2", "segments": t, "foldDiv": 8,
                         "placement": "NONE", "temporalPool": False, "baseWidth": 64, "numClasses": 1000}, False)


# ----------------------------------------------------------------------------- full size (parity_full.sh)

def write_full(d, name, state_dict, clip, logits, info):
    """Uncompressed: <name> (legacy torch.save), <stem>.clip.f32 (raw LE float32), <stem>.json."""
    torch.save(state_dict, os.path.join(d, name), _use_new_zipfile_serialization=False)
    stem = re.sub(r"\.pth(\.tar)?$", "", name)
    with open(os.path.join(d, stem + ".clip.f32"), "wb") as f:
        f.write(clip.contiguous().numpy().astype("<f4").tobytes())
    meta = dict(info)
    meta.update({"file": name, "clipShape": list(clip.shape), "logitsShape": list(logits.shape), "logits": flat(logits)})
    with open(os.path.join(d, stem + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{name}: {os.path.getsize(os.path.join(d, name))} bytes", flush=True)


def full_size_fixtures(d):
    """The real sizes: TSM-ResNet50 (8 segments, 224 px, 174 classes, official layout), TSM-MobileNetV2 offline
    (8 segments, official flat layout) and the online demo MobileNetV2 (27 classes, 8 frames one by one)."""
    os.makedirs(d, exist_ok=True)
    t, size = 8, 224
    torch.manual_seed(11)
    net = resnet_tsm(Bottleneck, [3, 4, 6, 3], 64, 174, t, 8, "blockres", False)
    randomize_bn(net, [torch.randn(t, 3, size, size) for _ in range(2)])
    clip = torch.randn(t, 3, size, size)
    with torch.no_grad():
        logits = net(clip)
    write_full(d, "TSM_something_RGB_resnet50_shift8_blockres_avg_segment8_e45.pth",
               {"epoch": 45, "arch": "resnet50", "state_dict": with_prefix(net.state_dict(), "module."), "best_prec1": 45.0},
               clip, logits, {"layout": "OFFICIAL_TSM", "segments": t, "foldDiv": 8})
    torch.manual_seed(12)
    base = FlatMobileNetV2(1000)
    for b in shifted_mbv2_blocks(base):
        b.conv[0] = Shift(b.conv[0], t, 8)
    net = TSN(base, "classifier", 1280, 174, t)
    randomize_bn(net, [torch.randn(t, 3, size, size) for _ in range(2)])
    clip = torch.randn(t, 3, size, size)
    with torch.no_grad():
        logits = net(clip)
    write_full(d, "TSM_somethingv2_RGB_mobilenetv2_shift8_blockres_avg_segment8_e25.pth",
               {"epoch": 25, "arch": "mobilenetv2", "state_dict": with_prefix(net.state_dict(), "module."), "best_prec1": 30.0},
               clip, logits, {"layout": "OFFICIAL_TSM", "segments": t, "foldDiv": 8})
    torch.manual_seed(13)
    calib = FlatMobileNetV2(27)
    randomize_bn(calib, [torch.randn(8, 3, size, size) for _ in range(2)])
    online = FlatMobileNetV2(27)
    online.load_state_dict(calib.state_dict())
    for b in shifted_mbv2_blocks(online):
        b.conv[0] = OnlineShift(b.conv[0], 8)
    online.eval()
    clip = torch.randn(t, 3, size, size)
    with torch.no_grad():
        logits = torch.cat([online(clip[i:i + 1]) for i in range(t)])
    write_full(d, "mobilenetv2_jester_online.pth.tar", calib.state_dict(), clip, logits,
               {"layout": "ONLINE_DEMO", "segments": 8, "foldDiv": 8, "perFrame": True})


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--hostile":
        OUT = sys.argv[2] if len(sys.argv) > 2 else OUT
        hostile_fixtures()
        print("hostile fixtures written to", OUT)
    elif len(sys.argv) > 2 and sys.argv[1] == "--full":
        full_size_fixtures(sys.argv[2])
    else:
        reader_fixtures()
        hostile_fixtures()
        model_fixtures()
        print("fixtures written to", OUT)
