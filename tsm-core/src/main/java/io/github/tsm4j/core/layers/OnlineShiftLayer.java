package io.github.tsm4j.core.layers;

import io.github.tsm4j.core.OnlineShift;
import io.github.tsm4j.core.TemporalShift;
import io.github.tsm4j.core.layers.runtime.OnlineShiftLayerImpl;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * DL4J configuration of the online (streaming) shift: input {@code [B, C, H, W]} (NCHW) or
 * {@code [B, H, W, C]} (NHWC) is ONE frame of each of B streams; the output has the same shape, with
 * channels {@code [0, C / foldDiv)} taken from the previous frame of the same stream (zeros at the
 * start). Frame by frame this equals the {@link io.github.tsm4j.core.ShiftDirection#UNIDIRECTIONAL}
 * offline shift, so a network trained with unidirectional {@link TemporalShiftLayer}s runs online by
 * swapping them for this layer (same weights). The state is an {@link OnlineShift} held by the runtime
 * {@link OnlineShiftLayerImpl}; reset it with {@code ((OnlineShiftLayerImpl) graph.getLayer(name)).resetState()}.
 * Inference only.
 */
public final class OnlineShiftLayer extends TemporalLayerConfig {

    private static final long serialVersionUID = 1L;

    private int foldDiv;
    private CNN2DFormat dataFormat;

    /** For Jackson. */
    private OnlineShiftLayer() {
    }

    private OnlineShiftLayer(Builder builder) {
        super(builder);
        this.foldDiv = builder.foldDiv;
        this.dataFormat = builder.dataFormat;
    }

    /** @return the channel fraction divisor */
    public int getFoldDiv() {
        return foldDiv;
    }

    /** @return the activation layout */
    public CNN2DFormat getDataFormat() {
        return dataFormat;
    }

    @Override
    OnlineShiftLayerImpl newRuntime(NeuralNetConfiguration conf, DataType networkDataType) {
        return new OnlineShiftLayerImpl(conf, networkDataType);
    }

    @Override
    Map<String, Object> settings() {
        return settings("foldDiv", foldDiv, "dataFormat", dataFormat);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional conv =
                LayerSupport.convolutional(this, layerName, layerIndex, inputType, dataFormat);
        LayerSupport.requireShiftableChannels(this, layerName, conv, foldDiv, inputType);
        return inputType;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        // the cache: 2 × fold channels of one frame per stream, kept between calls
        InputType.InputTypeConvolutional conv = (InputType.InputTypeConvolutional) inputType;
        long perStream = 2L * TemporalShift.fold(conv.getChannels(), foldDiv) * conv.getHeight() * conv.getWidth();
        return new LayerMemoryReport.Builder(layerName, OnlineShiftLayer.class, inputType, out)
                .standardMemory(0, 0)
                .workingMemory(0, 0, MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .cacheMemory(MemoryReport.cacheModeMapFor(0), MemoryReport.cacheModeMapFor(perStream))
                .build();
    }

    /** Builder; defaults: foldDiv 8, NCHW. */
    public static final class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private int foldDiv = TemporalShift.DEFAULT_FOLD_DIV;
        private CNN2DFormat dataFormat = CNN2DFormat.NCHW;

        /**
         * @param foldDiv channel fraction divisor, at least 2 (default 8)
         * @return this
         */
        public Builder foldDiv(int foldDiv) {
            this.foldDiv = foldDiv;
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
        public OnlineShiftLayer build() {
            String who = LayerSupport.describe("OnlineShiftLayer", layerName);
            if (foldDiv < 2) {
                throw new IllegalArgumentException(who + ": foldDiv must be >= 2, found " + foldDiv);
            }
            LayerSupport.requireNonNull(who, "dataFormat", dataFormat);
            return new OnlineShiftLayer(this);
        }
    }
}
