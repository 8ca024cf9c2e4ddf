package io.github.tsm4j.core;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One way of executing a {@link ShiftPlan}: {@code dst} ← the plan applied to {@code src}. Arrays are rank 4 of
 * the same shape and data type, {@code [N·T, C, H, W]} or {@code [N·T, H, W, C]}, and do not overlap; shapes and
 * settings have been validated by {@link TemporalShift}. Every kernel gives bit-identical results to
 * {@link ReferenceShiftKernel} (tested).
 */
interface ShiftKernel {

    /**
     * Runs the plan.
     *
     * @param plan what moves where
     * @param src input (forward) or output gradient (backward)
     * @param dst output, overwritten entirely
     * @param format where the channel axis is
     * @param threads 1 = the calling thread; n &gt; 1 = up to n threads; kernels that cannot split ignore it
     */
    void run(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format, int threads);
}
