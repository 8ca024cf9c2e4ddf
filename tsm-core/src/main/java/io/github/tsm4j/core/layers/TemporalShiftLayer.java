package io.github.tsm4j.core.layers;

import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.TemporalShift;
import io.github.tsm4j.core.layers.runtime.TemporalShiftLayerImpl;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * DL4J configuration of the temporal shift (TSM, Lin, Gan, Han, ICCV 2019): a parameter-free layer
 * that maps {@code [N·T, C, H, W]} (NCHW) or {@code [N·T, H, W, C]} (NHWC) to the same shape, moving
 * {@code C / foldDiv} channels one frame along time as {@link ShiftDirection} describes. The work is
 * done by {@link TemporalShift}; the runtime is {@link TemporalShiftLayerImpl} (hand-written backprop:
 * DL4J M2.1 SameDiff lambda layers return twice the gradient upstream, see the project NOTES).
 *
 * <pre>{@code
 * new TemporalShiftLayer.Builder().segments(8).foldDiv(8)
 *         .direction(ShiftDirection.BIDIRECTIONAL).dataFormat(CNN2DFormat.NCHW)
 *         .name("layer1.0.shift").build();
 * }</pre>
 *
 * <p>Serialises to JSON through DL4J's Jackson mapper (the {@code @class} type info), so models saved
 * with {@code ModelSerializer} load without registration.
 */
public final class TemporalShiftLayer extends TemporalLayerConfig {

    private static final long serialVersionUID = 1L;

    private int segments;
    private int foldDiv;
    private ShiftDirection direction;
    private CNN2DFormat dataFormat;
    /** Absent in the JSON of files written before it existed: those load with the default. */
    private TemporalShift.Kernel kernel = TemporalShift.DEFAULT_KERNEL;
    /** Absent in the JSON of files written before it existed: those load with the default. */
    private int shiftThreads = TemporalShift.DEFAULT_THREADS;

    /** For Jackson. */
    private TemporalShiftLayer() {
    }

    private TemporalShiftLayer(Builder builder) {
        super(builder);
        this.segments = builder.segments;
        this.foldDiv = builder.foldDiv;
        this.direction = builder.direction;
        this.dataFormat = builder.dataFormat;
        this.kernel = builder.kernel;
        this.shiftThreads = builder.shiftThreads;
    }

    /** @return T, frames per clip */
    public int getSegments() {
        return segments;
    }

    /** @return the channel fraction divisor ({@code fold = C / foldDiv}) */
    public int getFoldDiv() {
        return foldDiv;
    }

    /** @return which way the channels move */
    public ShiftDirection getDirection() {
        return direction;
    }

    /** @return the activation layout */
    public CNN2DFormat getDataFormat() {
        return dataFormat;
    }

    /** @return how {@link TemporalShift} moves the data ({@code ExecutionOptions.shiftKernel}) */
    public TemporalShift.Kernel getKernel() {
        return kernel;
    }

    /** @return threads of the NHWC host kernel ({@code ExecutionOptions.shiftThreads}; 0 = ND4J's count) */
    public int getShiftThreads() {
        return shiftThreads;
    }

    @Override
    TemporalShiftLayerImpl newRuntime(NeuralNetConfiguration conf, DataType networkDataType) {
        return new TemporalShiftLayerImpl(conf, networkDataType);
    }

    @Override
    Map<String, Object> settings() {
        return settings("segments", segments, "foldDiv", foldDiv, "direction", direction, "dataFormat", dataFormat,
                "kernel", kernel, "shiftThreads", shiftThreads);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional conv =
                LayerSupport.convolutional(this, layerName, layerIndex, inputType, dataFormat);
        LayerSupport.requireShiftableChannels(this, layerName, conv, foldDiv, inputType);
        return inputType;
    }

    /** Builder; {@link #segments(int)} is required, the rest have the documented defaults. */
    public static final class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private int segments = -1;
        private int foldDiv = TemporalShift.DEFAULT_FOLD_DIV;
        private ShiftDirection direction = ShiftDirection.BIDIRECTIONAL;
        private CNN2DFormat dataFormat = CNN2DFormat.NCHW;
        private TemporalShift.Kernel kernel = TemporalShift.DEFAULT_KERNEL;
        private int shiftThreads = TemporalShift.DEFAULT_THREADS;

        /**
         * @param segments T, frames per clip (required, at least 1)
         * @return this
         */
        public Builder segments(int segments) {
            this.segments = segments;
            return this;
        }

        /**
         * @param foldDiv channel fraction divisor, at least 2 (default 8)
         * @return this
         */
        public Builder foldDiv(int foldDiv) {
            this.foldDiv = foldDiv;
            return this;
        }

        /**
         * @param direction shift direction (default {@link ShiftDirection#BIDIRECTIONAL})
         * @return this
         */
        public Builder direction(ShiftDirection direction) {
            this.direction = direction;
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

        /**
         * @param kernel how the shift moves data (default {@link TemporalShift.Kernel#HOST})
         * @return this
         */
        public Builder kernel(TemporalShift.Kernel kernel) {
            this.kernel = kernel;
            return this;
        }

        /**
         * @param threads threads of the NHWC host kernel, at least 0 (default 1 = calling thread; 0 = ND4J's count)
         * @return this
         */
        public Builder shiftThreads(int threads) {
            this.shiftThreads = threads;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public TemporalShiftLayer build() {
            String who = LayerSupport.describe("TemporalShiftLayer", layerName);
            LayerSupport.requireSegments(who, segments);
            if (foldDiv < 2) {
                throw new IllegalArgumentException(who + ": foldDiv must be >= 2, found " + foldDiv);
            }
            LayerSupport.requireNonNull(who, "direction", direction);
            LayerSupport.requireNonNull(who, "dataFormat", dataFormat);
            LayerSupport.requireNonNull(who, "kernel", kernel);
            if (shiftThreads < 0) {
                throw new IllegalArgumentException(who + ": shiftThreads must be >= 0 (0 = ND4J's thread count), found "
                        + shiftThreads);
            }
            return new TemporalShiftLayer(this);
        }
    }
}
