package io.github.tsm4j.models;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Permutes images from NCHW {@code [N, C, H, W]} to NHWC {@code [N, H, W, C]} (a C-ordered copy), and
 * gradients back. Used as the first vertex of networks configured with {@link CNN2DFormat#NHWC}, so every
 * tsm4j network takes NCHW input whatever its internal layout.
 *
 * <p>For the few channels of a network input (up to {@value #COLUMN_COPY_MAX_CHANNELS}) both directions copy one
 * channel at a time as a strided column of the {@code [N, H·W, C]} view: ~3× faster than libnd4j's rank-4
 * permute copy ({@code [64, 3, 32, 32]}: 0.27 vs 0.82 ms on one thread; {@code [16, 3, 224, 224]}: 2.9 vs 10.1 ms).
 * More channels take the permute copy. Both give the same values bit for bit.
 */
public final class NchwToNhwcPreProcessor implements InputPreProcessor {

    private static final long serialVersionUID = 1L;

    /** Up to this many channels the copy runs one strided column per channel. */
    static final int COLUMN_COPY_MAX_CHANNELS = 8;

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("NchwToNhwcPreProcessor expects NCHW input [N, C, H, W], found shape "
                    + java.util.Arrays.toString(input.shape()));
        }
        long[] s = input.shape();
        if (s[1] > COLUMN_COPY_MAX_CHANNELS) {
            return workspaceMgr.dup(ArrayType.ACTIVATIONS, input.permute(0, 2, 3, 1), 'c');
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(),
                new long[] {s[0], s[2], s[3], s[1]}, 'c');
        copyChannels(input.reshape('c', s[0], s[1], s[2] * s[3]), out.reshape('c', s[0], s[2] * s[3], s[1]), false);
        return out;
    }

    /**
     * Copies channel by channel between {@code planar [N, C, HW]} and {@code interleaved [N, HW, C]} (both c-order
     * views of contiguous arrays): one strided column assignment per channel.
     *
     * @param toPlanar the direction: interleaved → planar when true
     */
    private static void copyChannels(INDArray planar, INDArray interleaved, boolean toPlanar) {
        for (long ch = 0; ch < planar.size(1); ch++) {
            INDArray column = interleaved.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(ch));
            INDArray plane = planar.get(NDArrayIndex.all(), NDArrayIndex.point(ch), NDArrayIndex.all());
            if (toPlanar) {
                plane.assign(column);
            } else {
                column.assign(plane);
            }
        }
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        if (output == null) {
            return null; // the layer after it computes no gradient of its input (data input, NativeConv2D.dataInput)
        }
        if (output.rank() != 4) {
            throw new IllegalArgumentException("NchwToNhwcPreProcessor expects an NHWC gradient [N, H, W, C], found "
                    + "shape " + java.util.Arrays.toString(output.shape()));
        }
        long[] s = output.shape();
        if (s[3] > COLUMN_COPY_MAX_CHANNELS) {
            return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, output.permute(0, 3, 1, 2), 'c');
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, output.dataType(),
                new long[] {s[0], s[3], s[1], s[2]}, 'c');
        copyChannels(out.reshape('c', s[0], s[3], s[1] * s[2]), output.reshape('c', s[0], s[1] * s[2], s[3]), true);
        return out;
    }

    @Override
    public InputPreProcessor clone() {
        return new NchwToNhwcPreProcessor();
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional c) || c.getFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException(
                    "NchwToNhwcPreProcessor expects a convolutional NCHW input type, found " + inputType);
        }
        return InputType.convolutional(c.getHeight(), c.getWidth(), c.getChannels(), CNN2DFormat.NHWC);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
            int minibatchSize) {
        return new Pair<>(maskArray, currentMaskState);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NchwToNhwcPreProcessor;
    }

    @Override
    public int hashCode() {
        return NchwToNhwcPreProcessor.class.hashCode();
    }
}
