package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Test helpers for comparing two forms of a network: a classifier of unit scale instead of the official
 * N(0, 0.001) initialisation (whose logits are so small that any absolute tolerance is most of the signal),
 * and comparisons whose tolerance is relative to the largest logit.
 */
public final class Classifiers {
    private Classifiers() {}

    /**
     * Sets the {@code fc} layer's weights to N(0, 4 / in) and its bias to N(0, 0.25) draws (seeded), so that the
     * logits spread over units and the class probabilities are distinct but not saturated.
     */
    public static void randomize(ComputationGraph graph, long seed) {
        Nd4j.getRandom().setSeed(seed);
        Layer fc = graph.getLayer(TsmNetworks.FC);
        INDArray w = fc.getParam("W"); // [in, K]
        w.assign(Nd4j.randn(DataType.FLOAT, w.shape()).muli(2 / Math.sqrt(w.size(0))));
        INDArray b = fc.getParam("b");
        b.assign(Nd4j.randn(DataType.FLOAT, b.shape()).muli(0.5));
    }

    /**
     * {@code max |expected - actual| <= relative * max |expected|}, and the largest logit is at least 1 so that
     * the comparison is not made on noise.
     */
    public static void assertCloseRelativeToLargest(INDArray expected, INDArray actual, double relative, String what) {
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what + ": shape");
        double largest = expected.amaxNumber().doubleValue();
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(largest >= 1, what + ": largest |logit| " + largest + " is too small to compare");
        assertTrue(diff <= relative * largest, what + ": max |difference| " + diff + " > " + relative + " x largest |logit| "
                + largest);
    }

    /** The indices of the k largest values, largest first. */
    public static List<Integer> topK(double[] values, int k) {
        return IntStream.range(0, values.length).boxed().sorted((a, b) -> Double.compare(values[b], values[a])).limit(k)
                .toList();
    }
}
