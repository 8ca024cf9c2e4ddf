#!/usr/bin/env python3
"""Writes tsm-models/src/main/resources/io/github/tsm4j/models/zoo/catalogue.json.

Every fact below was read by hand from the named source (no network access is needed to run this):
  TSM_README  = https://github.com/mit-han-lab/temporal-shift-module/blob/master/README.md (commit 1f6a834)
  ONLINE_DEMO = https://github.com/mit-han-lab/temporal-shift-module/blob/master/online_demo/main.py
  MMA_META    = https://github.com/open-mmlab/mmaction2/blob/main/configs/recognition/tsm/metafile.yml (commit 4d6c9347)
  MMA_README  = https://github.com/open-mmlab/mmaction2/blob/main/configs/recognition/tsm/README.md
  TORCHVISION = torchvision 0.14.1 torchvision/models/resnet.py, mobilenetv2.py (Weights enums)
Parameter counts: torchvision's published totals minus its 1000-class fc, plus feat*K + K.
"""
import json, os

TSM_README = "https://github.com/mit-han-lab/temporal-shift-module/blob/master/README.md"
ONLINE_DEMO = "https://github.com/mit-han-lab/temporal-shift-module/blob/master/online_demo/main.py"
MMA_META = "https://github.com/open-mmlab/mmaction2/blob/main/configs/recognition/tsm/metafile.yml"
MMA_README = "https://github.com/open-mmlab/mmaction2/blob/main/configs/recognition/tsm/README.md"
TV = "torchvision 0.14.1 torchvision/models/{}.py ({}.IMAGENET1K_V1)"
HAN = "https://hanlab18.mit.edu/projects/tsm/models/"
MMA = "https://download.openmmlab.com/mmaction/v1.0/recognition/tsm/"

TV_TOTAL = {"resnet18": 11689512, "resnet34": 21797672, "resnet50": 25557032, "resnet101": 44549160,
            "resnet152": 60192808, "mobilenetv2": 3504872}
FEAT = {"resnet18": 512, "resnet34": 512, "resnet50": 2048, "resnet101": 2048, "resnet152": 2048, "mobilenetv2": 1280}

def params(arch, k):
    f = FEAT[arch]
    return TV_TOTAL[arch] - (f * 1000 + 1000) + f * k + k

NO_HASH = "sha256: the official README publishes no hash and no file could be downloaded here (no network)"
entries = []

def official(id, arch, dataset, labels, k, seg, fname, published, placement="RESIDUAL", sampling="UNIFORM",
             loadable=True, reason=None, extra_unverified=()):
    entries.append(dict(id=id, origin="OFFICIAL_TSM", kind="RECOGNIZER", backbone=arch, placement=placement,
        foldDiv=8, temporalPool=False, direction="BIDIRECTIONAL", segments=seg, sampling=sampling,
        cropSize=224, scaleSize=256, dataset=dataset, labels=labels, numClasses=k, published=published,
        urls=[HAN + fname] if fname else [], fileName=fname, sha256=None, sha256Prefix=None,
        parameters=params(arch, k) if loadable else None, loadable=loadable, reason=reason,
        unverified=[NO_HASH] + list(extra_unverified) if fname else ["not released: the README says TODO"]))

def acc(top1, protocol, source=TSM_README, top5=None):
    return dict(top1=top1, top5=top5, protocol=protocol, source=source)

# Kinetics-400, official
official("tsn-r50-kinetics400", "resnet50", "Kinetics-400", "kinetics400", 400, 8,
         "TSM_kinetics_RGB_resnet50_avg_segment5_e50.pth",
         [acc(70.6, "dense sampling, 8 frames x 10 clips, full resolution 3 crops (test_models.py --dense_sample --full_res --test_crops=3)"),
          acc(68.8, "uniform sampling, 8 frames x 1 clip, center crop (--test_segments=8 --test_crops=1)"),
          acc(69.9, "uniform sampling, 8 frames x 1 clip, 10 crops (--test_crops=10)")],
         placement="NONE", extra_unverified=["trained with 5 segments (file name segment5), tested with 8 as the README's commands do"])
