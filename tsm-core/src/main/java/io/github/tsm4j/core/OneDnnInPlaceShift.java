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

    private final INDArray view;
    private final long[] sideShape;
    private final ShiftPlan copy;
    private final ShiftPlan moved;
    private final CNN2DFormat format;
    /** The shared side buffer, or null for one of its own. */
    private final ShiftSideBuffer shared;
    private long boundGeneration = -1;
    private INDArray side;
    private OneDnnShift save;
    private OneDnnShift shift;
    private OneDnnShift restore;

    private OneDnnInPlaceShift(INDArray x, ShiftPlan plan, CNN2DFormat format, long lo, long hi,
            ShiftSideBuffer shared) {
        long width = hi - lo;
        List<ShiftPlan.Move> moves = new ArrayList<>();
        for (ShiftPlan.Move m : plan.moves()) {
            if (m.from() >= lo && m.to() <= hi) {
                moves.add(new ShiftPlan.Move(m.from() - lo, m.to() - lo, m.step()));
            }
        }
        INDArrayIndex channels = NDArrayIndex.interval(lo, hi);
        this.view = format == CNN2DFormat.NHWC
                ? x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), channels)
                : x.get(NDArrayIndex.all(), channels, NDArrayIndex.all(), NDArrayIndex.all());
        this.sideShape = view.shape();
        this.format = format;
        this.shared = shared;
        this.copy = new ShiftPlan(plan.segments(), width, 0, List.of(new ShiftPlan.Move(0, width, 0)));
        this.moved = new ShiftPlan(plan.segments(), width, plan.fold(), moves);
        if (shared == null) {
            bindTo(Nd4j.createUninitializedDetached(DataType.FLOAT, sideShape));
        } else {
            shared.reserve(view.length());
        }
    }

    /** Binds the three reorders to a side buffer, or points them at it when they exist. */
    private void bindTo(INDArray s) {
        side = s;
        if (save == null) {
            save = OneDnnShift.bind(copy, view, s, format);
            shift = OneDnnShift.bind(moved, s, view, format);
            restore = OneDnnShift.bind(copy, s, view, format);
        } else {
            save.point(view, s);
            shift.point(s, view);
            restore.point(s, view);
        }
    }

    /** With a shared buffer: (re)binds to it when it was (re)allocated since the last call. */
    private void bound() {
        if (shared != null && shared.generation() != boundGeneration) {
            INDArray s = shared.view(sideShape);
            boundGeneration = shared.generation();
            bindTo(s);
        }
    }

    /**
     * Binds the engine, or returns null when the plan moves nothing or x is not a float32 array oneDNN takes.
     *
     * @param x the block input, contiguous c-order (checked by {@link InPlaceShift})
     * @param plan the shift
     * @param format x's layout
     * @param shared the side buffer to share, or null for one of its own
     * @return the engine or null
     */
    static OneDnnInPlaceShift bind(INDArray x, ShiftPlan plan, CNN2DFormat format, ShiftSideBuffer shared) {
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
        return new OneDnnInPlaceShift(x, plan, format, lo, hi, shared);
    }

    /** @return elements of the side buffer */
    long sideElements() {
        return view.length();
    }

    /** x ← shift(x). */
    void apply() {
        bound();
        save.run();
        shift.run();
    }

    /** x ← x as before the last {@link #apply()}. */
    void undo() {
        bound();
        restore.run();
    }

    @Override
    public void close() {
        if (save != null) {
            save.close();
            shift.close();
            restore.close();
        }
        if (shared == null && side != null) {
            side.close();
        }
    }
}
