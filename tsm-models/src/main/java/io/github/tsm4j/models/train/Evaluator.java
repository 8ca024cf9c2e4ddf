package io.github.tsm4j.models.train;

import io.github.tsm4j.models.recognize.ScoreAveraging;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * The TSN/TSM test protocol: each video is seen through one or more views (clips × crops); the views' scores are
 * combined by {@link ScoreAveraging} (raw scores by default, as the official {@code test_models.py}; the same
 * implementation as {@link io.github.tsm4j.models.recognize.VideoRecognizer}), then the arg-max is the prediction.
 * Reports top-1, top-5, mean class accuracy and the confusion matrix, and keeps per-video predictions.
 *
 * <p>Feed scores directly with {@link #add(String, int, double[])} or run a network over an iterator with
 * {@link #evaluate(ComputationGraph, DataSetIterator, int, List)}.
 */
public final class Evaluator {
    private final int numClasses;
    private final ScoreAveraging averaging;
    private final Map<String, Accumulator> videos = new LinkedHashMap<>();

    private static final class Accumulator {
        final int label;
        final List<float[]> views = new ArrayList<>();

        Accumulator(int label) {
            this.label = label;
        }
    }

    /** @param numClasses K, at least 1; views are averaged as raw scores */
    public Evaluator(int numClasses) {
        this(numClasses, ScoreAveraging.RAW_SCORES);
    }

    /**
     * @param numClasses K, at least 1
     * @param averaging how the views of a video are combined
     */
    public Evaluator(int numClasses, ScoreAveraging averaging) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("Evaluator numClasses must be >= 1, found " + numClasses);
        }
        this.numClasses = numClasses;
        this.averaging = java.util.Objects.requireNonNull(averaging, "averaging");
    }

    /**
     * Adds the raw scores (logits, before softmax) of one view of a video.
     *
     * @param videoId video identifier; views with the same id are averaged
     * @param label true class index of the video
     * @param logits raw scores, length K
     */
    public void add(String videoId, int label, double[] logits) {
        double[] probabilities = logits;
        if (probabilities.length != numClasses) {
            throw new IllegalArgumentException("Evaluator scores for video '" + videoId + "' have length "
                    + probabilities.length + ", expected K = " + numClasses);
        }
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("Evaluator label of video '" + videoId + "' must be in [0, "
                    + numClasses + "), found " + label);
        }
        Accumulator a = videos.computeIfAbsent(videoId, id -> new Accumulator(label));
        if (a.label != label) {
            throw new IllegalArgumentException("Evaluator video '" + videoId + "' has views with labels " + a.label
                    + " and " + label);
        }
        float[] row = new float[numClasses];
        for (int c = 0; c < numClasses; c++) {
            row[c] = (float) probabilities[c];
        }
        a.views.add(row);
    }

    /**
     * @param labels class names (index order), or null for indices
     * @return the metrics over all videos added so far
     */
    public EvaluationResult result(List<String> labels) {
        if (videos.isEmpty()) {
            throw new IllegalStateException("Evaluator has no videos: nothing was added");
        }
        List<String> names = labels;
        if (names == null) {
            names = new ArrayList<>();
            for (int c = 0; c < numClasses; c++) {
                names.add(Integer.toString(c));
            }
        } else if (names.size() != numClasses) {
            throw new IllegalArgumentException("Evaluator got " + names.size() + " labels for K = " + numClasses);
        }
        long[][] confusion = new long[numClasses][numClasses];
        List<VideoPrediction> predictions = new ArrayList<>();
        int hit1 = 0;
        int hit5 = 0;
        for (Map.Entry<String, Accumulator> e : videos.entrySet()) {
            Accumulator a = e.getValue();
            double[] probs = averaging.probabilities(averaging.average(a.views.toArray(new float[0][])));
            List<Double> mean = java.util.Arrays.stream(probs).boxed().toList();
            VideoPrediction p = new VideoPrediction(e.getKey(), a.label, 0, a.views.size(), mean);
            int[] top = p.topK(5);
            p = new VideoPrediction(e.getKey(), a.label, top[0], a.views.size(), mean);
            predictions.add(p);
            confusion[a.label][top[0]]++;
            hit1 += top[0] == a.label ? 1 : 0;
            for (int c : top) {
                hit5 += c == a.label ? 1 : 0;
            }
        }
        double classSum = 0;
        int classes = 0;
        for (int c = 0; c < numClasses; c++) {
            long total = 0;
            for (long n : confusion[c]) {
                total += n;
            }
            if (total > 0) {
                classSum += confusion[c][c] / (double) total;
                classes++;
            }
        }
        int n = videos.size();
        return new EvaluationResult(n, hit1 / (double) n, hit5 / (double) n, classSum / classes, confusion, names,
                predictions);
    }

    /**
     * Runs a network over an iterator in inference mode and evaluates it. A {@link DataSet} holds
     * features {@code [N·V·T, 3, H, W]} and labels {@code [N, K]}: when the network returns V·N score
     * rows, each label row owns V consecutive rows (V views of one video in the batch). Across batches, a
     * row's video is its example metadata ({@link DataSet#getExampleMetaData()}, as text, one per label
     * row) when the iterator provides it; otherwise every {@code viewsPerVideo} consecutive label rows
     * form one video.
     * Network outputs are turned into probabilities with a softmax unless the output layer already
     * applies one.
     *
     * @param graph trained network
     * @param iterator evaluation data (reset first when supported)
     * @param viewsPerVideo consecutive views per video when there is no metadata, at least 1
     * @param labels class names or null
     * @return the metrics
     */
    public static EvaluationResult evaluate(ComputationGraph graph, DataSetIterator iterator, int viewsPerVideo,
            List<String> labels) {
        return evaluate(graph, iterator, viewsPerVideo, labels,
                NativeMemoryBudget.of(io.github.tsm4j.core.ExecutionOptions.defaults()));
    }

    /**
     * As {@link #evaluate(ComputationGraph, DataSetIterator, int, List)}, releasing the native memory of dead
     * arrays by {@code budget} after every batch. Each batch's network output is closed (freed at once) after
     * its scores have been read.
     *
     * @param graph trained network
     * @param iterator evaluation data (reset first when supported)
     * @param viewsPerVideo consecutive views per video when there is no metadata, at least 1
     * @param labels class names or null
     * @param budget native-memory budget checked after every batch
     * @return the metrics
     */
    public static EvaluationResult evaluate(ComputationGraph graph, DataSetIterator iterator, int viewsPerVideo,
            List<String> labels, NativeMemoryBudget budget) {
        // raw scores: the consensus vertex's logits where the graph has one, else log-probabilities (a per-view
        // constant away from the logits: the same averaged ranking and softmax)
        boolean consensus = graph.getConfiguration().getVertices().containsKey(
                io.github.tsm4j.models.TsmNetworks.CONSENSUS);
        boolean probabilities = !consensus && outputIsSoftmax(graph);
        return evaluate(features -> consensus
                ? graph.output(List.of(io.github.tsm4j.models.TsmNetworks.CONSENSUS), false,
                        new INDArray[] {features}, null)[0]
                : graph.outputSingle(false, features), probabilities, iterator, viewsPerVideo, labels, budget);
    }

    /**
     * As {@link #evaluate(ComputationGraph, DataSetIterator, int, List)} through a model: its
     * {@link io.github.tsm4j.models.TsmModel#logits} — for an inference form ({@code model.forInference()}) the bound
     * executor with the in-place shift, the fast path that {@code tsm eval} runs. Same metrics as the graph
     * overload on the model's graph (tested).
     *
     * @param model trained model or its inference form
     * @param iterator evaluation data (reset first when supported)
     * @param viewsPerVideo consecutive views per video when there is no metadata, at least 1
     * @return the metrics, with the model's labels
     */
    public static EvaluationResult evaluate(io.github.tsm4j.models.TsmModel model, DataSetIterator iterator,
            int viewsPerVideo) {
        java.util.Objects.requireNonNull(model, "model");
        return evaluate(model::logits, false, iterator, viewsPerVideo, model.labels(),
                NativeMemoryBudget.of(model.options()));
    }

    private static EvaluationResult evaluate(java.util.function.UnaryOperator<INDArray> scoresOf,
            boolean probabilities, DataSetIterator iterator, int viewsPerVideo, List<String> labels,
            NativeMemoryBudget budget) {
        java.util.Objects.requireNonNull(budget, "budget");
        if (viewsPerVideo < 1) {
            throw new IllegalArgumentException("Evaluator viewsPerVideo must be >= 1, found " + viewsPerVideo);
        }
        if (iterator.resetSupported()) {
            iterator.reset();
        }
        Evaluator evaluator = null;
        long example = 0;
        while (iterator.hasNext()) {
            DataSet ds = iterator.next();
            INDArray out = scoresOf.apply(ds.getFeatures());
            INDArray y = ds.getLabels();
            if (evaluator == null) {
                evaluator = new Evaluator((int) y.size(1));
            }
            List<Serializable> meta = ds.getExampleMetaData();
            // the output is detached from the inference workspace: free it now rather than when the GC finds it
            INDArray asDouble = out.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            double[][] scores = asDouble.toDoubleMatrix();
            if (asDouble != out) {
                asDouble.close();
            }
            out.close();
            INDArray argMax = y.argMax(1);
            int[] truth = argMax.toIntVector();
            argMax.close();
            budget.afterStep();
            if (scores.length % truth.length != 0) {
                throw new IllegalArgumentException("Evaluator: network gave " + scores.length + " score rows for "
                        + truth.length + " label rows; expected a multiple (views per video)");
            }
            int inBatchViews = scores.length / truth.length;
            for (int i = 0; i < scores.length; i++) {
                int row = i / inBatchViews;
                double[] p = probabilities ? log(scores[i]) : scores[i];
                String id;
                if (meta != null && meta.size() == truth.length && meta.get(row) != null) {
                    id = String.valueOf(meta.get(row));
                } else {
                    id = Long.toString((example + row) / viewsPerVideo);
                }
                evaluator.add(id, truth[row], p);
            }
            example += truth.length;
        }
        if (evaluator == null) {
            throw new IllegalArgumentException("Evaluator: the iterator delivered no examples");
        }
        return evaluator.result(labels);
    }

    /**
     * @param graph a network
     * @return true when its (first) output layer applies a softmax, so outputs are already probabilities
     */
    public static boolean outputIsSoftmax(ComputationGraph graph) {
        String out = graph.getConfiguration().getNetworkOutputs().get(0);
        if (graph.getConfiguration().getVertices().get(out) instanceof LayerVertex lv) {
            org.deeplearning4j.nn.conf.layers.Layer l = lv.getLayerConf().getLayer();
            if (l instanceof BaseOutputLayer o) {
                return o.getActivationFn() instanceof ActivationSoftmax;
            }
            if (l instanceof LossLayer o) {
                return o.getActivationFn() instanceof ActivationSoftmax;
            }
            if (l instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a) {
                return a.getActivationFn() instanceof ActivationSoftmax;
            }
        }
        return false;
    }

    private static double[] log(double[] probabilities) {
        double[] l = new double[probabilities.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = Math.log(Math.max(probabilities[i], Double.MIN_NORMAL));
        }
        return l;
    }

    /**
     * Numerically stable softmax of one score vector.
     *
     * @param logits scores of K classes
     * @return probabilities, summing to 1
     */
    public static double[] softmax(double[] logits) {
        return ScoreAveraging.softmax(logits);
    }
}
