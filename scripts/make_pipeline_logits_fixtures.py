#!/usr/bin/python3
"""The official test pipeline's per-video scores from a small official-format TSM checkpoint (PipelineLogitsParityTest).

Run by hand, after scripts/make_pipeline_fixtures.py (whose frame folders and video it reads):

    /usr/bin/python3 scripts/make_pipeline_logits_fixtures.py      (Debian's python3-torch, -torchvision, PIL)

Builds a narrow TSM-ResNet18 (width 8, residual shift, fold divisor 4, 4 segments, 5 classes) with the network
code of scripts/make_import_fixtures.py, saves it as an official checkpoint (wrapper dict, ``module.base_model.*``
and ``module.new_fc.*``, zip format, gzipped), and for each case runs the official test pipeline of
scripts/make_pipeline_fixtures.py (TSNDataSet test indices, GroupScale/crops at input 16, scale 18, GroupNormalize)
through it and averages the raw scores over clips x crops as test_models.py's eval_video does
(``rst.reshape(batch_size, num_crop, -1).mean(1)``, no softmax).

Writes tsm-examples/src/test/resources/pipeline-logits/: the checkpoint (.pth.gz) and scores.json.
"""
import gzip
import io
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.argv = sys.argv[:1]  # make_import_fixtures reads its output folder from argv
import make_import_fixtures as imp  # noqa: E402
import make_pipeline_fixtures as pipe  # noqa: E402
from torchvision.models.resnet import BasicBlock  # noqa: E402

OUT = os.path.join(HERE, '..', 'tsm-examples', 'src', 'test', 'resources', 'pipeline-logits')
FRAMES = os.path.join(HERE, '..', 'tsm-data', 'src', 'test', 'resources', 'official-pipeline')
NAME = 'TSM_kinetics_RGB_resnet18_shift4_blockres_avg_segment4_e50.pth'
T, WIDTH, CLASSES = 4, 8, 5


def count(folder, ext):
    return len([f for f in os.listdir(folder) if f.endswith(ext)])


def main():
    torch.manual_seed(20201)
    net = imp.resnet_tsm(BasicBlock, [2, 2, 2, 2], WIDTH, CLASSES, T, 4, 'blockres', False)
    imp.periodic_(net)
    imp.randomize_bn(net, [torch.randn(2 * T, 3, pipe.INPUT_SIZE, pipe.INPUT_SIZE) for _ in range(3)])
    net.eval()
    os.makedirs(OUT, exist_ok=True)
    buf = io.BytesIO()
    torch.save({'epoch': 50, 'arch': 'resnet18', 'best_prec1': 20.0,
                'state_dict': imp.with_prefix(net.state_dict(), 'module.')}, buf)
    with gzip.GzipFile(os.path.join(OUT, NAME + '.gz'), 'wb', mtime=0) as f:
        f.write(buf.getvalue())
    # (source, segments, crops, full_res, twice); 'wide-png' is ffmpeg's lossless extraction of wide.mp4
    cases = [('wide', 1, False, False), ('tall', 1, False, False), ('wide', 3, False, True),
             ('tall', 3, False, True), ('tall', 3, True, False), ('odd', 3, True, False),
             ('wide-png', 1, False, False), ('wide-png', 3, True, False)]
    out = []
    with torch.no_grad():
        for source, crops, full_res, twice in cases:
            folder = os.path.join(FRAMES, source)
            png = source.endswith('-png')
            n = count(folder, '.png' if png else '.jpg')
            idx, tensor = pipe.pipeline(folder, n, T, crops, full_res, twice,
                                        'img_{:05d}.png' if png else 'img_{:05d}.jpg')
            views = net(tensor)                     # [clips * crops, K]: TSN consensus over each view's T frames
            scores = views.reshape(1, views.shape[0], -1).mean(1)[0]
            entry = {'frames': n, 'segments': T, 'crops': crops, 'full_res': full_res, 'twice': twice,
                     'indices': idx, 'views': views.shape[0], 'scores': scores.tolist(),
                     'top1': int(scores.argmax())}
            if png:
                entry.update({'video': 'wide.mp4', 'png_folder': source})
            else:
                entry['folder'] = source
            out.append(entry)
            print(source, crops, full_res, twice, [round(s, 4) for s in scores.tolist()])
    with open(os.path.join(OUT, 'scores.json'), 'w') as f:
        json.dump({'checkpoint': NAME, 'input_size': pipe.INPUT_SIZE, 'scale_size': pipe.SCALE_SIZE,
                   'segments': T, 'fold_div': 4, 'width': WIDTH, 'classes': CLASSES,
                   'torch': torch.__version__, 'cases': out}, f, indent=1)
    print(os.path.getsize(os.path.join(OUT, NAME + '.gz')), 'bytes checkpoint')


if __name__ == '__main__':
    main()
