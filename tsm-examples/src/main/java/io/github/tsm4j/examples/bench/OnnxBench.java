package io.github.tsm4j.examples.bench;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.TsmStreamingModel;
import io.github.tsm4j.models.engine.ClipEngine;
import io.github.tsm4j.models.engine.FrameEngine;
import io.github.tsm4j.models.onnx.OnnxExportOptions;
import io.github.tsm4j.models.onnx.OnnxShiftForm;
import io.github.tsm4j.models.onnx.OrtEngines;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code tsm bench --only onnx}: tsm4j's own engine against ONNX Runtime (CPU, full graph optimisation, the same
 * number of threads) on the same models: TSM and TSN ResNet-50 at 1×8 (latency) and 4×8 (videos/s), each offline
 * shift form of the export ({@link OnnxShiftForm}) with its overhead over TSN, the offline MobileNetV2 shift overhead,
 * and online TSM-MobileNetV2 ms/frame (tsm4j's bound streaming executor against ONNX Runtime with the caches carried
 * in pinned ping-pong buffers). Calls are interleaved so that background load hits all alike. Keys {@code onnx.*}.
 */
public final class OnnxBench {

    private OnnxBench() {
    }

    private static TsmModel model(Backbone backbone, ShiftPlacement placement, ShiftDirection direction,
            ConsensusMode consensus, int size) {
        TsmConfig config = TsmConfig.builder(backbone, NetworkBench.CLASSES)
                .placement(placement)
                .direction(direction)
                .consensus(consensus)
                .segments(NetworkBench.SEGMENTS)
                .inputSize(size, Math.round(size * 256f / 224f))
                .dataFormat(CNN2DFormat.NHWC)
                .build();
        return TsmModel.create(config, TsmModel.defaultLabels(NetworkBench.CLASSES), TsmNetworks.defaultGlobals());
    }

    /** @return the figures of the section */
    public static List<BenchLine> run(BenchSettings s) throws Exception {
        if (!OrtEngines.available()) {
            throw new IllegalStateException("bench --only onnx needs ONNX Runtime: add " + OrtEngines.ARTIFACT);
        }
        List<BenchLine> lines = new ArrayList<>();
        lines.addAll(offline(s, Backbone.RESNET50, "r50", new int[] {1, 4}));
        lines.addAll(offline(s, Backbone.MOBILENET_V2, "mbv2", new int[] {1}));
        lines.addAll(online(s));
        return lines;
    }

    private static String form(OnnxShiftForm f) {
        return f.name().toLowerCase(Locale.ROOT);
    }

