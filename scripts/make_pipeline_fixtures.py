#!/usr/bin/python3
"""The official TSM test pipeline's input tensors for small frame folders (OfficialPipelineParityTest).

Run by hand:  /usr/bin/python3 scripts/make_pipeline_fixtures.py   (Debian's python3-torch, -torchvision, PIL)

Re-implements, operation by operation, what mit-han-lab/temporal-shift-module's test_models.py feeds the
network: TSNDataSet in test mode (_get_test_indices: uniform or twice; 1-based img_{:05d}.jpg, PIL
Image.open(...).convert('RGB')), the cropping of test_models.py (GroupScale(scale_size) + GroupCenterCrop(input_size)
for 1 crop, GroupFullResSample(input_size, scale_size, flip=False) for 3, GroupOverSample(input_size, scale_size)
for 10; --full_res sets input_size = scale_size), Stack(roll=False), ToTorchFormatTensor(div=True),
GroupNormalize(ImageNet mean/std), then view(-1, 3, h, w). GroupScale is torchvision Resize(size) with
PIL's BILINEAR, GroupCenterCrop torchvision CenterCrop.

Writes tsm-data/src/test/resources/official-pipeline/: frame folders (img_%05d.jpg, made here with PIL, JPEG
quality 90), cases.json and one <case>.f32 per case (float32 little-endian, the tensor [V*T, 3, S, S] in C order).
"""
import json
import os
import shutil
import subprocess

import numpy as np
import torch
import torchvision
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', 'tsm-data', 'src', 'test', 'resources', 'official-pipeline')
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
INPUT_SIZE = 16
SCALE_SIZE = INPUT_SIZE * 256 // 224  # the official scale_size: 18


