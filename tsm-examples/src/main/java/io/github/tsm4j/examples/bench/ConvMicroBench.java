package io.github.tsm4j.examples.bench;

import io.github.tsm4j.core.conv.NativeConv2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's stock {@code ConvolutionLayer} against {@link NativeConv2D}, NCHW and NHWC, forward (inference) on
 * ResNet-50 convolution shapes with a batch of 8 frames.
 */
public final class ConvMicroBench {

    /** A ResNet-50 convolution: name, channels in/out, kernel, stride, input side. */
    record Shape(String name, int in, int out, int k, int stride, int side) {
        double gflop(int batch) {
            long o = (side + 2L * (k / 2) - k) / stride + 1;
            return 2.0 * batch * o * o * out * in * k * k / 1e9;
        }
    }

    static final List<Shape> SHAPES = List.of(
            new Shape("stem7x7s2", 3, 64, 7, 2, 224),
            new Shape("l1.3x3", 64, 64, 3, 1, 56),
            new Shape("l1.1x1up", 64, 256, 1, 1, 56),
            new Shape("l1.1x1down", 256, 64, 1, 1, 56),
            new Shape("l3.3x3", 256, 256, 3, 1, 14),
            new Shape("l3.1x1down", 1024, 256, 1, 1, 14),
            new Shape("l4.3x3", 512, 512, 3, 1, 7));

    private ConvMicroBench() {
    }

    private static MultiLayerNetwork net(Layer layer, Shape s, CNN2DFormat f) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).list().layer(layer)
                .setInputType(InputType.convolutional(s.side(), s.side(), s.in(), f)).build());
        net.init();
        return net;
    }

    /**
     * @param batch frames per call (8 = one TSM clip)
     * @param warmup untimed calls
     * @param runs timed calls (median reported)
     * @param stock also time DL4J's stock layer (slow: seconds per call on the large shapes)
     * @return one line per shape, implementation and layout
     */
    public static List<BenchLine> run(int batch, int warmup, int runs, boolean stock) throws Exception {
        List<BenchLine> lines = new ArrayList<>();
        for (Shape s : SHAPES) {
            for (CNN2DFormat f : CNN2DFormat.values()) {
                INDArray x = f == CNN2DFormat.NHWC ? Nd4j.rand(DataType.FLOAT, batch, s.side(), s.side(), s.in())
                        : Nd4j.rand(DataType.FLOAT, batch, s.in(), s.side(), s.side());
                int pad = s.k() / 2;
                List<String> impls = stock ? List.of("native", "stock") : List.of("native");
                for (String impl : impls) {
                    Layer layer = impl.equals("native")
                            ? NativeConv2D.builder().kernel(s.k(), s.k()).stride(s.stride(), s.stride())
                                    .padding(pad, pad).nOut(s.out()).format(f).build()
                            : new ConvolutionLayer.Builder(s.k(), s.k()).stride(s.stride(), s.stride())
                                    .padding(pad, pad).convolutionMode(ConvolutionMode.Truncate).nOut(s.out())
                                    .hasBias(false).activation(Activation.IDENTITY).dataFormat(f).build();
                    MultiLayerNetwork net = net(layer, s, f);
                    WorkspaceRunner runner = new WorkspaceRunner("conv-" + s.name() + "-" + impl + "-" + f);
                    int r = impl.equals("stock") ? Math.max(3, runs / 3) : runs;
                    Stats st = Stats.time(impl.equals("stock") ? 1 : warmup, r, () -> runner.run(net, x));
                    lines.add(new BenchLine("conv." + s.name() + "." + impl + "." + f.name().toLowerCase(Locale.ROOT),
                            st.median(), "ms", String.format(Locale.ROOT, "%.0f GFLOP/s; %s; [%d,%d,%d,%d] k%d s%d",
                                    s.gflop(batch) / (st.median() / 1e3), st, batch, s.in(), s.side(), s.side(),
                                    s.k(), s.stride())));
                }
            }
        }
        return lines;
    }
}
