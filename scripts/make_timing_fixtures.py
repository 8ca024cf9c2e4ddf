#!/usr/bin/python3
"""Test videos with chosen timestamps and the frames ffmpeg's constant-rate extraction picks from them.

Run by hand:  /usr/bin/python3 scripts/make_timing_fixtures.py   (needs /usr/bin/ffmpeg and ffprobe;
Debian 12: apt-get install ffmpeg, version 5.1). Writes tsm-data/src/test/resources/timing/:
  *.mkv/*.mp4/*.webm/*.avi   tiny 64x48 videos; source frame k (in presentation order) shows the number k
                             as 12 bits in a 4x3 grid of 16x16 black/white blocks (bit b at column b % 4,
                             row b // 4, white = 1), so every decoded frame names itself.
  expected.json              per video: "source_frames" (frames in the file), "pts" (seconds, ffprobe),
                             "start_time" (the container's, seconds, ffprobe),
                             "constant_rate": the number shown by img_00001.jpg, img_00002.jpg, ... of
                             `ffmpeg -i V -threads 1 -q:v 0 img_%05d.jpg` (the official vid2img command without
                             scaling) and "constant_rate_filtered": the same with `-vf scale=-1:48` (the
                             official tools scale with -vf, which changes ffmpeg's duration rule), and the
                             ffmpeg version used.
"""
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', 'tsm-data', 'src', 'test', 'resources', 'timing')
W, H, BLOCK = 64, 48, 16

# name -> (frames, setpts expression in seconds of frame N (time base 1/1000), encoder args)
VIDEOS = {
    # constant 12 fps: the trivial case
    'cfr12.mp4': (20, 'N/12', ['-c:v', 'mpeg4', '-q:v', '2']),
    # variable rate: spacing grows from 1/24 s to about 1/8 s
    'vfr.mkv': (30, 'N/24+N*N/1200', ['-c:v', 'mpeg4', '-q:v', '2']),
    # a dropped span: 0.75 s missing after frame 9 (constant-rate extraction repeats frame 9)
    'gap.mp4': (24, 'N/12+gte(N,10)*0.75', ['-c:v', 'mpeg4', '-q:v', '2', '-video_track_timescale', '1000']),
    # bursts: every third frame 15 ms after the previous one (constant-rate extraction drops some)
    'burst.webm': (30, '(N-floor(N/3))/12+mod(N,3)*0.0-eq(mod(N,3),2)*(1/12-0.015)', ['-c:v', 'libvpx-vp9', '-b:v', '200k']),
    # faster than nominal for a stretch, then slower, in AVI (nominal rate from the container)
    # AVI at a 1/25 s time base: the gaps become zero-size repeat packets in the index
    'mixed.avi': (28, 'if(lt(N,8),N/10,if(lt(N,20),0.8+(N-8)/25,0.8+12/25+(N-20)/6))',
                  ['-c:v', 'mpeg4', '-q:v', '2', '-enc_time_base', '1/25']),
    # starts late (first frame at 0.5 s) with jitter
    'late.mkv': (20, '0.5+N/15+0.02*sin(N*1.7)', ['-c:v', 'mpeg4', '-q:v', '2']),
    # the same with an audio stream from 0 s: two streams, so ffmpeg uses cfr (not vscfr) and repeats the first
    # frame from the file's start time
    'late_audio.mkv': (20, '0.5+N/15+0.02*sin(N*1.7)', ['-c:v', 'mpeg4', '-q:v', '2', 'AUDIO']),
}


def code_frame(k):
    a = np.zeros((H, W, 3), dtype=np.uint8)
    for b in range(12):
        if (k >> b) & 1:
            x, y = (b % 4) * BLOCK, (b // 4) * BLOCK
            a[y:y + BLOCK, x:x + BLOCK] = 255
    return a


def read_code(path):
    a = np.asarray(Image.open(path).convert('RGB'), dtype=np.float64)
    h, w = a.shape[:2]
    k = 0
    for b in range(12):
        bx, by = w / 4.0, h / 3.0
        x0, y0 = int((b % 4) * bx + bx / 4), int((b // 4) * by + by / 4)
        block = a[y0:int(y0 + bx / 2), x0:int(x0 + bx / 2)]
        m = block.mean()
        assert m < 60 or m > 195, '%s: ambiguous block %d mean %.1f' % (path, b, m)
        if m > 128:
            k |= 1 << b
    return k


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def extract(video, tmp, vf):
    d = tempfile.mkdtemp(dir=tmp)
    cmd = ['ffmpeg', '-i', video, '-threads', '1'] + (['-vf', vf] if vf else []) + ['-q:v', '0', os.path.join(d, 'img_%05d.jpg')]
    run(cmd)
    files = sorted(f for f in os.listdir(d) if f.endswith('.jpg'))
    assert files[0] == 'img_00001.jpg' and files[-1] == 'img_%05d.jpg' % len(files)
    return [read_code(os.path.join(d, f)) for f in files]


def start_time(video):
    out = subprocess.run(['ffprobe', '-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', video],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip())


def pts_seconds(video):
    out = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time',
                          '-of', 'csv=p=0', video], check=True, capture_output=True, text=True).stdout
    return [float(x) for x in out.split() if x.strip()]


def main():
    os.makedirs(OUT, exist_ok=True)
    version = subprocess.run(['ffmpeg', '-version'], capture_output=True, text=True).stdout.split('\n')[0]
    expected = {'ffmpeg': version, 'videos': {}}
    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(tmp, 'src')
        os.makedirs(src)
        for k in range(64):
            Image.fromarray(code_frame(k)).save(os.path.join(src, 'f_%03d.png' % k))
        for name, (frames, expr, args) in VIDEOS.items():
            path = os.path.join(OUT, name)
            audio = 'AUDIO' in args
            args = [a for a in args if a != 'AUDIO']
            extra_in = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000:duration=2.5'] if audio else []
            extra_out = ['-map', '0:v', '-map', '1:a', '-c:a', 'libopus', '-b:a', '8k'] if audio else []
            run(['ffmpeg', '-y', '-framerate', '12', '-i', os.path.join(src, 'f_%03d.png')] + extra_in + extra_out
                + ['-frames:v', str(frames),
                 '-vf', 'settb=1/1000,setpts=(%s)/TB' % expr.replace(',', '\\,'), '-fps_mode', 'passthrough', '-pix_fmt', 'yuv420p']
                + (args if '-enc_time_base' in args else args + ['-enc_time_base', '1/1000']) + [path])
            direct = extract(path, tmp, None)
            filtered = extract(path, tmp, 'scale=-1:48')
            # every source frame decodes to its own number
            decoded = extract_all(path, tmp)
            assert decoded == list(range(frames)), (name, decoded)
            expected['videos'][name] = {'source_frames': frames, 'pts': pts_seconds(path), 'start_time': start_time(path),
                                        'constant_rate': direct, 'constant_rate_filtered': filtered}
            print(name, frames, 'source frames ->', len(direct), 'constant-rate frames; filtered differs:',
                  direct != filtered)
    finally:
        shutil.rmtree(tmp)
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)


def extract_all(video, tmp):
    d = tempfile.mkdtemp(dir=tmp)
    run(['ffmpeg', '-i', video, '-fps_mode', 'passthrough', os.path.join(d, '%05d.png')])
    return [read_code(os.path.join(d, f)) for f in sorted(os.listdir(d))]


if __name__ == '__main__':
    main()
