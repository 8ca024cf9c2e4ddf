package io.github.tsm4j.examples.bench;

import java.util.EnumSet;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/** The parts of {@code tsm bench}, selectable with {@code --only}. */
public enum BenchSection {
    /** The shift op alone: GB/s and ratio to a copy of the same array. */
    SHIFT,
    /** Native vs stock convolutions on ResNet-50 shapes (not in the default set). */
    CONV,
    /** TSM/TSN-ResNet-50: latency 1×8, videos/s 4×8, shift overhead. */
    R50,
    /** Online (streaming) TSM-MobileNetV2, one frame at a time. */
    MBV2,
    /** One training step of TSM-ResNet-50, 2 videos × 8 frames. */
    TRAIN,
    /** The application API end to end: videos/s of the recognizer vs the model alone; B-stream streaming. */
    PREDICT,
    /** tsm4j's engine vs ONNX Runtime on the same models (needs ONNX Runtime; not in the default set). */
    ONNX;

    /**
     * Gives back what a finished section held, so that the next one reuses it instead of adding to the peak: the
     * calling thread's workspaces are destroyed and a collection lets ND4J free the section's arrays and models (the
     * native memory stays with the allocator for reuse; {@code memory.peak_rss} is then the largest section's, not
     * their sum).
     */
    public static void release() {
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        System.gc();
    }

    /**
     * The order the sections run in: training first (it holds the most memory: the activations of 16 frames at
     * 224 px for the backward pass), then the others in declaration order, so that they reuse what training gave
     * back ({@link #release}) and {@code memory.peak_rss} is the largest section's rather than the sum.
     *
     * @param selected the sections to run
     * @return them in execution order
     */
    public static List<BenchSection> executionOrder(EnumSet<BenchSection> selected) {
        List<BenchSection> order = new java.util.ArrayList<>();
        if (selected.contains(TRAIN)) {
            order.add(TRAIN);
        }
        for (BenchSection s : selected) {
            if (s != TRAIN) {
                order.add(s);
            }
        }
        return order;
    }

    /** @return the sections run when {@code --only} is not given */
    public static EnumSet<BenchSection> defaults() {
        return EnumSet.of(SHIFT, R50, MBV2, TRAIN);
    }

    /**
     * Runs this section.
     *
     * @return its figures
     */
    public List<BenchLine> run(BenchSettings s) throws Exception {
        return switch (this) {
            case SHIFT -> ShiftSection.run(s);
            case CONV -> ConvMicroBench.run(8, s.warmup(), s.runs(), s.stock());
            case R50 -> NetworkBench.r50(s);
            case MBV2 -> NetworkBench.mbv2(s);
            case TRAIN -> NetworkBench.train(s);
            case PREDICT -> PredictBench.run(s);
            case ONNX -> OnnxBench.run(s);
        };
    }
}
