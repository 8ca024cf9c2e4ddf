#!/usr/bin/python3
"""Generates the checkpoint fixtures of the tsm-models import tests (tsm4j's own code).

Run with Debian's python3-torch (``apt-get install -y python3-torch python3-torchvision``):

    /usr/bin/python3 scripts/make_import_fixtures.py [OUTDIR]

OUTDIR defaults to tsm-models/src/test/resources/io/github/tsm4j/models/importer.

What it writes
--------------
reader/      small state dicts exercising the reader: wrapper dict with metadata and an optimizer,
             DataParallel ``module.`` prefix, ``num_batches_tracked``, float64/int64/float16 tensors,
             a transposed (non-contiguous) view, a slice with a storage offset, two tensors sharing a
             storage; each in the legacy and the zip format, plus ``reader/expected.json`` with the
             values in row-major order; ``evil_*.pth``: a pickle naming ``os.system``.
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
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
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


if __name__ == "__main__":
    reader_fixtures()
    print("fixtures written to", OUT)