    private static List<BenchLine> offline(BenchSettings s, Backbone backbone, String key, int[] batches)
            throws Exception {
        int size = s.size();
        TsmModel tsm = model(backbone, ShiftPlacement.RESIDUAL, ShiftDirection.BIDIRECTIONAL, ConsensusMode.AVG,
                size);
        TsmModel tsn = model(backbone, ShiftPlacement.NONE, ShiftDirection.BIDIRECTIONAL, ConsensusMode.AVG, size);
        ComputationGraph tsmGraph = tsm.forInference().graph();
        ComputationGraph tsnGraph = tsn.forInference().graph();
        // the default form first
        List<OnnxShiftForm> formList = new ArrayList<>(List.of(OnnxExportOptions.DEFAULT_SHIFT_FORM));
        for (OnnxShiftForm f : OnnxShiftForm.values()) {
            if (f != OnnxExportOptions.DEFAULT_SHIFT_FORM) {
                formList.add(f);
            }
        }
        OnnxShiftForm[] forms = formList.toArray(OnnxShiftForm[]::new);
        List<ClipEngine> engines = new ArrayList<>();
        try {
            for (OnnxShiftForm f : forms) {
                engines.add(OrtEngines.offline(tsm, OnnxExportOptions.offline().withShiftForm(f), s.threads()));
            }
            ClipEngine ortTsn = OrtEngines.offline(tsn, s.threads());
            engines.add(ortTsn);
            WorkspaceRunner ra = new WorkspaceRunner("onnx-" + key + "-tsm");
            WorkspaceRunner rb = new WorkspaceRunner("onnx-" + key + "-tsn");
            List<BenchLine> lines = new ArrayList<>();
            for (int videos : batches) {
                INDArray x = Nd4j.rand(DataType.FLOAT, videos * NetworkBench.SEGMENTS, 3, size, size);
                // every shift form at 1 video; at larger batches only the default form
                int nForms = videos == 1 ? forms.length : 1;
                List<Stats.Task> tasks = new ArrayList<>();
                tasks.add(() -> ra.run(tsmGraph, x));
                tasks.add(() -> rb.run(tsnGraph, x));
                for (int i = 0; i < nForms; i++) {
                    ClipEngine e = engines.get(i);
                    tasks.add(() -> e.logits(x));
                }
                tasks.add(() -> ortTsn.logits(x));
                Stats[] st = Stats.interleaved(s.warmup(), s.runs(), tasks.toArray(Stats.Task[]::new));
                String label = videos + "x" + NetworkBench.SEGMENTS;
                Stats ortTsnStats = st[st.length - 1];
                lines.add(figure(key + ".tsm4j.tsm", label, videos, st[0], "tsm4j engine, folded NHWC"));
                lines.add(figure(key + ".tsm4j.tsn", label, videos, st[1], "tsm4j engine, folded NHWC"));
                for (int i = 0; i < nForms; i++) {
                    lines.add(figure(key + ".ort.tsm_" + form(forms[i]), label, videos, st[2 + i],
                            "ONNX Runtime, shift as " + forms[i]));
                }
                lines.add(figure(key + ".ort.tsn", label, videos, ortTsnStats, "ONNX Runtime"));
                lines.add(new BenchLine("onnx." + key + ".tsm4j.shift_overhead_" + label,
                        (st[0].median() / st[1].median() - 1) * 100, "%", "tsm4j TSM/TSN - 1"));
                for (int i = 0; i < nForms; i++) {
                    lines.add(new BenchLine("onnx." + key + ".ort.shift_overhead_" + form(forms[i]) + "_" + label,
                            (st[2 + i].median() / ortTsnStats.median() - 1) * 100, "%",
                            "ONNX Runtime TSM (" + forms[i] + ")/TSN - 1"));
                }
                lines.add(new BenchLine("onnx." + key + ".ort_speedup_tsm_" + label,
                        st[0].median() / st[2].median(), "x", "tsm4j TSM / ONNX Runtime TSM (" + forms[0] + ")"));
            }
            return lines;
        } finally {
            engines.forEach(ClipEngine::close);
        }
    }

    private static BenchLine figure(String key, String label, int videos, Stats st, String detail) {
        if (videos == 1) {
            return new BenchLine("onnx." + key + ".latency_" + label, st.median(), "ms", st + "; " + detail);
        }
        return new BenchLine("onnx." + key + ".videos_per_s_" + label, videos / (st.median() / 1e3), "videos/s",
                st + "; " + detail);
    }

    private static List<BenchLine> online(BenchSettings s) throws Exception {
        TsmModel offline = model(Backbone.MOBILENET_V2, ShiftPlacement.RESIDUAL, ShiftDirection.UNIDIRECTIONAL,
                ConsensusMode.IDENTITY, s.size());
        TsmStreamingModel tsm4j = TsmStreamingModel.of(offline, 1);
        INDArray[] frames = new INDArray[4];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = Nd4j.rand(DataType.FLOAT, 1, 3, s.size(), s.size());
        }
        INDArray out = Nd4j.create(DataType.FLOAT, 1, NetworkBench.CLASSES);
        float[][] ortOut = new float[1][NetworkBench.CLASSES];
        try (FrameEngine ort = OrtEngines.online(offline, 1, s.threads())) {
            int[] i = {0};
            int[] j = {0};
            int runs = Math.max(100, s.runs());
            Stats[] st = Stats.interleaved(Math.max(50, s.warmup()), runs,
                    () -> tsm4j.step(frames[i[0]++ % frames.length], out),
                    () -> ort.step(frames[j[0]++ % frames.length], ortOut));
            return List.of(
                    new BenchLine("onnx.mbv2.online.tsm4j.ms_per_frame", st[0].median(), "ms",
                            st[0] + "; " + tsm4j.executionPath()),
                    new BenchLine("onnx.mbv2.online.ort.ms_per_frame", st[1].median(), "ms",
                            st[1] + "; ONNX Runtime, " + tsm4j.shiftLayers() + " caches carried (pinned outputs)"),
                    new BenchLine("onnx.mbv2.online.ort_speedup", st[0].median() / st[1].median(), "x",
                            "tsm4j / ONNX Runtime per frame"));
        }
    }
}
