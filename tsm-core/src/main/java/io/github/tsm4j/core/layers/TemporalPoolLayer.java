package io.github.tsm4j.core.layers;

import io.github.tsm4j.core.layers.runtime.TemporalPoolLayerImpl;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * DL4J configuration of TSM's temporal pooling (the official {@code --temporal_pool}: a
 * {@code max_pool3d} with kernel (3, 1, 1), stride (2, 1, 1), padding (1, 0, 0) wrapped around
 * ResNet's layer2): the maximum over frames 2t′ − 1, 2t′, 2t′ + 1 of each clip for every channel
 * and pixel. {@code [N·T, C, H, W]} (NCHW) or {@code [N·T, H, W, C]} (NHWC) becomes
 * {@code [N·T', ...]} with {@code T' = floor((T − 1) / 2) + 1} (8 → 4); every later layer, and the
 * consensus, then see T' segments. Backward routes each gradient to the first frame of its window that
 * holds the maximum (as PyTorch's {@code max_pool3d}). Runtime: {@link TemporalPoolLayerImpl}.
 */
public final class TemporalPoolLayer extends TemporalLayerConfig {

    private static final long serialVersionUID = 1L;

    private int segments;
    private CNN2DFormat dataFormat;

    /** For Jackson. */
    private TemporalPoolLayer() {
    }

    private TemporalPoolLayer(Builder builder) {
        super(builder);
        this.segments = builder.segments;
        this.dataFormat = builder.dataFormat;
    }

    /**
     * The number of frames per clip after pooling.
     *
     * @param segments T before
     * @return {@code floor((T − 1) / 2) + 1}
     */
    public static int pooledSegments(int segments) {
        return (segments - 1) / 2 + 1;
    }

    /** @return T, frames per clip of the input */
    public int getSegments() {
        return segments;
    }

    /** @return T' = floor((T − 1) / 2) + 1, frames per clip of the output */
    public int getOutputSegments() {
        return pooledSegments(segments);
    }

    /** @return the activation layout */
    public CNN2DFormat getDataFormat() {
        return dataFormat;
    }

    @Override
    TemporalPoolLayerImpl newRuntime(NeuralNetConfiguration conf, DataType networkDataType) {
        return new TemporalPoolLayerImpl(conf, networkDataType);
    }

    @Override
    Map<String, Object> settings() {
        return settings("segments", segments, "dataFormat", dataFormat);
    }

    /** The same convolutional type: only the minibatch (N·T → N·T') changes, which DL4J allows. */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        LayerSupport.convolutional(this, layerName, layerIndex, inputType, dataFormat);
        return inputType;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        // backward: one frame of "already routed" flags and one of matches per clip, per example
        long perExample = 2 * inputType.arrayElementsPerExample() / Math.max(1, segments);
        return new LayerMemoryReport.Builder(layerName, TemporalPoolLayer.class, inputType, out)
                .standardMemory(0, 0)
                .workingMemory(0, 0, MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.cacheModeMapFor(perExample))
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    /** Builder; {@link #segments(int)} is required, the layout defaults to NCHW. */
    public static final class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private int segments = -1;
        private CNN2DFormat dataFormat = CNN2DFormat.NCHW;

        /**
         * @param segments T, frames per clip of the input (required, at least 1)
         * @return this
         */
        public Builder segments(int segments) {
            this.segments = segments;
            return this;
        }

        /**
         * @param dataFormat activation layout (default {@link CNN2DFormat#NCHW})
         * @return this
         */
        public Builder dataFormat(CNN2DFormat dataFormat) {
            this.dataFormat = dataFormat;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public TemporalPoolLayer build() {
            String who = LayerSupport.describe("TemporalPoolLayer", layerName);
            LayerSupport.requireSegments(who, segments);
            LayerSupport.requireNonNull(who, "dataFormat", dataFormat);
            return new TemporalPoolLayer(this);
        }
    }
}
