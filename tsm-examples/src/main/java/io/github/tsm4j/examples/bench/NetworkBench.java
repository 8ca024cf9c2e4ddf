package io.github.tsm4j.examples.bench;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.conv.OneDnn;
import io.github.tsm4j.core.norm.BatchNormImplementation;
import io.github.tsm4j.core.StreamingExecution;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.examples.ExecutionOverrides;
import io.github.tsm4j.examples.cli.DemoCommand;
import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.TsmStreamingModel;
import io.github.tsm4j.models.infer.InferenceGraphs;
import io.github.tsm4j.models.train.FusedGraphUpdater;
import io.github.tsm4j.models.train.NativeMemoryBudget;
import io.github.tsm4j.models.train.TrainingWorkspaces;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * The network workloads of {@code tsm bench}, as {@code bench/torch_bench.py} runs them: torchvision-exact
 * TSM-ResNet-50 (shift on conv1 of every block) and TSN-ResNet-50, 174 classes, T = 8; online TSM-MobileNetV2;
 * one training step. Inference runs the folded graph ({@link InferenceGraphs}: BatchNorm folded into native
 * oneDNN convolutions, NHWC inside, NCHW input permuted once) with outputs in a reused workspace.
 */
public final class NetworkBench {

    /** Classes of the benchmark networks (Something-Something V2). */
    public static final int CLASSES = 174;
    /** Frames per clip. */
    public static final int SEGMENTS = 8;
    /** Classes of the demo's temporal-order dataset. */
    static final int DEMO_CLASSES = TemporalOrderDataset.classNames().size();
    /**
     * Seconds of untimed demo-network steps before timing: the JIT compiles DL4J's per-layer Java code over the
     * first few seconds (measured on the 2-vCPU VM: medians of 100 steps 14–21 ms in the first 3 s, 3.3–4.8 ms
     * from 6 s on); {@code bench/torch_bench.py} warms up as long.
     */
    static final double DEMO_WARMUP_SECONDS = 10;
    /** Timed demo-network steps (at least; {@code --runs} when larger). */
    static final int DEMO_RUNS = 200;

    private NetworkBench() {
    }

    static TsmConfig config(Backbone backbone, ShiftPlacement placement, ShiftDirection direction, int size) {
        return TsmConfig.builder(backbone, CLASSES)
                .placement(placement)
                .direction(direction)
                .segments(SEGMENTS)
                .inputSize(size, Math.round(size * 256f / 224f))
                .dataFormat(CNN2DFormat.NHWC)
                .build();
    }