official("tsm-r50-kinetics400-8f-dense", "resnet50", "Kinetics-400", "kinetics400", 400, 8,
         "TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e100_dense.pth",
         [acc(74.1, "dense sampling, 8 frames x 10 clips, full resolution 3 crops (--dense_sample --full_res --test_crops=3)")], sampling="DENSE")
official("tsm-r50-nl-kinetics400-8f-dense", "resnet50", "Kinetics-400", "kinetics400", 400, 8,
         "TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e100_dense_nl.pth",
         [acc(75.6, "dense sampling, 8 frames x 10 clips, full resolution 3 crops")], sampling="DENSE",
         loadable=False, reason="non-local blocks: tsm4j builds no non-local module")
official("tsm-resnext101-kinetics400-8f-dense", "resnext101", "Kinetics-400", "kinetics400", 400, 8, None,
         [acc(76.3, "dense sampling, 8 frames x 10 clips")], sampling="DENSE", loadable=False,
         reason="not released (TODO in the README); ResNeXt is not a tsm4j backbone")
official("tsm-mobilenetv2-kinetics400-8f-dense", "mobilenetv2", "Kinetics-400", "kinetics400", 400, 8,
         "TSM_kinetics_RGB_mobilenetv2_shift8_blockres_avg_segment8_e100_dense.pth",
         [acc(69.5, "dense sampling, 8 frames x 10 clips")], sampling="DENSE")
official("tsm-r50-kinetics400-8f", "resnet50", "Kinetics-400", "kinetics400", 400, 8,
         "TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e50.pth",
         [acc(71.2, "uniform sampling, 8 frames x 1 clip, center crop"), acc(72.8, "uniform sampling, 8 frames x 1 clip, 10 crops")])
official("tsm-r50-kinetics400-16f", "resnet50", "Kinetics-400", "kinetics400", 400, 16,
         "TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment16_e50.pth",
         [acc(72.6, "uniform sampling, 16 frames x 1 clip, center crop"), acc(73.7, "uniform sampling, 16 frames x 1 clip, 10 crops")])
official("tsm-r50-flow-kinetics400-8f", "resnet50", "Kinetics-400", "kinetics400", 400, 8,
         "TSM_kinetics_Flow_resnet50_shift8_blockres_avg_segment8_e50.pth",
         [acc(55.7, "uniform sampling, 8 frames x 1 clip", top5=79.5)], loadable=False,
         reason="optical flow input (10-channel first conv): tsm4j reads RGB only")
# Something-Something V1 (category.txt = sorted labels, tools/gen_label_sthv1.py)
for arch, seg, fname, a1, a2 in [("resnet50", 8, "TSM_something_RGB_resnet50_shift8_blockres_avg_segment8_e45.pth", 45.6, 47.2),
                                 ("resnet50", 16, "TSM_something_RGB_resnet50_shift8_blockres_avg_segment16_e45.pth", 47.2, 48.4),
                                 ("resnet101", 8, "TSM_something_RGB_resnet101_shift8_blockres_avg_segment8_e45.pth", 46.9, 48.7)]:
    official("tsm-%s-somethingv1-%df" % (arch.replace("resnet", "r"), seg), arch, "Something-Something V1",
             "something-v1-sorted", 174, seg, fname,
             [acc(a1, "%d frames, center crop x 1 clip (--test_crops=1)" % seg),
              acc(a2, "%d frames, full resolution 3 crops x 2 clips (--test_crops=3 --twice_sample)" % seg)])
for arch, seg, fname, a in [("resnet50", 8, "TSM_somethingv2_RGB_resnet50_shift8_blockres_avg_segment8_e45.pth", 61.2),
                            ("resnet50", 16, "TSM_somethingv2_RGB_resnet50_shift8_blockres_avg_segment16_e45.pth", 63.1),
                            ("resnet101", 8, "TSM_somethingv2_RGB_resnet101_shift8_blockres_avg_segment8_e45.pth", 63.3)]:
    official("tsm-%s-somethingv2-%df" % (arch.replace("resnet", "r"), seg), arch, "Something-Something V2",
             "something-v2", 174, seg, fname,
             [acc(a, "%d frames, full resolution 3 crops x 2 clips (--test_crops=3 --twice_sample)" % seg)])
