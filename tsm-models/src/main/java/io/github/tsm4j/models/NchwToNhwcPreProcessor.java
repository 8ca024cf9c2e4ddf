package io.github.tsm4j.models;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Permutes images from NCHW {@code [N, C, H, W]} to NHWC {@code [N, H, W, C]} (a C-ordered copy), and
 * gradients back. Used as the first vertex of networks configured with {@link CNN2DFormat#NHWC}, so every
 * tsm4j network takes NCHW input whatever its internal layout.
 */
public final class NchwToNhwcPreProcessor implements InputPreProcessor {

    private static final long serialVersionUID = 1L;

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("NchwToNhwcPreProcessor expects NCHW input [N, C, H, W], found shape "
                    + java.util.Arrays.toString(input.shape()));
        }
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, input.permute(0, 2, 3, 1), 'c');
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, output.permute(0, 3, 1, 2), 'c');
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
