package io.github.tsm4j.core;

import io.github.tsm4j.core.conv.ConvImplementation;
import io.github.tsm4j.core.norm.BatchNormImplementation;
import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * How tsm4j runs a network on this machine: which layer implementations the network builders use, how the
 * shift moves data, how streaming steps execute, the layout of the inference form, and when training asks the
 * garbage collector to free dead native arrays. None of these change what a network computes (tests check
 * equal outputs for every choice); they change speed and memory. One immutable record, passed in explicitly
 * (network building, {@code TsmModel.forInference}, {@code TsmStreamingModel.of}, the {@code Trainer}) and
 * recorded in a saved model's provenance; nothing in the libraries reads system properties (the {@code tsm}
 * CLI turns {@code -Dtsm4j.*} overrides into one of these).
 *
 * <pre>{@code
 * ExecutionOptions o = ExecutionOptions.builder().convolution(ConvImplementation.STOCK).shiftThreads(2).build();
 * TsmModel fast = model.forInference(o);
 * }</pre>
 *
 * @param layout layout of the inference and streaming forms ({@code forInference}, {@code TsmStreamingModel}):
 *     {@link CNN2DFormat#NHWC} (default, oneDNN's fast layout) or NCHW. Training runs in the layout the model
 *     was built in ({@code TsmConfig.dataFormat}), which is part of the model
 * @param convolution convolution layers the network builders create ({@link ConvImplementation#NATIVE} default)
 * @param batchNorm BatchNorm layers the network builders create ({@link BatchNormImplementation#NATIVE} default)
 * @param shiftKernel how {@link TemporalShift} moves data ({@link TemporalShift.Kernel#HOST} default); carried
 *     by every shift layer's configuration
 * @param shiftThreads threads of the host shift kernels: 1 (default) = the calling thread, n &gt; 1 = up to
 *     n, 0 = ND4J's thread count
 * @param streamingExecutor how the inference forms run: a streaming model's frames and an offline model's
 *     {@code forInference()} clips ({@link StreamingExecution#BOUND} default: a bound executor with the shift in
 *     place; {@link StreamingExecution#GRAPH}: DL4J's {@code ComputationGraph})
 * @param nativeGcBudgetMB dead native array memory (MB) allowed in training and evaluation before a garbage
 *     collection is requested; 0 = never ({@value #DEFAULT_GC_BUDGET_MB} default)
 * @param nativeGcBudgetArrays ND4J-tracked arrays allowed above the lowest count before a collection is
 *     requested; 0 = not watched ({@value #DEFAULT_GC_BUDGET_ARRAYS} default)
 */
public record ExecutionOptions(
        CNN2DFormat layout,
        ConvImplementation convolution,
        BatchNormImplementation batchNorm,
        TemporalShift.Kernel shiftKernel,
        int shiftThreads,
        StreamingExecution streamingExecutor,
        long nativeGcBudgetMB,
        long nativeGcBudgetArrays) implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** Default native memory budget in megabytes. */
    public static final long DEFAULT_GC_BUDGET_MB = 256;
    /** Default budget of tracked arrays. */
    public static final long DEFAULT_GC_BUDGET_ARRAYS = 250_000;

    private static final ExecutionOptions DEFAULTS = new ExecutionOptions(CNN2DFormat.NHWC,
            ConvImplementation.NATIVE, BatchNormImplementation.NATIVE, TemporalShift.DEFAULT_KERNEL,
            TemporalShift.DEFAULT_THREADS, StreamingExecution.BOUND, DEFAULT_GC_BUDGET_MB, DEFAULT_GC_BUDGET_ARRAYS);

    private static final ExecutionOptions ONE_DNN = DEFAULTS.toBuilder().convolution(ConvImplementation.ONEDNN)
            .batchNorm(BatchNormImplementation.ONEDNN).shiftKernel(TemporalShift.Kernel.ONEDNN).build();

    /** Validates every field; messages name the field, the rule and the value. */
    public ExecutionOptions {
        requireNonNull(layout, "layout", "NCHW or NHWC");
        requireNonNull(convolution, "convolution", "NATIVE or STOCK");
        requireNonNull(batchNorm, "batchNorm", "NATIVE or STOCK");
        requireNonNull(shiftKernel, "shiftKernel", "HOST, VIEWS, REFERENCE or ONEDNN");
        requireNonNull(streamingExecutor, "streamingExecutor", "BOUND or GRAPH");
        if (shiftThreads < 0) {
            throw new IllegalArgumentException("ExecutionOptions.shiftThreads must be >= 0 (1 = calling thread, "
                    + "0 = ND4J's thread count), found " + shiftThreads);
        }
        if (nativeGcBudgetMB < 0 || nativeGcBudgetMB > Long.MAX_VALUE >> 20) {
            throw new IllegalArgumentException("ExecutionOptions.nativeGcBudgetMB must be >= 0 megabytes "
                    + "(0 = never collect), found " + nativeGcBudgetMB);
        }
        if (nativeGcBudgetArrays < 0) {
            throw new IllegalArgumentException("ExecutionOptions.nativeGcBudgetArrays must be >= 0 "
                    + "(0 = not watched), found " + nativeGcBudgetArrays);
        }
    }

    private static void requireNonNull(Object value, String field, String expected) {
        if (value == null) {
            throw new IllegalArgumentException("ExecutionOptions." + field + " must not be null, expected " + expected);
        }
    }

    /** @return NHWC inference, native convolutions and BatchNorm, host shift kernel on the calling thread,
     *     bound streaming executor, 256 MB / 250,000 arrays native memory budget */
    public static ExecutionOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The {@code tsm} command line's settings, for an application that wants its speed: {@link #defaults()} with
     * oneDNN convolutions ({@link ConvImplementation#ONEDNN}: the layers' own primitives in training and in the
     * inference executor), oneDNN BatchNorm ({@link BatchNormImplementation#ONEDNN}) and the oneDNN shift kernel
     * ({@link TemporalShift.Kernel#ONEDNN}: reorders on oneDNN's threads, and the inference form's in-place shift
     * through them). Needs oneDNN's natives ({@code org.bytedeco:dnnl} with its platform classifier); where they do
     * not load, each part runs its host path after one warning. The results equal the defaults' bit for bit for
     * the shift, up to float rounding for convolutions and BatchNorm (docs/training.md).
     *
     * @return the options
     */
    public static ExecutionOptions oneDnn() {
        return ONE_DNN;
    }

    /** @return a builder holding {@link #defaults()} */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return the native memory budget in bytes */
    public long nativeGcBudgetBytes() {
        return nativeGcBudgetMB << 20;
    }

    /** Builder of {@link ExecutionOptions}, starting from the values it was made from; validated in {@link #build()}. */
    public static final class Builder {
        private CNN2DFormat layout;
        private ConvImplementation convolution;
        private BatchNormImplementation batchNorm;
        private TemporalShift.Kernel shiftKernel;
        private int shiftThreads;
        private StreamingExecution streamingExecutor;
        private long nativeGcBudgetMB;
        private long nativeGcBudgetArrays;

        private Builder(ExecutionOptions o) {
            layout = o.layout;
            convolution = o.convolution;
            batchNorm = o.batchNorm;
            shiftKernel = o.shiftKernel;
            shiftThreads = o.shiftThreads;
            streamingExecutor = o.streamingExecutor;
            nativeGcBudgetMB = o.nativeGcBudgetMB;
            nativeGcBudgetArrays = o.nativeGcBudgetArrays;
        }

        /** @param v layout of the inference and streaming forms @return this */
        public Builder layout(CNN2DFormat v) { layout = v; return this; }
        /** @param v convolution layers the builders create @return this */
        public Builder convolution(ConvImplementation v) { convolution = v; return this; }
        /** @param v BatchNorm layers the builders create @return this */
        public Builder batchNorm(BatchNormImplementation v) { batchNorm = v; return this; }
        /** @param v shift kernel @return this */
        public Builder shiftKernel(TemporalShift.Kernel v) { shiftKernel = v; return this; }
        /** @param v threads of the NHWC shift kernel (0 = ND4J's count) @return this */
        public Builder shiftThreads(int v) { shiftThreads = v; return this; }
        /** @param v streaming executor @return this */
        public Builder streamingExecutor(StreamingExecution v) { streamingExecutor = v; return this; }
        /** @param v native memory budget in MB (0 = never collect) @return this */
        public Builder nativeGcBudgetMB(long v) { nativeGcBudgetMB = v; return this; }
        /** @param v tracked-array budget (0 = not watched) @return this */
        public Builder nativeGcBudgetArrays(long v) { nativeGcBudgetArrays = v; return this; }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the first invalid field and its value
         */
        public ExecutionOptions build() {
            return new ExecutionOptions(layout, convolution, batchNorm, shiftKernel, shiftThreads, streamingExecutor,
                    nativeGcBudgetMB, nativeGcBudgetArrays);
        }
    }
}
