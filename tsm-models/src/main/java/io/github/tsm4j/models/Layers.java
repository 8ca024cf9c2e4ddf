package io.github.tsm4j.models;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.ConvImplementation;
import io.github.tsm4j.core.conv.NativeConv2D;
import io.github.tsm4j.core.conv.NativeDepthwiseConv2D;
import io.github.tsm4j.core.layers.OnlineShiftLayer;
import io.github.tsm4j.core.layers.ResidualAdd;
import io.github.tsm4j.core.layers.SegmentConsensusLayer;
import io.github.tsm4j.core.layers.TemporalPoolLayer;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import io.github.tsm4j.core.norm.BatchNormImplementation;
import io.github.tsm4j.core.norm.NativeActivation;
import io.github.tsm4j.core.norm.NativeBatchNorm;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The one place where the backbone builders create convolutions, depthwise convolutions, BatchNorm, shifts and
 * the head, so that a faster implementation is swapped in here only: convolutions are
 * {@link NativeConv2D}/{@link NativeDepthwiseConv2D} (libnd4j ops, oneDNN in the onednn builds; with
 * {@link ConvImplementation#ONEDNN} the regular convolutions hold their own oneDNN primitives) unless
 * {@link ExecutionOptions#convolution()} is {@link ConvImplementation#STOCK}; BatchNorm is {@link NativeBatchNorm} (libnd4j
 * {@code batchnorm} op, BLAS sums; NCHW and NHWC graphs alike) with a following ReLU/ReLU6 fused into it and
 * standalone ReLUs are {@link NativeActivation}, unless
 * {@link ExecutionOptions#batchNorm()} is {@link BatchNormImplementation#STOCK}; shifts carry
 * {@link ExecutionOptions#shiftKernel()} and {@link ExecutionOptions#shiftThreads()};
 * parameters and layouts are the same either way. Each method adds one vertex to the graph under construction (two for
 * a stock BatchNorm + activation) and returns the name of the vertex that produces its output.
 *
 * <p>PyTorch semantics: convolutions without bias, {@link ConvolutionMode#Truncate} with explicit symmetric
 * padding (DL4J's {@code Same} pads asymmetrically); BatchNorm with eps 1e-5, running-average decay 0.9 (PyTorch
 * momentum 0.1) and {@code useLogStd(false)}, so the layer's {@code var} parameter is the running variance
 * itself and PyTorch's {@code running_var} is copied unchanged. The native BatchNorm's running variance follows
 * PyTorch (unbiased batch variance); DL4J's stock layer puts the biased one into it. Training-mode outputs and
 * gradients use the batch statistics and are the same for both.
 */
final class Layers {

    /** PyTorch BatchNorm2d default eps. */
    static final double BN_EPS = 1e-5;
    /** DL4J decay equal to PyTorch BatchNorm momentum 0.1. */
    static final double BN_DECAY = 0.9;
    /** Standard deviation of the classifier's initial weights, as the official TSM {@code new_fc}. */
    static final double FC_INIT_STD = 0.001;

    private final GraphBuilder graph;
    /** The network's data inputs (and their NHWC form): convolutions reading them compute no input gradient. */
    private final java.util.Set<String> dataInputs = new java.util.HashSet<>();
    private final TsmConfig config;
    private final boolean streaming;
    private final CNN2DFormat format;
    /** Native (oneDNN) convolutions unless the options say STOCK; both hold the same parameter layouts. */
    private final ConvImplementation convImplementation;
    private final ExecutionOptions options;
    /**
     * Native BatchNorm (fused activation) in NCHW and NHWC graphs unless the options say STOCK; both hold the
     * same parameters and compute the same function: in double precision an NCHW TSM-ResNet follows the stock
     * layers' training trajectory to ~1e-11 over 10 Nesterov steps. In float, tiny overfitting networks (width 8,
     * 32 px, 4 values per channel in layer4) amplify rounding differences (1e-6 noise on the stock network's
     * weights changes the loss in the 2nd digit within 3 steps), which once looked like an NCHW-only drift of the
     * native layer (docs/performance.md §2b).
     */
    private final BatchNormImplementation bnImplementation;

    Layers(GraphBuilder graph, TsmConfig config, boolean streaming, ExecutionOptions options) {
        this.graph = graph;
        this.config = config;
        this.streaming = streaming;
        this.format = config.dataFormat();
        this.options = options;
        this.convImplementation = options.convolution();
        this.bnImplementation = options.batchNorm();
    }

    boolean streaming() {
        return streaming;
    }

    /** Converts the NCHW network input to the configured layout; returns the input name unchanged for NCHW. */
    String inputLayout(String input) {
        dataInputs.add(input);
        dataInputs.add(TsmNetworks.INPUT_NHWC);
        return switch (format) {
            case NCHW -> input;
            case NHWC -> {
                graph.addVertex(TsmNetworks.INPUT_NHWC, new PreprocessorVertex(new NchwToNhwcPreProcessor()), input);
                yield TsmNetworks.INPUT_NHWC;
            }
        };
    }

    String conv(String name, String input, int nIn, int nOut, int kernel, int stride, int padding) {
        if (convImplementation != ConvImplementation.STOCK) {
            graph.addLayer(name, NativeConv2D.builder()
                    .kernel(kernel, kernel)
                    .stride(stride, stride)
                    .padding(padding, padding)
                    .nIn(nIn)
                    .nOut(nOut)
                    .hasBias(false)
                    .weightInit(WeightInit.RELU)
                    .format(format)
                    .oneDnn(convImplementation == ConvImplementation.ONEDNN)
                    .dataInput(dataInputs.contains(input)) // the stem: no gradient of the images
                    .build(), input);
            return name;
        }
        graph.addLayer(name, new ConvolutionLayer.Builder(kernel, kernel)
                .stride(stride, stride)
                .padding(padding, padding)
                .convolutionMode(ConvolutionMode.Truncate)
                .nIn(nIn)
                .nOut(nOut)
                .hasBias(false)
                .activation(Activation.IDENTITY)
                .weightInit(WeightInit.RELU)
                .dataFormat(format)
                .build(), input);
        return name;
    }

    /** Depthwise k×k convolution, multiplier 1 (weights {@code [k, k, channels, 1]} in DL4J). */
    String depthwise(String name, String input, int channels, int kernel, int stride, int padding) {
        if (convImplementation != ConvImplementation.STOCK) {
            graph.addLayer(name, NativeDepthwiseConv2D.builder()
                    .kernel(kernel, kernel)
                    .stride(stride, stride)
                    .padding(padding, padding)
                    .channels(channels)
                    .hasBias(false)
                    .weightInit(WeightInit.RELU)
                    .format(format)
                    .build(), input);
            return name;
        }
        graph.addLayer(name, new DepthwiseConvolution2D.Builder(kernel, kernel)
                .stride(stride, stride)
                .padding(padding, padding)
                .convolutionMode(ConvolutionMode.Truncate)
                .depthMultiplier(1)
                .nIn(channels)
                .nOut(channels)
                .hasBias(false)
                .activation(Activation.IDENTITY)
                .weightInit(WeightInit.RELU)
                .dataFormat(format)
                .build(), input);
        return name;
    }

    String bn(String name, String input, int channels) {
        return bn(name, input, channels, ConvActivation.IDENTITY);
    }

    /**
     * BatchNorm followed by ReLU: one {@link NativeBatchNorm} named {@code bnName} with the ReLU fused (the
     * {@code reluName} vertex does not exist then), or the stock BatchNorm and an activation layer {@code reluName}.
     *
     * @return the vertex holding the activated output
     */
    String bnRelu(String bnName, String reluName, String input, int channels) {
        return bnImplementation != BatchNormImplementation.STOCK
                ? bn(bnName, input, channels, ConvActivation.RELU)
                : relu(reluName, bn(bnName, input, channels));
    }

    /** As {@link #bnRelu} with ReLU6 (MobileNetV2). */
    String bnRelu6(String bnName, String reluName, String input, int channels) {
        return bnImplementation != BatchNormImplementation.STOCK
                ? bn(bnName, input, channels, ConvActivation.RELU6)
                : relu6(reluName, bn(bnName, input, channels));
    }

    private String bn(String name, String input, int channels, ConvActivation activation) {
        if (bnImplementation != BatchNormImplementation.STOCK) {
            graph.addLayer(name, NativeBatchNorm.builder()
                    .channels(channels)
                    .eps(BN_EPS)
                    .decay(BN_DECAY)
                    .format(format)
                    .activation(activation)
                    .oneDnn(bnImplementation == BatchNormImplementation.ONEDNN)
                    .build(), input);
            return name;
        }
        graph.addLayer(name, new BatchNormalization.Builder()
                .nIn(channels)
                .nOut(channels)
                .eps(BN_EPS)
                .decay(BN_DECAY)
                .useLogStd(false)
                .dataFormat(format)
                .build(), input);
        return name;
    }

    /** Stand-alone activations backpropagate on oneDNN where the convolutions or BatchNorms run there. */
    private boolean oneDnnActivations() {
        return convImplementation == ConvImplementation.ONEDNN || bnImplementation == BatchNormImplementation.ONEDNN;
    }

    /**
     * A standalone ReLU (after residual adds): {@link NativeActivation} unless the BatchNorm implementation is
     * {@code STOCK}, in place in training (it is the add's only reader, and an add needs no output of its own in
     * backpropagation). On oneDNN, the {@link ResidualAdd} before it then fuses the ReLU into the sum and hands the
     * ReLU's in-place gradient to both summands uncopied ({@code ResidualAddImpl}).
     */
    String relu(String name, String input) {
        graph.addLayer(name, bnImplementation != BatchNormImplementation.STOCK
                ? new NativeActivation(ConvActivation.RELU, true).oneDnn(oneDnnActivations())
                : new ActivationLayer.Builder().activation(Activation.RELU).build(), input);
        return name;
    }

    String relu6(String name, String input) {
        graph.addLayer(name, bnImplementation != BatchNormImplementation.STOCK
                ? new NativeActivation(ConvActivation.RELU6).oneDnn(oneDnnActivations())
                : new ActivationLayer.Builder().activation(Activation.RELU6).build(), input);
        return name;
    }

    /** The residual sum: {@link ResidualAdd} (no copies), or DL4J's own vertex when the layers are DL4J's (STOCK). */
    String add(String name, String a, String b) {
        graph.addVertex(name, bnImplementation != BatchNormImplementation.STOCK ? new ResidualAdd()
                : new ElementWiseVertex(ElementWiseVertex.Op.Add), a, b);
        return name;
    }

    /** PyTorch {@code MaxPool2d(k, s, p)}; padding by zeros equals PyTorch's −∞ here since inputs follow a ReLU. */
    String maxPool(String name, String input, int kernel, int stride, int padding) {
        SubsamplingLayer.Builder b = new SubsamplingLayer.Builder(PoolingType.MAX)
                .kernelSize(kernel, kernel)
                .stride(stride, stride)
                .padding(padding, padding)
                .convolutionMode(ConvolutionMode.Truncate);
        b.setDataFormat(format);
        graph.addLayer(name, b.build(), input);
        return name;
    }

    /**
     * The temporal shift: offline a {@link TemporalShiftLayer} over {@code segments} frames, in a streaming graph
     * an {@link OnlineShiftLayer} with one cache per stream.
     */
    String shift(String name, String input, int segments) {
        if (streaming) {
            graph.addLayer(name, new OnlineShiftLayer.Builder()
                    .foldDiv(config.foldDiv())
                    .dataFormat(format)
                    .build(), input);
        } else {
            graph.addLayer(name, new TemporalShiftLayer.Builder()
                    .segments(segments)
                    .foldDiv(config.foldDiv())
                    .direction(config.direction())
                    .dataFormat(format)
                    .kernel(options.shiftKernel())
                    .shiftThreads(options.shiftThreads())
                    .build(), input);
        }
        return name;
    }

    String temporalPool(String name, String input, int segments) {
        graph.addLayer(name, new TemporalPoolLayer.Builder().segments(segments).dataFormat(format).build(), input);
        return name;
    }

    /**
     * The official TSN head: global average pool → dropout → {@code fc} → segment consensus → softmax/MCXENT loss.
     * A streaming graph ends at {@code fc} (per-frame logits).
     *
     * @return the output vertex name
     */
    String head(String input, int features, int segments) {
        GlobalPoolingLayer.Builder pool = new GlobalPoolingLayer.Builder(PoolingType.AVG);
        pool.poolingDimensions(switch (format) {
            case NCHW -> new int[] {2, 3};
            case NHWC -> new int[] {1, 2};
        });
        graph.addLayer(TsmNetworks.AVGPOOL, pool.build(), input);
        String x = TsmNetworks.AVGPOOL;
        if (config.dropout() > 0 && !streaming) {
            // DL4J's Dropout takes the probability of RETAINING an activation
            graph.addLayer(TsmNetworks.DROPOUT, new DropoutLayer.Builder()
                    .dropOut(new Dropout(1.0 - config.dropout())).build(), x);
            x = TsmNetworks.DROPOUT;
        }
        graph.addLayer(TsmNetworks.FC, new DenseLayer.Builder()
                .nIn(features)
                .nOut(config.numClasses())
                .activation(Activation.IDENTITY)
                .weightInit(new NormalDistribution(0, FC_INIT_STD))
                .biasInit(0)
                .build(), x);
        if (streaming) {
            return TsmNetworks.FC;
        }
        graph.addLayer(TsmNetworks.CONSENSUS, new SegmentConsensusLayer.Builder()
                .segments(segments)
                .mode(config.consensus())
                .build(), TsmNetworks.FC);
        graph.addLayer(TsmNetworks.LOSS, new LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX)
                .build(), TsmNetworks.CONSENSUS);
        return TsmNetworks.LOSS;
    }
}