# online demo
entries.append(dict(id="tsm-mobilenetv2-jester-online", origin="OFFICIAL_TSM", kind="ONLINE_RECOGNIZER",
    backbone="mobilenetv2", placement="RESIDUAL", foldDiv=8, temporalPool=False, direction="UNIDIRECTIONAL",
    segments=8, sampling="ONLINE", cropSize=224, scaleSize=256, dataset="Jester", labels="jester-tsm-online",
    numClasses=27, published=[], urls=[HAN + "mobilenetv2_jester_online.pth.tar"],
    fileName="mobilenetv2_jester_online.pth.tar", sha256=None, sha256Prefix=None, parameters=params("mobilenetv2", 27),
    loadable=True, reason=None,
    unverified=["sha256: online_demo/main.py downloads the file without a hash", "no accuracy is published for this model",
                "segments: the online model runs frame by frame (TsmStreamingModel); 8 is the offline clip length used here"]))

# mmaction2 (metafile.yml + README; hash = first 8 hex digits of SHA-256 in the file name)
def mma(id, name, date_hash, arch, dataset, labels, k, seg, top1, top5, protocol, sampling="UNIFORM", loadable=True, reason=None):
    date, h = date_hash.split("-")
    fname = "%s_%s-%s.pth" % (name, date, h)
    entries.append(dict(id=id, origin="MMACTION2", kind="RECOGNIZER", backbone=arch,
        placement="RESIDUAL", foldDiv=8, temporalPool=False, direction="BIDIRECTIONAL", segments=seg, sampling=sampling,
        cropSize=224, scaleSize=256, dataset=dataset, labels=labels, numClasses=k,
        published=[acc(top1, protocol, MMA_META, top5)], urls=[MMA + name + "/" + fname], fileName=fname,
        sha256=None, sha256Prefix=h, parameters=params(arch, k) if loadable else None, loadable=loadable, reason=reason,
        unverified=["mmaction2 v1.0 checkpoints (mmengine) were not read here: a pickled object outside the tensor allowlist "
                    "(e.g. in 'message_hub') would be refused by the reader"] if loadable else []))

K4 = "8 frames (SampleFrames num_clips=8) x TenCrop 224, probabilities averaged (README: 8 clips x 10 crop)"
mma("mmaction2-tsm-r50-kinetics400-8f", "tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb", "20220831-64d69186",
    "resnet50", "Kinetics-400", "kinetics400", 400, 8, 73.18, 90.56, K4)
mma("mmaction2-tsm-r50-kinetics400-8f-100e", "tsm_imagenet-pretrained-r50_8xb16-1x1x8-100e_kinetics400-rgb", "20220831-a6db1e5d",
    "resnet50", "Kinetics-400", "kinetics400", 400, 8, 73.22, 90.22, K4)
mma("mmaction2-tsm-r50-kinetics400-16f", "tsm_imagenet-pretrained-r50_8xb16-1x1x16-50e_kinetics400-rgb", "20220831-042b1748",
    "resnet50", "Kinetics-400", "kinetics400", 400, 16, 75.12, 91.55,
    "16 frames x TenCrop 224, probabilities averaged (README: 16 clips x 10 crop)")
mma("mmaction2-tsm-r50-kinetics400-8f-dense", "tsm_imagenet-pretrained-r50_8xb16-dense-1x1x8-50e_kinetics400-rgb", "20220831-f55d3c2b",
    "resnet50", "Kinetics-400", "kinetics400", 400, 8, 73.38, 90.78,
    "DenseSampleFrames 8 frames x TenCrop 224, probabilities averaged (README: 8 clips x 10 crop)", sampling="DENSE")
