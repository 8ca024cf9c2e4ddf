package io.github.tsm4j.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.layers.OnlineShiftLayer;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * Builds the DL4J {@link ComputationGraphConfiguration}s of TSM networks and counts their parameters.
 *
 * <p><b>Vertex names are torchvision module paths</b>, so importing a PyTorch state dict is a name map (see the
 * package documentation for the full table). Offline graphs: input {@value #INPUT} {@code [N·T, 3, H, W]} (NCHW)
 * → backbone → {@value #AVGPOOL} → {@value #DROPOUT} (absent when p = 0) → {@value #FC} {@code [N·T, K]} →
 * {@value #CONSENSUS} {@code [N, K]} → {@value #LOSS} (softmax, MCXENT; labels {@code [N, K]}). Streaming graphs
 * take {@code [B, 3, H, W]} (one frame of each of B streams), have {@code OnlineShiftLayer}s where the offline
 * graph has shifts, and end at {@value #FC} (per-frame logits {@code [B, K]}).
 */
public final class TsmNetworks {

    /** Name of the graph input. */
    public static final String INPUT = "input";
    /** The NCHW → NHWC permutation vertex of NHWC networks. */
    public static final String INPUT_NHWC = "input.nhwc";
    /** Global average pooling. */
    public static final String AVGPOOL = "avgpool";
    /** Dropout before the classifier. */
    public static final String DROPOUT = "dropout";
    /** The classifier (torchvision {@code fc} / {@code classifier.1}, TSM {@code new_fc}); weights {@code [in, K]}. */
    public static final String FC = "fc";
    /** Segment consensus: {@code [N·T, K]} → {@code [N, K]}; its activations are the logits. */
    public static final String CONSENSUS = "consensus";
    /** Softmax + cross-entropy output layer; its activations are the class probabilities. */
    public static final String LOSS = "loss";
    /** Default seed for weight initialisation. */
    public static final long DEFAULT_SEED = 42;

    private TsmNetworks() {
    }

    /**
     * Global settings used when the caller gives none: float, seed {@value #DEFAULT_SEED}, SGD with Nesterov
     * momentum 0.9 at lr 0.01 (the paper's recipe; training code replaces it), workspaces enabled.
     *
     * @return a fresh builder
     */
    public static NeuralNetConfiguration.Builder defaultGlobals() {
        return new NeuralNetConfiguration.Builder()
                .seed(DEFAULT_SEED)
                .dataType(DataType.FLOAT)
                .updater(new Nesterovs(0.01, 0.9))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
    }

    /** @param config network description @return the offline (clip) network with {@link #defaultGlobals()} */
    public static ComputationGraphConfiguration offline(TsmConfig config) {
        return offline(config, defaultGlobals());
    }

    /**
     * The offline network: clips {@code [N·T, 3, H, W]} → probabilities {@code [N, K]}.
     *
     * @param config network description
     * @param globals global settings (updater, seed, data type, regularisation, workspace modes); per-layer
     *     settings made here (weight init, activation, convolution mode) override it
     * @return the configuration
     */
    public static ComputationGraphConfiguration offline(TsmConfig config, NeuralNetConfiguration.Builder globals) {
        return offline(config, globals, ExecutionOptions.defaults());
    }

    /**
     * The offline network built with explicit execution options (layer implementations, shift kernel).
     *
     * @param config network description
     * @param globals global settings
     * @param options which convolution/BatchNorm layers to create and how the shifts move data
     * @return the configuration
     */
    public static ComputationGraphConfiguration offline(TsmConfig config, NeuralNetConfiguration.Builder globals,
            ExecutionOptions options) {
        return build(config, globals, false, options);
    }

    /**
     * The streaming network: one frame per stream {@code [B, 3, H, W]} → per-frame logits {@code [B, K]}, with an
     * online shift (a cache of the previous frame's first C/foldDiv channels) at every shift position.
     *
     * @param config network description; temporal pooling cannot stream
     * @param globals global settings
     * @return the configuration
     */
    public static ComputationGraphConfiguration streaming(TsmConfig config, NeuralNetConfiguration.Builder globals) {
        return streaming(config, globals, ExecutionOptions.defaults());
    }

    /**
     * The streaming network built with explicit execution options.
     *
     * @param config network description; temporal pooling cannot stream
     * @param globals global settings
     * @param options which convolution/BatchNorm layers to create
     * @return the configuration
     */
    public static ComputationGraphConfiguration streaming(TsmConfig config, NeuralNetConfiguration.Builder globals,
            ExecutionOptions options) {
        if (config.temporalPool()) {
            throw new IllegalArgumentException(
                    "TsmConfig.temporalPool = true cannot run as a streaming model (it pools over future frames)");
        }
        return build(config, globals, true, options);
    }

    private static ComputationGraphConfiguration build(TsmConfig config, NeuralNetConfiguration.Builder globals,
            boolean streaming, ExecutionOptions options) {
        java.util.Objects.requireNonNull(options, "options");
        int size = config.input().cropSize();
        ComputationGraphConfiguration.GraphBuilder g = globals.graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(size, size, 3));
        Layers layers = new Layers(g, config, streaming, options);
        String out = switch (config.backbone()) {
            case RESNET18, RESNET34, RESNET50, RESNET101, RESNET152 -> ResNetBuilder.build(layers, config, INPUT);
            case MOBILENET_V2 -> MobileNetV2Builder.build(layers, config, INPUT);
        };
        g.setOutputs(out);
        if (streaming) {
            g.validateOutputLayerConfig(false);
        }
        return g.build();
    }

    /**
     * Trainable parameters of a configuration, counted without allocating: DL4J's count minus BatchNorm's
     * running mean and variance (which DL4J stores as parameters, PyTorch as buffers). Equals
     * {@code sum(p.numel() for p in model.parameters())} of the PyTorch network.
     *
     * @param conf the configuration
     * @return the number of trainable parameters
     */
    public static long trainableParams(ComputationGraphConfiguration conf) {
        long n = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex lv) {
                org.deeplearning4j.nn.conf.layers.Layer layer = lv.getLayerConf().getLayer();
                n += layer.initializer().numParams(lv.getLayerConf());
                if (layer instanceof BatchNormalization bn) {
                    n -= 2 * bn.getNOut();
                }
            }
        }
        return n;
    }

    /**
     * Trainable parameters of an initialised graph ({@code numParams()} minus BatchNorm running statistics).
     *
     * @param graph the graph
     * @return the number of trainable parameters
     */
    public static long trainableParams(ComputationGraph graph) {
        long n = graph.numParams();
        for (Layer layer : graph.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization bn) {
                n -= 2 * bn.getNOut();
            }
        }
        return n;
    }

    /**
     * Names of the shift vertices (offline or online), in the order they were added (input to output).
     *
     * @param conf the configuration
     * @return e.g. {@code [layer1.0.shift, layer1.1.shift, …]}
     */
    public static List<String> shiftVertices(ComputationGraphConfiguration conf) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            String name = e.getKey();
            if (e.getValue() instanceof LayerVertex lv
                    && (lv.getLayerConf().getLayer() instanceof TemporalShiftLayer
                            || lv.getLayerConf().getLayer() instanceof OnlineShiftLayer)) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * Copies every parameter (BatchNorm running statistics included) from one graph to another by parameter name
     * ({@code "layer1.0.conv1_W"}, …). Use this, never {@code setParams(params())}: the flattened parameter
     * order follows each graph's topological order, which differs between, e.g., NCHW and NHWC networks.
     *
     * @param from source graph
     * @param to target graph whose parameter names all exist in {@code from} with the same shapes
     * @throws IllegalArgumentException naming the first missing or differently shaped parameter
     */
    public static void copyParams(ComputationGraph from, ComputationGraph to) {
        Map<String, INDArray> source = from.paramTable();
        for (Map.Entry<String, INDArray> e : to.paramTable().entrySet()) {
            INDArray src = source.get(e.getKey());
            if (src == null) {
                throw new IllegalArgumentException("source graph lacks parameter '" + e.getKey() + "' of shape "
                        + Arrays.toString(e.getValue().shape()));
            }
            if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' has shape "
                        + Arrays.toString(src.shape()) + " in the source graph, expected "
                        + Arrays.toString(e.getValue().shape()));
            }
            e.getValue().assign(src);
        }
    }
}