def frame(w, h, t, seed):
    """Smooth gradients, a moving square, stripes and noise: sharp edges where resize filters differ."""
    r = np.random.RandomState(seed * 1000 + t)
    y, x = np.mgrid[0:h, 0:w]
    a = np.zeros((h, w, 3), dtype=np.float64)
    a[..., 0] = 255 * x / max(1, w - 1)
    a[..., 1] = 128 + 100 * np.sin((x + 3 * t) / 3.0) * np.cos(y / 4.0)
    a[..., 2] = 255 * ((x // 3 + y // 5 + t) % 2)
    s = 6 + t % 5
    x0, y0 = (5 * t) % max(1, w - s), (3 * t) % max(1, h - s)
    a[y0:y0 + s, x0:x0 + s] = [250, 20, 200]
    a += r.normal(0, 12, size=a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), 'RGB')


# ---- the official pieces (ops/transforms.py, ops/dataset.py), re-implemented ----
def test_indices(num_frames, num_segments, twice):
    tick = (num_frames - 1 + 1) / float(num_segments)
    offsets = [int(tick / 2.0 + tick * x) for x in range(num_segments)]
    if twice:
        offsets += [int(tick * x) for x in range(num_segments)]
    return np.array(offsets) + 1


def group_scale(imgs, size):
    worker = torchvision.transforms.Resize(size, torchvision.transforms.InterpolationMode.BILINEAR)
    return [worker(img) for img in imgs]


def group_center_crop(imgs, size):
    worker = torchvision.transforms.CenterCrop(size)
    return [worker(img) for img in imgs]


def fill_fix_offset(image_w, image_h, crop_w, crop_h):
    w_step = (image_w - crop_w) // 4
    h_step = (image_h - crop_h) // 4
    return [(0, 0), (4 * w_step, 0), (0, 4 * h_step), (4 * w_step, 4 * h_step), (2 * w_step, 2 * h_step)]


def group_full_res_sample(imgs, crop, scale):
    imgs = group_scale(imgs, scale)
    image_w, image_h = imgs[0].size
    w_step = (image_w - crop) // 4
    h_step = (image_h - crop) // 4
    out = []
    for o_w, o_h in [(0, 2 * h_step), (4 * w_step, 2 * h_step), (2 * w_step, 2 * h_step)]:
        out.extend(img.crop((o_w, o_h, o_w + crop, o_h + crop)) for img in imgs)
    return out


def group_over_sample(imgs, crop, scale):
    imgs = group_scale(imgs, scale)
    image_w, image_h = imgs[0].size
    out = []
    for o_w, o_h in fill_fix_offset(image_w, image_h, crop, crop):
        normal = [img.crop((o_w, o_h, o_w + crop, o_h + crop)) for img in imgs]
        out.extend(normal)
        out.extend(c.copy().transpose(Image.FLIP_LEFT_RIGHT) for c in normal)
    return out


def to_tensor(imgs):
    stacked = np.concatenate([np.array(x) for x in imgs], axis=2)      # Stack(roll=False)
    t = torch.from_numpy(stacked).permute(2, 0, 1).contiguous()         # ToTorchFormatTensor
    t = t.float().div(255)
    rep_mean = MEAN * (t.size()[0] // len(MEAN))                        # GroupNormalize
    rep_std = STD * (t.size()[0] // len(STD))
    for c, m, s in zip(t, rep_mean, rep_std):
        c.sub_(m).div_(s)
    return t


def pipeline(folder, num_frames, segments, crops, full_res, twice, tmpl='img_{:05d}.jpg'):
    input_size = SCALE_SIZE if full_res else INPUT_SIZE
    idx = test_indices(num_frames, segments, twice)
    imgs = [Image.open(os.path.join(folder, tmpl.format(int(p)))).convert('RGB') for p in idx]
    if crops == 1:
        imgs = group_center_crop(group_scale(imgs, SCALE_SIZE), input_size)
    elif crops == 3:
        imgs = group_full_res_sample(imgs, input_size, SCALE_SIZE)
    else:
        imgs = group_over_sample(imgs, input_size, SCALE_SIZE)
    t = to_tensor(imgs)
    return (idx - 1).tolist(), t.view(-1, 3, input_size, input_size)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    folders = {'wide': (72, 40, 10, 1), 'tall': (30, 50, 7, 2), 'odd': (41, 23, 13, 3)}
    for name, (w, h, n, seed) in folders.items():
        os.makedirs(os.path.join(OUT, name))
        for t in range(n):
            frame(w, h, t, seed).save(os.path.join(OUT, name, 'img_{:05d}.jpg'.format(t + 1)), quality=90)
    cases = [
        ('wide', 4, 1, False, False),
        ('wide', 4, 1, False, True),    # twice
        ('tall', 4, 3, False, False),
        ('tall', 4, 3, True, False),    # --full_res 3 crops
        ('odd', 3, 1, True, False),     # --full_res 1 crop
        ('odd', 2, 10, False, False),
        ('wide', 3, 3, True, True),
    ]
    index = []
    for k, (name, segments, crops, full_res, twice) in enumerate(cases):
        n = folders[name][2]
        idx, tensor = pipeline(os.path.join(OUT, name), n, segments, crops, full_res, twice)
        fname = 'case%d.f32' % k
        tensor.numpy().astype('<f4').tofile(os.path.join(OUT, fname))
        index.append({'folder': name, 'frames': n, 'segments': segments, 'crops': crops, 'full_res': full_res,
                      'twice': twice, 'indices': idx, 'shape': list(tensor.shape), 'file': fname})
    # a video file: H.264 (yuv420p) made by ffmpeg from the 'wide' frames at 12 fps, extracted losslessly with the
    # official command but PNG output (ffmpeg -i V -threads 1 img_%05d.png); the official pipeline on those PNGs
    video_cases = []
    if shutil.which('ffmpeg'):
        video = os.path.join(OUT, 'wide.mp4')
        subprocess.run(['ffmpeg', '-y', '-framerate', '12', '-i', os.path.join(OUT, 'wide', 'img_%05d.jpg'),
                        '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18', video], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        png = os.path.join(OUT, 'wide-png')
        os.makedirs(png)
        subprocess.run(['ffmpeg', '-i', video, '-threads', '1', os.path.join(png, 'img_%05d.png')], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        n = len(os.listdir(png))
        for k, (segments, crops, full_res) in enumerate([(4, 1, False), (3, 3, True)]):
            idx, tensor = pipeline(png, n, segments, crops, full_res, False, 'img_{:05d}.png')
            fname = 'video%d.f32' % k
            tensor.numpy().astype('<f4').tofile(os.path.join(OUT, fname))
            video_cases.append({'video': 'wide.mp4', 'png_folder': 'wide-png', 'frames': n, 'segments': segments,
                                'crops': crops, 'full_res': full_res, 'indices': idx, 'shape': list(tensor.shape),
                                'file': fname})
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump({'video_cases': video_cases, 'input_size': INPUT_SIZE, 'scale_size': SCALE_SIZE, 'mean': MEAN, 'std': STD,
                   'torch': torch.__version__, 'torchvision': torchvision.__version__,
                   'pillow': Image.__version__, 'cases': index}, f, indent=1)
    print(len(cases), 'cases')


if __name__ == '__main__':
    main()
