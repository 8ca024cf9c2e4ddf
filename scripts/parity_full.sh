#!/bin/sh
# Full-size parity of the checkpoint import with PyTorch (not part of CI).
#
# Needs Debian's python3-torch (apt-get install -y python3-torch python3-torchvision) and the Maven cache.
# Builds TSM-ResNet50 (8 segments, 224 px, 174 classes), TSM-MobileNetV2 (8 segments) and the online
# MobileNetV2 (27 classes, 8 frames one by one) in PyTorch with random weights and BatchNorm statistics,
# saves them as legacy-format checkpoints in the official key layouts with PyTorch's logits, imports them
# with tsm4j and prints max |Δlogit| for each (exit 1 above the tolerance, default 1e-4).
#
#   scripts/parity_full.sh [DIR] [TOLERANCE]
set -eu
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/tsm-parity-full}
TOL=${2:-1e-4}
if [ ! -f "$DIR/mobilenetv2_jester_online.json" ]; then
  /usr/bin/python3 scripts/make_import_fixtures.py --full "$DIR"
fi
if [ ! -f tsm-examples/target/tsm.jar ]; then
  mvn -o -B -q -pl tsm-examples -am package -DskipTests
fi
exec java -Xmx4g -cp tsm-examples/target/tsm.jar io.github.tsm4j.examples.parity.ImportParity "$DIR" "$TOL"
