#!/usr/bin/python3
"""Golden fixtures for tsm4j's PIL-exact resize (PilResizeTest).

Run by hand with Debian's python3 (Pillow):  /usr/bin/python3 scripts/make_resize_fixtures.py
Writes tsm-data/src/test/resources/pil-resize/cases.bin: for each case, four big-endian int32
(in_w, in_h, out_w, out_h), then in_w*in_h*3 input bytes (RGB, HWC), then out_w*out_h*3 bytes of
PIL.Image.resize((out_w, out_h), Image.BILINEAR). Ends with four zero ints. Also cases.txt (one line
per case, for reading) with the Pillow version.
"""
import os
import struct

import numpy as np
import PIL
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', 'tsm-data', 'src', 'test', 'resources', 'pil-resize')


def noise(w, h, seed):
    return np.random.RandomState(seed).randint(0, 256, size=(h, w, 3), dtype=np.uint8)


def edges(w, h, seed):
    """Blocks, thin lines and a ramp: sharp edges where filter shapes differ most."""
    r = np.random.RandomState(seed)
    a = np.zeros((h, w, 3), dtype=np.uint8)
    a[:, :, 0] = (np.arange(w)[None, :] * 255 // max(1, w - 1)).astype(np.uint8)
    a[::3, :, 1] = 255
    a[:, ::2, 2] = 255
    for _ in range(4):
        x0, y0 = r.randint(0, w), r.randint(0, h)
        a[y0:y0 + r.randint(1, 6), x0:x0 + r.randint(1, 6)] = r.randint(0, 256, size=3)
    return a


def torchvision_short_side(w, h, size):
    """torchvision Resize(int) on a PIL image: short side = size, long side int(size * long / short)."""
    if w <= h:
        return size, int(size * h / w)
    return int(size * w / h), size


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = [
        # (in_w, in_h, out_w, out_h, pattern, seed)
        (45, 27, 20, 12, 'noise', 1),      # 2.25x shrink both ways
        (36, 27, 16, 12, 'edges', 2),      # 2.25x
        (40, 30, 17, 13, 'noise', 3),      # 2.35x / 2.31x
        (40, 30, 9, 7, 'edges', 4),        # ~4.4x
        (64, 48, 28, 21, 'noise', 5),      # 2.2857x
        (31, 17, 64, 35, 'noise', 6),      # enlarge ~2.06x
        (7, 5, 23, 16, 'edges', 7),        # enlarge 3.3x
        (33, 21, 40, 25, 'noise', 8),      # mild enlarge
        (30, 20, 12, 20, 'noise', 9),      # width only
        (30, 20, 30, 7, 'edges', 10),      # height only
        (40, 10, 15, 25, 'noise', 11),     # shrink width, enlarge height
        (1, 1, 5, 3, 'noise', 12),         # one pixel up
        (5, 1, 1, 1, 'noise', 13),         # to one pixel
        (1, 9, 3, 4, 'edges', 14),         # one column
        (13, 1, 6, 1, 'noise', 15),        # one row
        (3, 3, 1, 2, 'noise', 16),
        (17, 23, 17, 11, 'noise', 17),     # odd sizes
        (29, 31, 13, 19, 'edges', 18),
    ]
    # short-side scaling as GroupScale / torchvision Resize(int) does it
    for (w, h, s, seed) in [(50, 37, 28, 19), (37, 50, 28, 20), (59, 33, 23, 21), (20, 16, 40, 22), (90, 60, 40, 23)]:
        ow, oh = torchvision_short_side(w, h, s)
        cases.append((w, h, ow, oh, 'noise' if seed % 2 else 'edges', seed))
    blob = bytearray()
    lines = ['# Pillow %s, Image.resize(size, Image.BILINEAR), RGB' % PIL.__version__]
    for (w, h, ow, oh, pattern, seed) in cases:
        src = (noise if pattern == 'noise' else edges)(w, h, seed)
        out = np.asarray(Image.fromarray(src, 'RGB').resize((ow, oh), Image.BILINEAR))
        assert out.shape == (oh, ow, 3), out.shape
        blob += struct.pack('>iiii', w, h, ow, oh) + src.tobytes() + out.tobytes()
        lines.append('%dx%d -> %dx%d %s seed %d' % (w, h, ow, oh, pattern, seed))
    blob += struct.pack('>iiii', 0, 0, 0, 0)
    with open(os.path.join(OUT, 'cases.bin'), 'wb') as f:
        f.write(bytes(blob))
    with open(os.path.join(OUT, 'cases.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('%d cases, %d bytes' % (len(cases), len(blob)))


if __name__ == '__main__':
    main()
