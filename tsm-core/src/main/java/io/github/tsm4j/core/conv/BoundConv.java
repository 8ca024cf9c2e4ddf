package io.github.tsm4j.core.conv;

import io.github.tsm4j.core.exec.BoundOp;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The inference forward pass of one native convolution layer ({@link NativeConv2D} / {@link NativeDepthwiseConv2D}
 * runtime) bound to fixed input and output arrays: {@code conv2d}/{@code depthwise_conv2d} into the output, then
 * the layer's ReLU/ReLU6 in place, as {@link BoundOp}s (a float32 {@link NativeConv2D} configured with
 * {@link AbstractNativeConv#isOneDnn()}: its own oneDNN inference primitive, created once, handles bound once); small 1×1 convolutions as a matrix product and a bias add
 * ({@link #GEMM_MAX_MACS}). {@link #run()} allocates nothing and computes what the layer's {@code activate(false, …)}
 * computes (the same libnd4j ops and arguments; the matrix-product form up to float rounding).
 *
 * <p>Input {@code [N, C_in, H, W]} (NCHW) or {@code [N, H, W, C_in]} (NHWC); output {@link #outputShape}, in the
 * layer's format. The layer's parameters are bound by reference: changing them in place is seen by the next
 * run; {@link #of(Layer, INDArray, INDArray, WeightBinding)} with {@link WeightBinding#CAPTURED} instead keeps a
 * oneDNN convolution's weights in oneDNN's layout from the moment it is bound. Not thread-safe.
 */
public final class BoundConv implements AutoCloseable {

    private final BoundOp conv;
    private final BoundOp bias;
    private final BoundOp activation;
    /** The layer's oneDNN primitives and arguments, when it runs on them (then {@code conv} is null). */
    private final Runnable oneDnn;
    /** The oneDNN convolution behind {@code oneDnn} (its captured weights are freed by {@link #close}), or null. */
    private final OneDnnConv direct;

    private BoundConv(BoundOp conv, BoundOp bias, BoundOp activation) {
        this(conv, bias, activation, null, null);
    }

    private BoundConv(BoundOp conv, BoundOp bias, BoundOp activation, Runnable oneDnn, OneDnnConv direct) {
        this.oneDnn = oneDnn;
        this.direct = direct;
        this.conv = conv;
        this.bias = bias;
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
        return of(layer, in, out, GEMM_MAX_MACS);
    }

    /**
     * 1×1, stride-1, unpadded NHWC convolutions of at most this many multiply-adds per call ({@code N·H·W · C_in ·
     * C_out}) run as one matrix product ({@code matmul} of the input viewed as {@code [N·H·W, C_in]} with the
     * transposed {@code [C_out, C_in]} weights, then the bias): libnd4j's oneDNN convolution reorders the weights and
     * sets up its primitive on every call, which a small call does not amortise. 2^26: measured on the 2-vCPU EPYC
     * (2 threads, 2026-12-06), online MobileNetV2 at 224 px (every 1×1 convolution ≤ 31 M multiply-adds) 3.45–3.55
     * instead of 3.75–3.93 ms per frame; TSM-ResNet-50's smallest 1×1 convolution at 1×8 frames (411 M) was slower
     * as a product, as were all of its larger ones.
     */
    public static final long GEMM_MAX_MACS = 1L << 26;

    /**
     * As {@link #of(Layer, INDArray, INDArray)} with an explicit limit for the matrix-product form of 1×1
     * convolutions (0 = never; tests use it to compare both forms).
     *
     * @param layer a native convolution runtime layer
     * @param in input
     * @param out output
     * @param gemmMaxMacs 1×1 convolutions with at most this many multiply-adds per call run as {@code matmul}
     * @return the bound convolution
     */
    public static BoundConv of(Layer layer, INDArray in, INDArray out, long gemmMaxMacs) {
        return of(layer, in, out, gemmMaxMacs, WeightBinding.BY_REFERENCE);
    }

    /**
     * As {@link #of(Layer, INDArray, INDArray)} with a choice of how a oneDNN convolution holds its weights.
     *
     * @param layer a native convolution runtime layer
     * @param in input
     * @param out output
     * @param weights {@link WeightBinding#CAPTURED}: a oneDNN convolution reorders its weights once, now, and later
     *     changes of the layer's parameters are not seen; {@link WeightBinding#BY_REFERENCE}: as {@link #of(Layer,
     *     INDArray, INDArray)}
     * @return the bound convolution
     */
    public static BoundConv of(Layer layer, INDArray in, INDArray out, WeightBinding weights) {
        return of(layer, in, out, GEMM_MAX_MACS, weights);
    }

    private static BoundConv of(Layer layer, INDArray in, INDArray out, long gemmMaxMacs, WeightBinding weights) {
        java.util.Objects.requireNonNull(weights, "weights");
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
        BoundOp conv;
        BoundOp bias = null;
        long pixels = in.length() / Math.max(1, in.size(3));
        INDArray b = c.hasBias ? l.getParam(NativeConvParamInitializer.BIAS_KEY) : null;
        if (c.oneDnn && c instanceof NativeConv2D && OneDnn.suits(in, w, b, out)
                && OneDnn.availableFor("convolutions", c.getLayerName())) {
            // the layer's own primitive (created once, weights reordered per run: parameters stay bound by reference)
            // the activation as the primitive's post-op: one pass over the output fewer
            OneDnnConv direct = new OneDnnConv(c.kernel, c.stride, c.padding, c.format, c.getNIn(), c.getNOut(),
                    c.hasBias, c.convActivation);
            return new BoundConv(null, null, null, direct.boundInference(in, w, b, out, weights), direct);
        }
        if (c instanceof NativeConv2D && c.format == CNN2DFormat.NHWC && c.kernel[0] == 1 && c.kernel[1] == 1
                && c.stride[0] == 1 && c.stride[1] == 1 && c.padding[0] == 0 && c.padding[1] == 0
                && pixels * c.getNIn() * c.getNOut() <= gemmMaxMacs) {
            INDArray out2 = out.reshape('c', pixels, c.getNOut());
            conv = BoundOp.builder("matmul").inputs(in.reshape('c', pixels, c.getNIn()),
                    w.reshape('c', c.getNOut(), c.getNIn())).outputs(out2).iArgs(0, 1, 0).build();
            if (c.hasBias) {
                bias = BoundOp.builder("add").inputs(out2, l.getParam(NativeConvParamInitializer.BIAS_KEY))
                        .outputs(out2).build();
            }
        } else {
            conv = BoundOp.builder(c.opName()).inputs(inputs).outputs(out)
                    .iArgs(ConvOps.intArgs(c.kernel, c.stride, c.padding, c.format, c.weightFormat())).build();
        }
        return new BoundConv(conv, bias, activation(c, out));
    }

    private static BoundOp activation(AbstractNativeConv c, INDArray out) {
        return switch (c.convActivation) {
            case IDENTITY -> null;
            case RELU -> BoundOp.builder("relu").inputs(out).outputs(out).tArgs(0.0).build();
            case RELU6 -> BoundOp.builder("relu6").inputs(out).outputs(out).tArgs(0.0).build();
        };
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
        if (oneDnn != null) {
            oneDnn.run();
        } else {
            conv.run();
        }
        if (bias != null) {
            bias.run();
        }
        if (activation != null) {
            activation.run();
        }
    }

    /** Frees the native contexts and captured weights. */
    @Override
    public void close() {
        if (direct != null) {
            direct.releaseCaptured();
        }
        if (conv != null) {
            conv.close();
        }
        if (bias != null) {
            bias.close();
        }
        if (activation != null) {
            activation.close();
        }
    }
}