for nl, h, t1, t5 in [("nl-embedded-gaussian", "20220831-35eddb57", 74.34, 91.23), ("nl-dot-product", "20220831-108bfde5", 74.49, 91.15),
                      ("nl-gaussian", "20220831-7e54dacf", 73.66, 90.99)]:
    mma("mmaction2-tsm-r50-%s-kinetics400-8f" % nl, "tsm_imagenet-pretrained-r50-%s_8xb16-1x1x8-50e_kinetics400-rgb" % nl, h,
        "resnet50", "Kinetics-400", "kinetics400", 400, 8, t1, t5, K4, loadable=False,
        reason="non-local blocks: tsm4j builds no non-local module")
mma("mmaction2-tsm-mobileone-s4-kinetics400-16f", "tsm_imagenet-pretrained-mobileone-s4_8xb16-1x1x16-50e_kinetics400-rgb",
    "20230825-a7f8876b", "mobileone-s4", "Kinetics-400", "kinetics400", 400, 16, 74.38, 91.71,
    "16 frames x TenCrop 224 (README: 16 clips x 10 crop)", loadable=False, reason="MobileOne is not a tsm4j backbone")
e = None
mma("mmaction2-tsm-mobilenetv2-kinetics400-8f", "tsm_imagenet-pretrained-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb",
    "20230414-401127fd", "mobilenetv2", "Kinetics-400", "kinetics400", 400, 8, 68.71, 88.32,
    "README: 8 clips x 3 crop", loadable=False,
    reason="mmaction2's MobileNetV2 key layout is not supported by the importer (docs/import.md, Limits)")
entries[-1]["published"][0]["source"] = MMA_README
entries[-1]["unverified"] = ["read from the README table: metafile.yml lists this model under the ResNet-101 "
                             "Something-V2 name and URL (a copy error there)"]
SV2 = "%d frames, twice_sample (2 clips) x ThreeCrop 256, probabilities averaged (README: %d clips x 3 crop)"
mma("mmaction2-tsm-r50-somethingv2-8f", "tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_sthv2-rgb", "20230317-be0fc26e",
    "resnet50", "Something-Something V2", "something-v2", 174, 8, 62.72, 87.70, SV2 % (8, 8))
mma("mmaction2-tsm-r50-somethingv2-16f", "tsm_imagenet-pretrained-r50_8xb16-1x1x16-50e_sthv2-rgb", "20230317-ec6696ad",
    "resnet50", "Something-Something V2", "something-v2", 174, 16, 64.16, 88.61, SV2 % (16, 16))
mma("mmaction2-tsm-r101-somethingv2-8f", "tsm_imagenet-pretrained-r101_8xb16-1x1x8-50e_sthv2-rgb", "20230320-efcc0d1b",
    "resnet101", "Something-Something V2", "something-v2", 174, 8, 63.70, 88.28, SV2 % (8, 8))

# torchvision ImageNet backbones (IMAGENET1K_V1 = what pretrained=True loads, as the official main.py does)
for arch, mod, enum, fname, t1, t5 in [
        ("resnet18", "resnet", "ResNet18_Weights", "resnet18-f37072fd.pth", 69.758, 89.078),
        ("resnet34", "resnet", "ResNet34_Weights", "resnet34-b627a593.pth", 73.314, 91.420),
        ("resnet50", "resnet", "ResNet50_Weights", "resnet50-0676ba61.pth", 76.130, 92.862),
        ("resnet101", "resnet", "ResNet101_Weights", "resnet101-63fe2227.pth", 77.374, 93.546),
        ("resnet152", "resnet", "ResNet152_Weights", "resnet152-394f9c45.pth", 78.312, 94.046),
        ("mobilenetv2", "mobilenetv2", "MobileNet_V2_Weights", "mobilenet_v2-b0353104.pth", 71.878, 90.286)]:
    tvname = "mobilenet_v2" if arch == "mobilenetv2" else arch
    entries.append(dict(id="torchvision-%s-imagenet" % tvname.replace("_", ""), origin="TORCHVISION", kind="IMAGENET_BACKBONE",
        backbone=arch, placement="NONE", foldDiv=8, temporalPool=False, direction="BIDIRECTIONAL", segments=1,
        sampling="UNIFORM", cropSize=224, scaleSize=256, dataset="ImageNet-1k", labels=None, numClasses=1000,
        published=[acc(t1, "ImageNet-1k val, resize 256, center crop 224", TV.format(mod, enum), t5)],
        urls=["https://download.pytorch.org/models/" + fname], fileName=fname, sha256=None,
        sha256Prefix=fname.rsplit("-", 1)[1].split(".")[0], parameters=TV_TOTAL[arch], loadable=True, reason=None,
        unverified=[]))
