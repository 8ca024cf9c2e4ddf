#!/bin/sh
# Full-size ONNX round trip (not part of CI): TSM-ResNet50 offline and the online TSM-MobileNetV2.
#
# Needs Debian's python3-torch (apt-get install -y python3-torch python3-torchvision) and the Maven cache.
# Writes the full-size checkpoints of scripts/make_import_fixtures.py --full (random weights and BatchNorm
# statistics in the official key layouts), imports them with `tsm import`, exports them with `tsm export --format
# onnx [--online] --check`: --check runs the written file in ONNX Runtime (CPU, full graph optimisation) and
# compares its logits with tsm4j's engine (offline: one random 8-frame clip; online: 4 frames streamed with the
# 10 caches carried between calls); exit 1 above 1e-4 of the largest logit.
#
#   scripts/onnx_roundtrip.sh [DIR]        (TSM="java -cp ... io.github.tsm4j.examples.TsmCli" to use another launcher)
set -eu
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/tsm-onnx-roundtrip}
mkdir -p "$DIR"
if [ ! -f "$DIR/mobilenetv2_jester_online.pth.tar" ]; then
  /usr/bin/python3 scripts/make_import_fixtures.py --full "$DIR"
fi
if [ -z "${TSM:-}" ] && [ ! -f tsm-examples/target/tsm.jar ]; then
  mvn -o -B -q -pl tsm-examples -am package -DskipTests
fi
TSM=${TSM:-"java -Xmx6g -jar tsm-examples/target/tsm.jar"}
$TSM import "$DIR/TSM_something_RGB_resnet50_shift8_blockres_avg_segment8_e45.pth" --out "$DIR/tsm_r50.zip" \
  --num-classes 174
$TSM export "$DIR/tsm_r50.zip" --format onnx --out "$DIR/tsm_r50.onnx" --force --check
$TSM import "$DIR/mobilenetv2_jester_online.pth.tar" --out "$DIR/mbv2_online.zip"
$TSM export "$DIR/mbv2_online.zip" --format onnx --online --out "$DIR/mbv2_online.onnx" --force --check
