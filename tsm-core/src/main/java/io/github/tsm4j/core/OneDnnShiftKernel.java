package io.github.tsm4j.core;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kernel of {@link TemporalShift.Kernel#ONEDNN}: each calling thread keeps the last {@value #KEPT}
 * {@link OneDnnShift}s it bound (one per shape, strides and plan) and points them at each call's arrays, so the
 * reorders are created once per geometry, not per call. {@code threads} is ignored: oneDNN uses its OpenMP threads.
 */
final class OneDnnShiftKernel implements ShiftKernel {

    static final OneDnnShiftKernel INSTANCE = new OneDnnShiftKernel();

    /** Geometries kept per thread. */
    static final int KEPT = 8;

    private final ThreadLocal<LinkedHashMap<List<Long>, OneDnnShift>> bound =
            ThreadLocal.withInitial(() -> new LinkedHashMap<>(16, 0.75f, true));

    private OneDnnShiftKernel() {
    }

    @Override
    public void run(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format, int threads) {
        List<Long> key = key(plan, src, dst, format);
        LinkedHashMap<List<Long>, OneDnnShift> map = bound.get();
        OneDnnShift shift = map.get(key);
        if (shift == null) {
            if (map.size() >= KEPT) {
                Iterator<OneDnnShift> eldest = map.values().iterator();
                eldest.next().close();
                eldest.remove();
            }
            shift = OneDnnShift.bind(plan, src, dst, format);
            map.put(key, shift);
        } else {
            shift.point(src, dst);
        }
        shift.run();
    }

    private static List<Long> key(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format) {
        List<Long> key = new java.util.ArrayList<>(16 + 3 * plan.moves().size());
        for (long v : src.shape()) {
            key.add(v);
        }
        for (long v : src.stride()) {
            key.add(v);
        }
        for (long v : dst.stride()) {
            key.add(v);
        }
        key.add((long) plan.segments());
        key.add((long) format.ordinal());
        for (ShiftPlan.Move m : plan.moves()) {
            key.add(m.from());
            key.add(m.to());
            key.add((long) m.step());
        }
        return key;
    }
}
