package io.github.tsm4j.core;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The engine of {@link InPlaceShift} for {@link TemporalShift.Kernel#ONEDNN}: three bound {@link OneDnnShift}s
 * (oneDNN reorders on oneDNN's OpenMP threads) around a compact side buffer S that holds the channels the plan
 * moves, {@code [lo, hi)}, of every frame:
 *
 * <pre>
 *   apply:  S ← x[..., lo:hi]             (save: one strided copy)
 *           x[..., lo:hi] ← shift(S)      (the plan's moves restricted to [lo, hi), zeros at the clip ends)
 *   undo:   x[..., lo:hi] ← S             (restore: one strided copy)
 * </pre>
 *
 * Three passes over the moved channels (a quarter of the activation with the paper's fold) where the host engine
 * makes two, but each runs on every OpenMP thread the convolutions use — a parallel reorder cannot shift frames in
 * place (frame t is read while frame t−1 is written), hence the copy — and the host engine's second thread would
 * compete with those threads' spinning. Measured on the 2-vCPU EPYC (2 threads, [8, 56, 56, 256] NHWC, apply +
 * undo): 0.82 ms against 1.94 ms on the calling thread (docs/shift.md).
 *
 * <p>Layouts as {@link InPlaceShift}: {@code [N·T, C, H, W]} or {@code [N·T, H, W, C]}, float32, host memory.
 */
final class OneDnnInPlaceShift implements AutoCloseable {

    private final INDArray side;
    private final OneDnnShift save;
    private final OneDnnShift shift;
    private final OneDnnShift restore;

    private OneDnnInPlaceShift(INDArray x, ShiftPlan plan, CNN2DFormat format, long lo, long hi) {
        long width = hi - lo;
        List<ShiftPlan.Move> moves = new ArrayList<>();
        for (ShiftPlan.Move m : plan.moves()) {
            if (m.from() >= lo && m.to() <= hi) {
                moves.add(new ShiftPlan.Move(m.from() - lo, m.to() - lo, m.step()));
            }
        }
        INDArrayIndex channels = NDArrayIndex.interval(lo, hi);
        INDArray view = format == CNN2DFormat.NHWC
                ? x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), channels)
                : x.get(NDArrayIndex.all(), channels, NDArrayIndex.all(), NDArrayIndex.all());
        this.side = Nd4j.createUninitializedDetached(DataType.FLOAT, view.shape());
        ShiftPlan copy = new ShiftPlan(plan.segments(), width, 0, List.of(new ShiftPlan.Move(0, width, 0)));
        ShiftPlan moved = new ShiftPlan(plan.segments(), width, plan.fold(), moves);
        this.save = OneDnnShift.bind(copy, view, side, format);
        this.shift = OneDnnShift.bind(moved, side, view, format);
        this.restore = OneDnnShift.bind(copy, side, view, format);
    }

    /**
     * Binds the engine, or returns null when the plan moves nothing or x is not a float32 array oneDNN takes.
     *
     * @param x the block input, contiguous c-order (checked by {@link InPlaceShift})
     * @param plan the shift
     * @param format x's layout
     * @return the engine or null
     */
    static OneDnnInPlaceShift bind(INDArray x, ShiftPlan plan, CNN2DFormat format) {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (ShiftPlan.Move m : plan.moves()) {
            if (m.step() != 0) {
                lo = Math.min(lo, m.from());
                hi = Math.max(hi, m.to());
            }
        }
        if (lo >= hi || !OneDnnShift.supports(x, x)) {
            return null;
        }
        return new OneDnnInPlaceShift(x, plan, format, lo, hi);
    }

    /** @return elements of the side buffer */
    long sideElements() {
        return side.length();
    }

    /** x ← shift(x). */
    void apply() {
        save.run();
        shift.run();
    }

    /** x ← x as before the last {@link #apply()}. */
    void undo() {
        restore.run();
    }

    @Override
    public void close() {
        save.close();
        shift.close();
        restore.close();
        side.close();
    }
}