    static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /**
     * TSM/TSN-R50 latency (1 video × 8 frames), throughput (4 videos per call) and the shift's overhead, each model
     * as an application runs it: {@link TsmModel#forInference(ExecutionOptions)} and {@link TsmModel#output}
     * (the bound executor, in-place shift). For reference, the same TSM through DL4J's {@code ComputationGraph}
     * ({@code streamingExecutor = GRAPH}) and as trained (NCHW, BatchNorm unfolded).
     */
    public static List<BenchLine> r50(BenchSettings s) throws Exception {
        int size = s.size();
        ExecutionOptions options = ExecutionOverrides.fromSystemProperties();
        TsmModel tsm = inferenceForm(ShiftPlacement.RESIDUAL, size, options);
        TsmModel tsn = inferenceForm(ShiftPlacement.NONE, size, options);
        List<BenchLine> lines = new ArrayList<>();
        for (int videos : new int[] {1, 4}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, videos * SEGMENTS, 3, size, size);
            Stats[] st = Stats.interleaved(s.warmup(), s.runs(), () -> tsm.output(x), () -> tsn.output(x));
            String label = videos + "x" + SEGMENTS;
            String path = "TsmModel.forInference().output, " + tsm.executionPath();
            String tsnPath = "TsmModel.forInference().output, " + tsn.executionPath();
            if (videos == 1) {
                lines.add(new BenchLine("r50.tsm.latency_1x8", st[0].median(), "ms", st[0] + "; " + path));
                lines.add(new BenchLine("r50.tsn.latency_1x8", st[1].median(), "ms", st[1] + "; " + tsnPath));
            } else {
                lines.add(new BenchLine("r50.tsm.videos_per_s_4x8", videos / (st[0].median() / 1e3), "videos/s",
                        st[0] + "; " + path));
                lines.add(new BenchLine("r50.tsn.videos_per_s_4x8", videos / (st[1].median() / 1e3), "videos/s",
                        st[1] + "; " + tsnPath));
            }
            lines.add(new BenchLine("r50.shift_overhead_" + label, (st[0].median() / st[1].median() - 1) * 100, "%",
                    "TSM/TSN - 1, calls interleaved"));
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, SEGMENTS, 3, size, size);
        // the same TSM through DL4J's graph (what the bound executor saves) and as trained (what folding saves)
        TsmModel graph = inferenceForm(ShiftPlacement.RESIDUAL, size,
                options.toBuilder().streamingExecutor(StreamingExecution.GRAPH).build());
        ComputationGraph asTrained = init(TsmNetworks.offline(config(Backbone.RESNET50, ShiftPlacement.RESIDUAL,
                ShiftDirection.BIDIRECTIONAL, size).toBuilder().dataFormat(CNN2DFormat.NCHW).build(),
                TsmNetworks.defaultGlobals(), options));
        WorkspaceRunner rd = new WorkspaceRunner("r50-as-trained");
        Stats[] st = Stats.interleaved(s.warmup(), s.runs(), () -> graph.output(x), () -> rd.run(asTrained, x),
                () -> tsm.output(x));
        lines.add(new BenchLine("r50.tsm.dl4j_graph_latency_1x8", st[0].median(), "ms",
                st[0] + "; folded NHWC through ComputationGraph.output (ExecutionOptions.streamingExecutor = GRAPH)"));
        lines.add(new BenchLine("r50.tsm.bound_executor_speedup_1x8", st[0].median() / st[2].median(), "x",
                "DL4J graph / bound executor, same folded network, calls interleaved"));
        lines.add(new BenchLine("r50.tsm.as_trained_nchw_latency_1x8", st[1].median(), "ms",
                st[1] + "; NCHW, BatchNorm not folded: a model as trained, before TsmModel.forInference()"));
        lines.add(new BenchLine("r50.tsm.for_inference_speedup_1x8", st[1].median() / st[2].median(), "x",
                "as trained (NCHW, unfolded, DL4J graph) / TsmModel.forInference().output, calls interleaved"));
        return lines;
    }

    /** A TSM (or TSN) ResNet-50 with random weights in the inference form an application gets. */
    static TsmModel inferenceForm(ShiftPlacement placement, int size, ExecutionOptions options) {
        return TsmModel.create(config(Backbone.RESNET50, placement, ShiftDirection.BIDIRECTIONAL, size),
                TsmModel.defaultLabels(CLASSES), TsmNetworks.defaultGlobals(), options).forInference(options);
    }

    /**
     * Online TSM-MobileNetV2, one 1×3×S×S frame per call (uni-directional caches): {@link TsmStreamingModel} of the
     * folded NHWC network with its bound executor (the figures compared with PyTorch), then the same model run
     * through DL4J's {@code ComputationGraph} ({@code ExecutionOptions.streamingExecutor = GRAPH}) for
     * reference.
     */
    public static List<BenchLine> mbv2(BenchSettings s) throws Exception {
        TsmConfig config = TsmConfig.builder(Backbone.MOBILENET_V2, CLASSES)
                .placement(ShiftPlacement.RESIDUAL)
                .direction(ShiftDirection.UNIDIRECTIONAL)
                .consensus(ConsensusMode.IDENTITY)
                .segments(SEGMENTS)
                .inputSize(s.size(), Math.round(s.size() * 256f / 224f))
                .dataFormat(CNN2DFormat.NHWC)
                .build();
        ExecutionOptions options = ExecutionOverrides.fromSystemProperties();
        TsmModel offline = TsmModel.create(config, TsmModel.defaultLabels(CLASSES), TsmNetworks.defaultGlobals(),
                options);
        INDArray[] frames = new INDArray[4];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = Nd4j.rand(DataType.FLOAT, 1, 3, s.size(), s.size());
        }
        List<BenchLine> lines = new ArrayList<>();
        TsmStreamingModel bound = TsmStreamingModel.of(offline, 1, options);
        lines.addAll(online(s, bound, frames, "mbv2.online.", "folded, " + options.layout() + ", "
                + bound.executionPath()));
        TsmStreamingModel graph = TsmStreamingModel.of(offline, 1,
                options.toBuilder().streamingExecutor(StreamingExecution.GRAPH).build());
        lines.addAll(online(s, graph, frames, "mbv2.online_dl4j_graph.", "same model through ComputationGraph"));
        return lines;
    }

    private static List<BenchLine> online(BenchSettings s, TsmStreamingModel model, INDArray[] frames, String prefix,
            String detail) throws Exception {
        INDArray out = Nd4j.create(DataType.FLOAT, 1, CLASSES);
        int[] i = {0};
        Stats.Task step = () -> model.step(frames[i[0]++ % frames.length], out);
        for (int w = 0; w < Math.max(50, s.warmup()); w++) {
            step.run();
        }
        int runs = Math.max(100, s.runs());
        Stats st = Stats.time(0, runs, step);
        // allocation figures from a separate untimed loop, so that the timing harness's own arrays do not count
        long faults0 = minorFaults();
        long heap0 = heapAllocated();
        for (int r = 0; r < runs; r++) {
            step.run();
        }
        long heap1 = heapAllocated(); // before minorFaults(), which allocates ~14 KB reading /proc/self/stat
        double faults = (minorFaults() - faults0) / (double) runs;
        double heap = (heap1 - heap0) / (double) runs;
        return List.of(
                new BenchLine(prefix + "ms_per_frame", st.median(), "ms", st + "; " + detail),
                new BenchLine(prefix + "p99_ms", st.p99(), "ms", "99th percentile per frame"),
                new BenchLine(prefix + "page_faults_per_frame", faults, "faults",
                        "minor page faults per frame after warm-up (whole process)"),
                new BenchLine(prefix + "heap_bytes_per_frame", heap, "bytes",
                        "Java heap allocated per frame by the stepping thread"));
    }

    /**
     * One training step of TSM-R50, 2 videos × 8 frames, in the layout {@link BenchSettings#trainFormat()} (NHWC by
     * default) with the convolutions and BatchNorm {@link ExecutionOverrides} name (oneDNN convolutions and
     * BatchNorm by default), SGD momentum 0.9; then the R50 step and the demo network with the other of oneDNN's and
     * libnd4j's BatchNorm (keys {@code train.tsm.s_per_step_native_bn} and {@code train.demo_net.clips_per_s_native_bn},
     * or {@code …_onednn_bn} with {@code -Dtsm4j.bn=native}).
     */
    public static List<BenchLine> train(BenchSettings s) throws Exception {
        TsmConfig config = config(Backbone.RESNET50, ShiftPlacement.RESIDUAL, ShiftDirection.BIDIRECTIONAL, s.size())
                .toBuilder().dataFormat(s.trainFormat()).build();
        ExecutionOptions options = ExecutionOverrides.fromSystemProperties();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2 * SEGMENTS, 3, s.size(), s.size());
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, CLASSES);
        y.putScalar(0, 3, 1f);
        y.putScalar(1, 17, 1f);
        DataSet batch = new DataSet(x, y);
        List<BenchLine> lines = new ArrayList<>();
        lines.add(trainR50("train.tsm.s_per_step", config, batch, s, options));
        lines.add(trainDemoNet("train.demo_net.clips_per_s", s, options));
        BatchNormImplementation other = switch (options.batchNorm()) {
            case ONEDNN -> BatchNormImplementation.NATIVE;
            case NATIVE -> OneDnn.available() ? BatchNormImplementation.ONEDNN : null;
            case STOCK -> null;
        };
        if (other != null) {
            ExecutionOptions alternative = options.toBuilder().batchNorm(other).build();
            String suffix = "_" + other.name().toLowerCase(Locale.ROOT) + "_bn";
            lines.add(trainR50("train.tsm.s_per_step" + suffix, config, batch, s, alternative));
            lines.add(trainDemoNet("train.demo_net.clips_per_s" + suffix, s, alternative));
        }
        return lines;
    }

    private static BenchLine trainR50(String key, TsmConfig config, DataSet batch, BenchSettings s,
            ExecutionOptions options) throws Exception {
        ComputationGraph g = init(TsmNetworks.offline(config,
                TsmNetworks.defaultGlobals().updater(new Nesterovs(0.001, 0.9)).weightDecay(5e-4), options));
        Stats st = timeSteps(g, batch, 0, Math.max(5, s.warmup()), s.runs(), options);
        return new BenchLine(key, st.median() / 1e3, "s",
                st + "; 2 videos x 8 frames, " + s.trainFormat() + ", "
                        + options.convolution().name().toLowerCase(Locale.ROOT) + " conv, "
                        + options.batchNorm().name().toLowerCase(Locale.ROOT) + " BatchNorm");
    }

    /**
     * Training speed of the network {@code tsm demo} trains, with its batch: TSM-ResNet-18 of base width
     * {@value DemoCommand#DEFAULT_BASE_WIDTH}, the uni-directional residual shift (1/{@value DemoCommand#DEFAULT_FOLD_DIV}),
     * no dropout, {@value DemoCommand#DEFAULT_SEGMENTS} frames of {@value DemoCommand#DEFAULT_SIZE} px,
     * {@value #DEMO_CLASSES} classes, {@value DemoCommand#DEFAULT_BATCH_SIZE} clips per step, NHWC, SGD with Nesterov
     * momentum 0.9 and weight decay 5e-4; the bench's threads (the demo itself gives each of its two networks one);
     * timed after {@value #DEMO_WARMUP_SECONDS} s of warm-up. {@code bench/torch_bench.py} builds the same network
     * and batch and times it the same way.
     */
    static BenchLine trainDemoNet(String key, BenchSettings s, ExecutionOptions options) throws Exception {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, DEMO_CLASSES)
                .placement(ShiftPlacement.RESIDUAL).direction(ShiftDirection.UNIDIRECTIONAL)
                .segments(DemoCommand.DEFAULT_SEGMENTS).inputSize(DemoCommand.DEFAULT_SIZE, DemoCommand.DEFAULT_SIZE)
                .baseWidth(DemoCommand.DEFAULT_BASE_WIDTH).foldDiv(DemoCommand.DEFAULT_FOLD_DIV)
                .dropout(DemoCommand.DEFAULT_DROPOUT).dataFormat(DemoCommand.DEFAULT_DATA_FORMAT).build();
        ComputationGraph g = init(TsmNetworks.offline(config,
                TsmNetworks.defaultGlobals().updater(new Nesterovs(0.01, 0.9)).weightDecay(5e-4), options));
        int clips = DemoCommand.DEFAULT_BATCH_SIZE;
        int frames = clips * DemoCommand.DEFAULT_SEGMENTS;
        INDArray x = Nd4j.rand(DataType.FLOAT, frames, 3, DemoCommand.DEFAULT_SIZE, DemoCommand.DEFAULT_SIZE);
        INDArray y = Nd4j.zeros(DataType.FLOAT, clips, DEMO_CLASSES);
        for (int i = 0; i < clips; i++) {
            y.putScalar(i, i % DEMO_CLASSES, 1f);
        }
        DataSet batch = new DataSet(x, y);
        Stats st = timeSteps(g, batch, DEMO_WARMUP_SECONDS, 50, Math.max(DEMO_RUNS, s.runs()), options);
        return new BenchLine(key, clips / (st.median() / 1e3), "clips/s",
                st + " per step of " + clips + " clips after " + DEMO_WARMUP_SECONDS
                        + " s of warm-up; the tsm demo network (ResNet-18 width "
                        + DemoCommand.DEFAULT_BASE_WIDTH + ", " + DemoCommand.DEFAULT_SEGMENTS + " x "
                        + DemoCommand.DEFAULT_SIZE + " px, " + DEMO_CLASSES + " classes), NHWC, "
                        + options.convolution().name().toLowerCase(Locale.ROOT) + " conv, "
                        + options.batchNorm().name().toLowerCase(Locale.ROOT) + " BatchNorm");
    }

    /**
     * Times training steps on one minibatch as {@code Trainer} runs them: the activation workspace sized before the
     * first step, the updater fused ({@link FusedGraphUpdater}), dead native arrays bounded after each ({@link NativeMemoryBudget}), the workspaces released after;
     * then closes the network (its parameters, gradients and updater state go at once, not when the garbage collector
     * gets to them, so the next workload of the section does not stack on them).
     */
    private static Stats timeSteps(ComputationGraph g, DataSet batch, double warmupSeconds, int warmup, int runs,
            ExecutionOptions options) throws Exception {
        TrainingWorkspaces.presize(g, batch.getFeatures());
        FusedGraphUpdater.install(g);
        NativeMemoryBudget budget = NativeMemoryBudget.of(options);
        try {
            return Stats.timeAfter(warmupSeconds, warmup, runs, () -> {
                g.fit(batch);
                budget.afterStep();
            });
        } finally {
            TrainingWorkspaces.release();
            g.close();
        }
    }

    private static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]); // field 10 (minflt), counted from the state field (3)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long heapAllocated() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
            return t.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }

    /** @return a one-line description of the networks */
    public static String describe() {
        return String.format(Locale.ROOT, "%d classes, T = %d, NHWC, BatchNorm folded for inference", CLASSES,
                SEGMENTS);
    }
}