entries.append(dict(id="tonylins-mobilenetv2-imagenet", origin="OFFICIAL_TSM", kind="IMAGENET_BACKBONE",
    backbone="mobilenetv2", placement="NONE", foldDiv=8, temporalPool=False, direction="BIDIRECTIONAL", segments=1,
    sampling="UNIFORM", cropSize=224, scaleSize=256, dataset="ImageNet-1k", labels=None, numClasses=1000, published=[],
    urls=["https://www.dropbox.com/s/47tyzpofuuyyv1b/mobilenetv2_1.0-f2a8633.pth.tar?dl=1"], fileName="mobilenetv2_1.0-f2a8633.pth.tar",
    sha256=None, sha256Prefix=None, parameters=None, loadable=False,
    reason="the official MobileNetV2 ImageNet init (archs/mobilenet_v2.py); its flat layout is read as the online demo's; "
           "use torchvision-mobilenetv2-imagenet",
    unverified=["sha256: the 7 hex digits 'f2a8633' in the name are not checked by torch (check_hash=False) and could not be checked here"]))

out = dict(
    format=1,
    sources=dict(official=TSM_README, onlineDemo=ONLINE_DEMO, mmaction2=MMA_META, mmaction2Readme=MMA_README,
                 torchvision="torchvision 0.14.1 (Debian python3-torchvision) torchvision/models/*.py"),
    labelLists=[
        dict(id="kinetics400", resource="labels/kinetics400.txt", count=400,
             source="mit-han-lab/temporal-shift-module tools/kinetics_label_map.txt (identical to mmaction2 tools/data/kinetics/label_map_k400.txt); alphabetical, the index order of gen_label_kinetics.py"),
        dict(id="something-v1", resource="labels/something-v1.txt", count=174,
             source="open-mmlab/mmaction2 tools/data/sthv1/label_map.txt: the order of something-something-v1-labels.csv"),
        dict(id="something-v1-sorted", resource="labels/something-v1-sorted.txt", count=174,
             source="something-v1 sorted by code point, as the official tools/gen_label_sthv1.py writes category.txt (sorted(categories)): the class order of the official V1 checkpoints"),
        dict(id="something-v2", resource="labels/something-v2.txt", count=174,
             source="open-mmlab/mmaction2 tools/data/sthv2/label_map.txt (alphabetical); the official tools/gen_label_sthv2.py uses the index order of something-something-v2-labels.json"),
        dict(id="jester", resource="labels/jester.txt", count=27,
             source="open-mmlab/mmaction2 tools/data/jester/label_map.txt: the order of jester-v1-labels.csv"),
        dict(id="jester-tsm-online", resource="labels/jester-tsm-online.txt", count=27,
             source="mit-han-lab/temporal-shift-module online_demo/main.py 'catigories' (the same 27 names sorted): the class order of mobilenetv2_jester_online.pth.tar"),
        dict(id="ucf101", resource="labels/ucf101.txt", count=101,
             source="open-mmlab/mmaction2 tools/data/ucf101/label_map.txt: the order of UCF101 classInd.txt (index 1 first)"),
        dict(id="hmdb51", resource="labels/hmdb51.txt", count=51,
             source="open-mmlab/mmaction2 tools/data/hmdb51/label_map.txt: the 51 class folders in alphabetical order, the standard split-file order"),
    ],
    models=entries)
path = os.path.join(os.path.dirname(__file__), "..", "tsm-models/src/main/resources/io/github/tsm4j/models/zoo/catalogue.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(len(entries), "entries", sum(e["loadable"] for e in entries), "loadable")
