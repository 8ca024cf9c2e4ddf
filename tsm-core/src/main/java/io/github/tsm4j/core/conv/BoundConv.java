package io.github.tsm4j.core.conv;

import io.github.tsm4j.core.exec.BoundOp;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The inference forward pass of one native convolution layer ({@link NativeConv2D} / {@link NativeDepthwiseConv2D}
 * runtime) bound to fixed input and output arrays: {@code conv2d}/{@code depthwise_conv2d} into the output, then
 * the layer's ReLU/ReLU6 in place, as {@link BoundOp}s. {@link #run()} allocates nothing and computes exactly what
 * the layer's {@code activate(false, …)} computes (same libnd4j ops, same arguments).
 *
 * <p>Input {@code [N, C_in, H, W]} (NCHW) or {@code [N, H, W, C_in]} (NHWC); output {@link #outputShape}, in the
 * layer's format. The layer's parameters are bound by reference: changing them in place is seen by the next
 * run. Not thread-safe.
 */
public final class BoundConv implements AutoCloseable {

    private final BoundOp conv;
    private final BoundOp activation;

    private BoundConv(BoundOp conv, BoundOp activation) {
        this.conv = conv;
        this.activation = activation;
    }

    /**
     * Binds a native convolution layer.
     *
     * @param layer a runtime layer of a {@link NativeConv2D} or {@link NativeDepthwiseConv2D} configuration
     * @param in input of the layer's format with {@code C_in} channels
     * @param out output of shape {@link #outputShape(Layer, long[])}, not overlapping {@code in}
     * @return the bound convolution
     * @throws IllegalArgumentException if the layer is not a native convolution or a shape does not fit
     */
    public static BoundConv of(Layer layer, INDArray in, INDArray out) {
        NativeConvLayer l = requireNative(layer);
        AbstractNativeConv c = l.layerConf();
        long[] expected = outputShape(layer, in.shape());
        if (!Arrays.equals(out.shape(), expected)) {
            throw new IllegalArgumentException(describe(c) + ": output shape " + Arrays.toString(out.shape())
                    + " differs from the expected " + Arrays.toString(expected));
        }
        INDArray w = l.getParam(NativeConvParamInitializer.WEIGHT_KEY);
        INDArray[] inputs = c.hasBias ? new INDArray[] {in, w, l.getParam(NativeConvParamInitializer.BIAS_KEY)}
                : new INDArray[] {in, w};
        BoundOp conv = BoundOp.builder(c.opName()).inputs(inputs).outputs(out)
                .iArgs(ConvOps.intArgs(c.kernel, c.stride, c.padding, c.format, c.weightFormat())).build();
        BoundOp act = switch (c.convActivation) {
            case IDENTITY -> null;
            case RELU -> BoundOp.builder("relu").inputs(out).outputs(out).tArgs(0.0).build();
            case RELU6 -> BoundOp.builder("relu6").inputs(out).outputs(out).tArgs(0.0).build();
        };
        return new BoundConv(conv, act);
    }

    /**
     * The output shape of a native convolution layer for an input shape.
     *
     * @param layer a native convolution runtime layer
     * @param inShape {@code [N, C_in, H, W]} or {@code [N, H, W, C_in]} (the layer's format)
     * @return {@code [N, C_out, H', W']} or {@code [N, H', W', C_out]}
     * @throws IllegalArgumentException if the layer is not native or the input does not have its channels
     */
    public static long[] outputShape(Layer layer, long[] inShape) {
        AbstractNativeConv c = requireNative(layer).layerConf();
        boolean nhwc = c.format == CNN2DFormat.NHWC;
        if (inShape.length != 4 || inShape[nhwc ? 3 : 1] != c.getNIn()) {
            throw new IllegalArgumentException(describe(c) + ": expected input " + (nhwc
                    ? "[N, H, W, " + c.getNIn() + "] (NHWC)" : "[N, " + c.getNIn() + ", H, W] (NCHW)")
                    + ", found " + Arrays.toString(inShape));
        }
        long h = ConvOps.outSize(inShape[nhwc ? 1 : 2], c.kernel[0], c.stride[0], c.padding[0]);
        long w = ConvOps.outSize(inShape[nhwc ? 2 : 3], c.kernel[1], c.stride[1], c.padding[1]);
        return nhwc ? new long[] {inShape[0], h, w, c.getNOut()} : new long[] {inShape[0], c.getNOut(), h, w};
    }

    /**
     * @param layer any runtime layer
     * @return whether {@link #of} accepts it
     */
    public static boolean supports(Layer layer) {
        return layer instanceof NativeConvLayer;
    }

    private static NativeConvLayer requireNative(Layer layer) {
        if (!(layer instanceof NativeConvLayer l)) {
            throw new IllegalArgumentException("BoundConv: layer " + (layer == null ? "null"
                    : "'" + layer.conf().getLayer().getLayerName() + "' (" + layer.getClass().getSimpleName() + ")")
                    + " is not a native convolution (NativeConv2D / NativeDepthwiseConv2D)");
        }
        return l;
    }

    private static String describe(AbstractNativeConv c) {
        return c.getClass().getSimpleName() + " '" + c.getLayerName() + "'";
    }

    /** Runs the convolution and the in-place activation. */
    public void run() {
        conv.run();
        if (activation != null) {
            activation.run();
        }
    }

    /** Frees the native contexts. */
    @Override
    public void close() {
        conv.close();
        if (activation != null) {
            activation.close();
        }
    }
}
