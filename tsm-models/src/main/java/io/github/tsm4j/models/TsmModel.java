package io.github.tsm4j.models;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.StreamingExecution;
import io.github.tsm4j.models.infer.InferenceGraphs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TSM network ready to use: the DL4J {@link ComputationGraph}, the {@link TsmConfig} it was built from and
 * the class labels. Saved as one DL4J model zip that also holds the configuration, the labels and the
 * {@link Provenance} (JSON entries added with {@link ModelSerializer#addObjectToFile}); nothing is parsed from
 * file names.
 *
 * <p>Input: clips {@code [N·T, 3, S, S]}, NCHW, float, normalised as {@code config().input()} says, the T =
 * {@code config().segments()} frames of each video contiguous, S = {@code config().input().cropSize()}.
 * Frames of {@code scaleSize} are accepted too: the official full-resolution test ({@code --full_res}) feeds them to
 * the same network, which is fully convolutional up to its global average pool.
 * Output: class probabilities {@code [N, K]} ({@code [N·T', K]} with {@link ConsensusMode#IDENTITY}).
 *
 * <p>Not thread-safe (DL4J graphs are not); use one model per thread or synchronise.
 */
public final class TsmModel {

    /** Zip entry holding the {@link TsmConfig} as JSON. */
    public static final String CONFIG_ENTRY = "tsm4j-config.json";
    /** Zip entry holding the labels as a JSON array of strings. */
    public static final String LABELS_ENTRY = "tsm4j-labels.json";
    /** Zip entry holding the {@link Provenance} as JSON (absent in files written before tsm4j recorded it). */
    public static final String PROVENANCE_ENTRY = "tsm4j-provenance.json";

    private static final Logger LOG = LoggerFactory.getLogger(TsmModel.class);

    private final ComputationGraph graph;
    private final TsmConfig config;
    private final List<String> labels;
    private final Map<String, Object> source;
    private final Provenance provenance;
    /** Whether {@link #graph} is a folded inference form ({@link #forInference}): no BatchNorm left to train. */
    private final boolean inferenceOnly;
    private final ExecutionOptions options;
    /** Bound executors (or why none) of an inference form by input shape, least recently used first. */
    private final LinkedHashMap<List<Long>, BoundExecutor.Result> executors = new LinkedHashMap<>(4, 0.75f, true);
    private static final int MAX_EXECUTORS = 2;
    /** The input shape of the last bound-path call, for {@link #executionPath()}. */
    private List<Long> lastShape;

    private TsmModel(ComputationGraph graph, TsmConfig config, List<String> labels, ExecutionOptions options) {
        this(graph, config, labels, Map.of(), null, false, options);
    }

    private TsmModel(ComputationGraph graph, TsmConfig config, List<String> labels, Map<String, ?> source,
            Provenance provenance, boolean inferenceOnly, ExecutionOptions options) {
        this.graph = graph;
        this.config = config;
        this.labels = List.copyOf(labels);
        this.source = Collections.unmodifiableMap(new LinkedHashMap<>(source));
        this.provenance = provenance;
        this.inferenceOnly = inferenceOnly;
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * A freshly initialised model (random weights, {@link TsmNetworks#defaultGlobals()}).
     *
     * @param config network description
     * @param labels one label per class, {@code config.numClasses()} of them
     * @return the model
     */
    public static TsmModel create(TsmConfig config, List<String> labels) {
        return create(config, labels, TsmNetworks.defaultGlobals());
    }

    /**
     * A freshly initialised model with the caller's global settings (updater, seed, data type, …).
     *
     * @param config network description
     * @param labels one label per class
     * @param globals DL4J global settings
     * @return the model
     */
    public static TsmModel create(TsmConfig config, List<String> labels, NeuralNetConfiguration.Builder globals) {
        return create(config, labels, globals, ExecutionOptions.defaults());
    }

    /**
     * A freshly initialised model built with explicit execution options (convolution and BatchNorm layers,
     * shift kernel); the options travel with the model and are recorded by {@link #save}.
     *
     * @param config network description
     * @param labels one label per class
     * @param globals DL4J global settings
     * @param options how the network is built and run
     * @return the model
     */
    public static TsmModel create(TsmConfig config, List<String> labels, NeuralNetConfiguration.Builder globals,
            ExecutionOptions options) {
        checkLabels(config, labels);
        Objects.requireNonNull(options, "options");
        ComputationGraph graph = new ComputationGraph(TsmNetworks.offline(config, globals, options));
        graph.init();
        return new TsmModel(graph, config, labels, options);
    }

    /**
     * Wraps an existing graph (e.g. after import or training) built by {@link TsmNetworks#offline}.
     *
     * @param graph an initialised graph for {@code config}
     * @param config its description
     * @param labels one label per class
     * @return the model
     */
    public static TsmModel wrap(ComputationGraph graph, TsmConfig config, List<String> labels) {
        checkLabels(config, labels);
        if (graph.getLayer(TsmNetworks.FC) == null) {
            throw new IllegalArgumentException("graph has no layer '" + TsmNetworks.FC + "': not a tsm4j network");
        }
        long k = ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) graph.getLayer(TsmNetworks.FC).conf()
                .getLayer()).getNOut();
        if (k != config.numClasses()) {
            throw new IllegalArgumentException("graph layer 'fc' has " + k + " outputs but TsmConfig.numClasses is "
                    + config.numClasses());
        }
        return new TsmModel(graph, config, labels, ExecutionOptions.defaults());
    }

    /**
     * The same model (configuration, labels, source, provenance, options) with another graph of the same
     * architecture, e.g. the trained copy a {@code Trainer} returns.
     *
     * @param newGraph an initialised graph for {@link #config()}
     * @return a new model object
     */
    public TsmModel withGraph(ComputationGraph newGraph) {
        wrap(Objects.requireNonNull(newGraph, "graph"), config, labels);
        return new TsmModel(newGraph, config, labels, source, provenance, inferenceOnly, options);
    }

    /**
     * Wraps what {@link ModelZip#read} returns: the model it holds, with its recorded source, provenance and
     * execution options (the defaults for files written before tsm4j recorded them).
     *
     * @param contents a read model zip
     * @return the model
     */
    public static TsmModel fromContents(ModelZip.Contents contents) {
        TsmModel m = wrap(contents.graph(), contents.config(), contents.labels());
        Provenance p = contents.provenance().orElse(null);
        ExecutionOptions o = p == null || p.execution() == null ? ExecutionOptions.defaults() : p.execution();
        return new TsmModel(m.graph, m.config, m.labels, p == null ? Map.of() : p.source(), p, false, o);
    }

    /**
     * Default labels {@code class0 … class(K−1)} for models without names.
     *
     * @param numClasses K
     * @return the labels
     */
    public static List<String> defaultLabels(int numClasses) {
        return IntStream.range(0, numClasses).mapToObj(i -> "class" + i).toList();
    }

    private static void checkLabels(TsmConfig config, List<String> labels) {
        if (labels == null || labels.size() != config.numClasses()) {
            throw new IllegalArgumentException("labels must have TsmConfig.numClasses = " + config.numClasses()
                    + " entries, found " + (labels == null ? "null" : labels.size()));
        }
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i) == null) {
                throw new IllegalArgumentException("labels[" + i + "] is null");
            }
        }
    }

    /** @return the DL4J graph (shared, not a copy) */
    public ComputationGraph graph() {
        return graph;
    }

    /** @return the configuration */
    public TsmConfig config() {
        return config;
    }

    /** @return the labels, index = class index (immutable) */
    public List<String> labels() {
        return labels;
    }

    /**
     * What the weights were made from, written into {@link Provenance#source()} by {@link #save}: empty for
     * a {@link #create}d model, the file's recorded source for a {@link #load}ed one.
     *
     * @return the source (immutable, insertion order)
     */
    public Map<String, Object> source() {
        return source;
    }

    /**
     * The same model (the graph is shared, not copied) with another source for {@link #save} to record.
     *
     * @param newSource e.g. {@code {"checkpoint": "x.pth", "sha256": "…"}}; values must be JSON-serialisable
     *     (strings, numbers, booleans, lists, maps, records)
     * @return a new model object
     */
    public TsmModel withSource(Map<String, ?> newSource) {
        return new TsmModel(graph, config, labels, Objects.requireNonNull(newSource, "source"), provenance,
                inferenceOnly, options);
    }

    /**
     * The execution options this model's network was built with ({@link #create(TsmConfig, List,
     * NeuralNetConfiguration.Builder, ExecutionOptions)}, the recorded ones for a loaded model, the defaults
     * otherwise); {@link #save} records them in the {@link Provenance}.
     *
     * @return the options
     */
    public ExecutionOptions options() {
        return options;
    }

    /**
     * The fast CPU inference form of this model, for prediction and evaluation: a new network with the same
     * weights (copied by layer name) in the NHWC layout, the one oneDNN's convolution kernels prefer, with every
     * BatchNorm folded into the convolution before it and ReLU/ReLU6 fused ({@link InferenceGraphs#fold}).
     * {@link #output}, {@link #logits} and {@link #predict} give this model's results up to float rounding
     * (BatchNorm's running statistics, as in inference mode); the input stays {@code [N·T, 3, S, S]} NCHW.
     *
     * <p>A snapshot: later training of this model does not reach it. It cannot be {@link #save}d or trained
     * ({@link #isInferenceOnly()}); keep the model it was made from for that. Its {@link #config()} says NHWC.
     * Built with {@link ExecutionOptions#defaults()}.
     *
     * @return the inference form ({@code this} if this model is one already)
     */
    public TsmModel forInference() {
        return forInference(ExecutionOptions.defaults());
    }

    /**
     * As {@link #forInference()}, built with explicit execution options: {@link ExecutionOptions#layout()} is the
     * layout of the inference network (its {@link #config()} says so), the layer implementations and shift kernel
     * are the options' (convolutions become native in the folding either way).
     *
     * @param execution how the inference form is built and run
     * @return the inference form ({@code this} if this model is one already)
     */
    public TsmModel forInference(ExecutionOptions execution) {
        Objects.requireNonNull(execution, "execution");
        if (inferenceOnly) {
            return this;
        }
        TsmConfig target = config.toBuilder().dataFormat(execution.layout()).build();
        DataType dataType = graph.getConfiguration().getDataType();
        ComputationGraph g = new ComputationGraph(TsmNetworks.offline(target,
                TsmNetworks.defaultGlobals().dataType(dataType), execution));
        g.init();
        TsmNetworks.copyParams(graph, g);
        InferenceGraphs.Folded folded = InferenceGraphs.fold(g);
        LOG.debug("Inference form: {} ({} → {})", folded.report(), config.dataFormat(), execution.layout());
        return new TsmModel(folded.graph(), target, labels, source, provenance, true, execution);
    }

    /** @return whether this is a folded inference form ({@link #forInference}) that cannot be saved or trained */
    public boolean isInferenceOnly() {
        return inferenceOnly;
    }

    /**
     * The provenance recorded in the file this model was {@link #load}ed from.
     *
     * @return it, or empty for a model not loaded from a file or from a file written before tsm4j recorded it
     */
    public Optional<Provenance> provenance() {
        return Optional.ofNullable(provenance);
    }

    /**
     * Checks a batch of clips against the configuration.
     *
     * @param clips {@code [N·T, 3, S, S]}
     * @return N, the number of videos
     * @throws IllegalArgumentException naming the wrong dimension, its value and the expected one
     */
    public int checkClips(INDArray clips) {
        long[] s = clips.shape();
        int t = config.segments();
        int size = config.input().cropSize();
        if (s.length != 4) {
            throw new IllegalArgumentException("clips must be [N·T, 3, " + size + ", " + size + "] (NCHW), found shape "
                    + Arrays.toString(s));
        }
        if (s[0] == 0 || s[0] % t != 0) {
            throw new IllegalArgumentException("clips: frame count " + s[0] + " is not a positive multiple of segments "
                    + t + " (shape " + Arrays.toString(s) + ")");
        }
        if (s[1] != 3) {
            throw new IllegalArgumentException("clips: expected 3 channels (RGB, NCHW), found " + s[1] + " (shape "
                    + Arrays.toString(s) + ")");
        }
        int full = config.input().scaleSize();
        if (s[2] != s[3] || (s[2] != size && s[2] != full)) {
            throw new IllegalArgumentException("clips: expected frames of " + size + "x" + size + " (cropSize)"
                    + (full == size ? "" : " or " + full + "x" + full + " (scaleSize, full resolution)") + ", found "
                    + s[2] + "x" + s[3] + " (shape " + Arrays.toString(s) + ")");
        }
        return (int) (s[0] / t);
    }

    /**
     * Class probabilities (inference mode: no dropout, BatchNorm running statistics).
     *
     * @param clips {@code [N·T, 3, S, S]}
     * @return {@code [N, K]} (a new array)
     */
    public INDArray output(INDArray clips) {
        checkClips(clips);
        if (bound()) {
            return Transforms.softmax(boundLogits(clips), false);
        }
        return graph.outputSingle(false, clips);
    }

    /**
     * Logits after the consensus (before softmax).
     *
     * @param clips {@code [N·T, 3, S, S]}
     * @return {@code [N, K]} ({@code [N·T', K]} with IDENTITY consensus)
     */
    public INDArray logits(INDArray clips) {
        checkClips(clips);
        if (bound()) {
            return boundLogits(clips);
        }
        return graph.output(List.of(TsmNetworks.CONSENSUS), false, new INDArray[] {clips}, null)[0];
    }

    /**
     * How {@link #output}, {@link #logits} and {@link #predict} run: for an inference form ({@link #forInference})
     * with {@link StreamingExecution#BOUND} (the default) a bound executor per input shape (the two most recent
     * shapes are kept) — a fixed sequence of native calls on preallocated activation buffers with the temporal
     * shift done in place — where every vertex of the network is one it knows, DL4J's {@code ComputationGraph}
     * otherwise. Calls on the bound path are serialised (one at a time per model).
     *
     * @return for the last call, e.g. {@code "bound executor: 123 native steps, 82 MiB of activation buffers for
     *     input [8, 3, 224, 224]"} or {@code "DL4J graph: vertex '…' (…)"} with the reason; before the first call
     *     {@code "bound executor (planned at the first call for each shape)"}; {@code "DL4J graph"} for a
     *     trainable model
     */
    public synchronized String executionPath() {
        if (!bound()) {
            return inferenceOnly ? "DL4J graph: ExecutionOptions.streamingExecutor = GRAPH" : "DL4J graph";
        }
        BoundExecutor.Result r = lastShape == null ? null : executors.get(lastShape);
        if (r == null) {
            return "bound executor (planned at the first call for each shape)";
        }
        BoundExecutor e = r.executor();
        return e == null ? "DL4J graph: " + r.unsupported()
                : "bound executor: " + e.steps() + " native steps, " + (e.bufferBytes() >> 20)
                        + " MiB of activation buffers for input " + lastShape;
    }

    /**
     * Frees the activation buffers and native op contexts of this inference form's bound executors now, instead of
     * when the model is collected (e.g. after a one-off large batch). The next call plans its executor again,
     * which allocates fresh memory (the first call after this is slower). No effect on a trainable model.
     */
    public synchronized void releaseExecutors() {
        executors.values().stream().map(BoundExecutor.Result::executor).filter(Objects::nonNull)
                .forEach(BoundExecutor::close);
        executors.clear();
        lastShape = null;
    }

    /** Whether calls may run through a {@link BoundExecutor}: inference forms with BOUND execution. */
    private boolean bound() {
        return inferenceOnly && options.streamingExecutor() == StreamingExecution.BOUND;
    }

    /** The consensus logits through the bound executor for this input shape, or the graph where it has none. */
    private synchronized INDArray boundLogits(INDArray clips) {
        List<Long> shape = Arrays.stream(clips.shape()).boxed().toList();
        BoundExecutor.Result r = executors.get(shape);
        if (r == null) {
            r = BoundExecutor.create(graph, clips.shape(), TsmNetworks.CONSENSUS);
            executors.put(shape, r);
            LOG.debug("Inference form, input {}: {}", shape, r.executor() != null
                    ? "bound executor, " + r.executor().steps() + " native steps" : "DL4J graph: " + r.unsupported());
            while (executors.size() > MAX_EXECUTORS) {
                Map.Entry<List<Long>, BoundExecutor.Result> eldest = executors.entrySet().iterator().next();
                if (eldest.getValue().executor() != null) {
                    eldest.getValue().executor().close();
                }
                executors.remove(eldest.getKey());
            }
        }
        lastShape = shape;
        BoundExecutor executor = r.executor();
        if (executor == null) {
            return graph.output(List.of(TsmNetworks.CONSENSUS), false, new INDArray[] {clips}, null)[0];
        }
        DataType type = graph.getConfiguration().getDataType();
        INDArray input = clips.dataType() == type ? clips : clips.castTo(type);
        INDArray out = Nd4j.create(type, executor.outputShape());
        executor.run(input, out);
        return out;
    }

    /**
     * Top-k classes of one video. With {@link ConsensusMode#IDENTITY} the per-frame probabilities are averaged.
     *
     * @param clip one video {@code [T, 3, S, S]}
     * @param k how many classes, 1 ≤ k ≤ K
     * @return k predictions, highest probability first
     */
    public List<Prediction> predict(INDArray clip, int k) {
        if (k < 1 || k > config.numClasses()) {
            throw new IllegalArgumentException("k must be in [1, " + config.numClasses() + "], found " + k);
        }
        int videos = checkClips(clip);
        if (videos != 1) {
            throw new IllegalArgumentException("predict takes one video of " + config.segments()
                    + " frames, found " + clip.size(0) + " frames; use output() for batches");
        }
        INDArray p = output(clip);
        if (p.size(0) > 1) {
            p = p.mean(true, 0);
        }
        double[] probs = p.toDoubleVector();
        Integer[] order = IntStream.range(0, probs.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        List<Prediction> top = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            top.add(new Prediction(labels.get(order[i]), order[i], probs[order[i]]));
        }
        return top;
    }

    /**
     * Saves graph, configuration, labels and {@link Provenance} (this build's versions, the time, {@link #source()},
     * {@link #options()}) in one zip ({@link ModelZip}, written atomically).
     *
     * @param file target file (overwritten)
     * @param saveUpdater whether to keep the updater state (to resume training)
     * @throws IOException on write failure
     */
    public void save(Path file, boolean saveUpdater) throws IOException {
        if (inferenceOnly) {
            throw new IllegalStateException("Cannot save " + file + ": this TsmModel is an inference form "
                    + "(forInference(): BatchNorm folded away); save the model it was made from");
        }
        ModelZip.write(file, graph, config, labels, Provenance.now(source, options), saveUpdater, null);
    }

    /**
     * Loads a model saved by {@link #save}, without updater state.
     *
     * @param file the zip
     * @return the model
     * @throws IOException when the file cannot be read or lacks the tsm4j entries
     */
    public static TsmModel load(Path file) throws IOException {
        return load(file, false);
    }

    /**
     * Loads a model saved by {@link #save}.
     *
     * @param file the zip
     * @param loadUpdater whether to restore the updater state too
     * @return the model
     * @throws IOException when the file cannot be read or lacks the tsm4j entries
     */
    public static TsmModel load(Path file, boolean loadUpdater) throws IOException {
        return fromContents(ModelZip.read(file, loadUpdater));
    }
}
