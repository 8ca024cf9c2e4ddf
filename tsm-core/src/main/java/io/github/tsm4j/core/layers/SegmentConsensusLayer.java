package io.github.tsm4j.core.layers;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.layers.runtime.SegmentConsensusLayerImpl;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * DL4J configuration of the segmental consensus (TSN/TSM head): per-frame features or scores
 * {@code [N·T, K]} (feed-forward) become per-clip values {@code [N, K]} by {@link ConsensusMode#AVG}
 * (mean over the T frames of each clip, the official TSM head) or {@link ConsensusMode#MAX};
 * {@link ConsensusMode#IDENTITY} passes {@code [N·T, K]} through. The minibatch shrinks from N·T to N,
 * so put it before the loss layer (e.g. a {@code LossLayer}), with labels {@code [N, K]}.
 * Runtime: {@link SegmentConsensusLayerImpl}.
 */
public final class SegmentConsensusLayer extends TemporalLayerConfig {

    private static final long serialVersionUID = 1L;

    private int segments;
    private ConsensusMode mode;

    /** For Jackson. */
    private SegmentConsensusLayer() {
    }

    private SegmentConsensusLayer(Builder builder) {
        super(builder);
        this.segments = builder.segments;
        this.mode = builder.mode;
    }

    /** @return T, frames per clip */
    public int getSegments() {
        return segments;
    }

    /** @return how the frames are combined */
    public ConsensusMode getMode() {
        return mode;
    }

    @Override
    SegmentConsensusLayerImpl newRuntime(NeuralNetConfiguration conf, DataType networkDataType) {
        return new SegmentConsensusLayerImpl(conf, networkDataType);
    }

    @Override
    Map<String, Object> settings() {
        return settings("segments", segments, "mode", mode);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null) {
            throw new IllegalArgumentException(LayerSupport.describe(this, layerName)
                    + ": expected feed-forward input [N·T, K], found no input type");
        }
        return switch (inputType.getType()) {
            case FF -> InputType.feedForward(((InputType.InputTypeFeedForward) inputType).getSize());
            // flattened by the preprocessor below
            case CNN, CNNFlat -> InputType.feedForward(inputType.arrayElementsPerExample());
            case RNN, CNN3D -> throw new IllegalArgumentException(LayerSupport.describe(this, layerName)
                    + (layerIndex >= 0 ? " (layer index " + layerIndex + ")" : "")
                    + ": expected feed-forward input [N·T, K], found input type " + inputType);
        };
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType == null) {
            return null;
        }
        return switch (inputType.getType()) {
            case FF, RNN, CNN3D, CNNFlat -> null;
            case CNN -> {
                InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
                yield new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor(
                        c.getHeight(), c.getWidth(), c.getChannels(), c.getFormat());
            }
        };
    }

    /** Builder; {@link #segments(int)} is required, mode defaults to {@link ConsensusMode#AVG}. */
    public static final class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private int segments = -1;
        private ConsensusMode mode = ConsensusMode.AVG;

        /**
         * @param segments T, frames per clip (required, at least 1)
         * @return this
         */
        public Builder segments(int segments) {
            this.segments = segments;
            return this;
        }

        /**
         * @param mode consensus (default {@link ConsensusMode#AVG})
         * @return this
         */
        public Builder mode(ConsensusMode mode) {
            this.mode = mode;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public SegmentConsensusLayer build() {
            String who = LayerSupport.describe("SegmentConsensusLayer", layerName);
            LayerSupport.requireSegments(who, segments);
            LayerSupport.requireNonNull(who, "mode", mode);
            return new SegmentConsensusLayer(this);
        }
    }
}
