package io.github.tsm4j.core.layers.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/** Element-wise maximum over a few equally shaped views, and its gradient (first maximum wins). */
final class MaxRouting {

    private MaxRouting() {
    }

    /** out = element-wise max of the candidates (in any order; NaN handling as libnd4j's "maximum"). */
    static void max(INDArray[] candidates, INDArray out) {
        out.assign(candidates[0]);
        for (int i = 1; i < candidates.length; i++) {
            Nd4j.exec(new Max(out, candidates[i], out));
        }
    }

    /**
     * targets[i] += grad where candidates[i] is the first (in array order) of the candidates equal to
     * max; the other targets receive nothing there. Allocates three temporaries of grad's shape in the
     * current workspace.
     */
    static void route(INDArray[] candidates, INDArray max, INDArray grad, INDArray[] targets) {
        INDArray taken = Nd4j.zeros(grad.dataType(), grad.shape());
        for (int i = 0; i < candidates.length; i++) {
            INDArray hit = candidates[i].eq(max).castTo(grad.dataType());
            hit.muli(taken.rsub(1.0));
            taken.addi(hit);
            targets[i].addi(hit.muli(grad));
        }
    }

    /** a itself when it is c-ordered with default strides, else a c-ordered copy (a temporary). */
    static INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) && !a.isView() ? a : a.dup('c');
    }
}
