package io.github.tsm4j.core;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * A layer's regularisation score as DL4J's {@code BaseLayer.calcRegularizationScore} defines it — the sum over its
 * parameters and their regularisations of each one's score, for L2 and weight decay {@code 0.5·c·Σx²} — with
 * {@code Σx²} from {@link HostVectors#sumOfSquares} instead of one ND4J {@code norm2} op per parameter. DL4J
 * computes the score in every training step (and the {@code Trainer} once more, to report the data loss), two
 * dozen ops per step for a ResNet-18. The value is DL4J's up to rounding ({@code Σx²} accumulated in double rather
 * than libnd4j's float {@code norm2}, squared); it is reported, never differentiated, so training is unchanged.
 */
public final class RegularizationScore {

    private RegularizationScore() {
    }

    /**
     * @param params the layer's parameters by name (its {@code paramTable()})
     * @param conf the layer's configuration (its regularisation by parameter)
     * @param iteration the network's iteration count (for coefficient schedules)
     * @param epoch the network's epoch count
     * @return Σ over parameters and regularisations of their scores
     */
    public static double of(Map<String, INDArray> params, BaseLayer conf, int iteration, int epoch) {
        double sum = 0;
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            List<Regularization> regs = conf.getRegularizationByParam(e.getKey());
            if (regs == null || regs.isEmpty()) {
                continue;
            }
            double squares = Double.NaN;
            for (Regularization r : regs) {
                if (r instanceof L2Regularization l2) {
                    squares = Double.isNaN(squares) ? HostVectors.sumOfSquares(e.getValue()) : squares;
                    sum += l2.getL2().valueAt(iteration, epoch) * 0.5 * squares;
                } else if (r instanceof WeightDecay w) {
                    squares = Double.isNaN(squares) ? HostVectors.sumOfSquares(e.getValue()) : squares;
                    sum += w.getCoeff().valueAt(iteration, epoch) * 0.5 * squares;
                } else {
                    sum += r.score(e.getValue(), iteration, epoch);
                }
            }
        }
        return sum;
    }
}
