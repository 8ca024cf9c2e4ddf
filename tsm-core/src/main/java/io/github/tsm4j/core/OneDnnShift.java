package io.github.tsm4j.core;

import io.github.tsm4j.core.conv.OneDnn;
import io.github.tsm4j.core.conv.OneDnnCall;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link ShiftPlan} bound to oneDNN reorders ({@link TemporalShift.Kernel#ONEDNN}): both arrays are viewed as clips
 * {@code [N, T, d1, d2, d3]} with their own strides, and every {@link ShiftPlan.Move} is one reorder (a strided
 * copy) from frames {@code [lo + step, hi + step)} of the source to frames {@code [lo, hi)} of the destination,
 * channels {@code [from, to)} of every clip, plus one reorder from a zero buffer into the frames without a source.
 * oneDNN runs the reorders with its JIT copy kernels on its OpenMP threads — the threads its convolutions use, so
 * inside a network the shift does not compete with their spinning workers: as fast as a multi-threaded
 * {@code memcpy} of the same bytes when the caches are cold, as in a training step (docs/shift.md).
 *
 * <p>Arrays: {@code [N·T, C, H, W]} (NCHW) or {@code [N·T, H, W, C]} (NHWC), float32, host memory, positive
 * strides (views allowed), not overlapping; see {@link #supports}. Bit-identical to the
 * {@link TemporalShift.Kernel#REFERENCE} definition (a copy moves bits). Not thread-safe: one caller at a time.
 *
 * <pre>{@code
 * ShiftPlan plan = ShiftPlan.of(ShiftDirection.BIDIRECTIONAL, false, 256, 8, 8);
 * try (OneDnnShift shift = OneDnnShift.bind(plan, x, y, CNN2DFormat.NHWC)) {   // x, y: [8, 56, 56, 256]
 *     shift.run();                                                            // y = shift(x), as often as needed
 * }
 * }</pre>
 */
public final class OneDnnShift implements AutoCloseable {

    private final List<OneDnnCall> calls = new ArrayList<>();
    /** Per reorder side: the memory, which array it views (0 = source, 1 = destination) and the byte offset. */
    private final List<memory> memories = new ArrayList<>();
    private final List<long[]> bindings = new ArrayList<>();
    private final FloatPointer zeros;

    private OneDnnShift(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format) {
        int segments = plan.segments();
        long clips = src.size(0) / segments;
        int channelAxis = format == CNN2DFormat.NCHW ? 1 : 3;
        long zeroElements = 0;
        List<Runnable> zeroBinds = new ArrayList<>();
        for (ShiftPlan.Move m : plan.moves()) {
            int step = m.step();
            int lo = Math.max(0, -step);
            int hi = Math.min(segments, segments - step);
            if (lo < hi) {
                memory from = view(src, clips, segments, lo + step, hi + step, channelAxis, m, 0);
                memory to = view(dst, clips, segments, lo, hi, channelAxis, m, 1);
                calls.add(OneDnnCall.reorder(from, to));
            }
            for (int[] frames : new int[][] {{0, Math.min(lo, segments)}, {Math.max(hi, lo), segments}}) {
                if (frames[0] < frames[1]) {
                    long[] dims = clipDims(dst, clips, frames[1] - frames[0], channelAxis, m);
                    zeroElements = Math.max(zeroElements, product(dims));
                    memory to = view(dst, clips, segments, frames[0], frames[1], channelAxis, m, 1);
                    zeroBinds.add(() -> calls.add(OneDnnCall.reorder(denseZeros(dims), to)));
                }
            }
        }
        this.zeros = zeroElements == 0 ? null : new FloatPointer(zeroElements);
        if (zeros != null) {
            Pointer.memset(zeros, 0, zeroElements * Float.BYTES);
        }
        zeroBinds.forEach(Runnable::run);
        point(src, dst);
    }

    /**
     * Whether {@link #bind} takes these arrays: oneDNN's natives load, both float32 rank-4 host arrays with positive
     * strides (a dimension of size 1 may have any stride).
     *
     * @param src the source
     * @param dst the destination
     * @return true if the oneDNN kernel can run on them
     */
    public static boolean supports(INDArray src, INDArray dst) {
        return suits(src) && suits(dst) && OneDnn.available();
    }

    private static boolean suits(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.rank() != 4 || !HostMemory.hostArray(a)) {
            return false;
        }
        for (int d = 0; d < 4; d++) {
            if (a.size(d) > 1 && a.stride(d) <= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Binds a plan to two arrays; the reorders are created here, once.
     *
     * @param plan the shift (or its adjoint) to run
     * @param src {@code [N·T, C, H, W]} or {@code [N·T, H, W, C]}, {@link #supports}
     * @param dst same shape, overwritten entirely by {@link #run}; must not overlap {@code src}
     * @param format where the channel axis is
     * @return the bound shift
     * @throws IllegalArgumentException if the arrays do not qualify or do not fit the plan
     */
    public static OneDnnShift bind(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format) {
        if (!suits(src) || !suits(dst)) {
            throw new IllegalArgumentException("OneDnnShift needs float32 rank-4 host arrays with positive strides, "
                    + "found " + src.dataType() + " " + src.shapeInfoToString().replace('\n', ' ') + " and "
                    + dst.dataType() + " " + dst.shapeInfoToString().replace('\n', ' '));
        }
        if (!java.util.Arrays.equals(src.shape(), dst.shape()) || src.size(0) % plan.segments() != 0
                || TemporalShift.channels(src, format) != plan.channels()) {
            throw new IllegalArgumentException("OneDnnShift: arrays of shape " + java.util.Arrays.toString(src.shape())
                    + " and " + java.util.Arrays.toString(dst.shape()) + " do not fit a plan of "
                    + plan.channels() + " channels and " + plan.segments() + " frames per clip (" + format + ")");
        }
        return new OneDnnShift(plan, src, dst, format);
    }

    /** Runs the shift on the calling thread's oneDNN stream (its OpenMP threads). */
    public void run() {
        stream s = OneDnn.stream();
        for (OneDnnCall c : calls) {
            c.run(s);
        }
        s._wait();
    }

    /**
     * Points the bound reorders at other arrays of the same shape and strides (the kernel's per-call use).
     *
     * @param src the new source
     * @param dst the new destination
     */
    void point(INDArray src, INDArray dst) {
        long[] base = {HostMemory.address(src), HostMemory.address(dst)};
        for (int i = 0; i < memories.size(); i++) {
            long[] b = bindings.get(i);
            memories.get(i).set_data_handle(HostMemory.pointer(base[(int) b[0]] + b[1], 0));
        }
    }

    @Override
    public void close() {
        if (zeros != null) {
            zeros.close();
        }
    }

    /** Frames {@code [t0, t1)} of every clip, channels of {@code m}, as a 5-D strided memory of {@code a}. */
    private memory view(INDArray a, long clips, int segments, int t0, int t1, int channelAxis, ShiftPlan.Move m,
            int which) {
        long[] dims = clipDims(a, clips, t1 - t0, channelAxis, m);
        long[] st = a.stride();
        long[] strides = {segments * st[0], st[0], st[1], st[2], st[3]};
        long offset = (t0 * st[0] + m.from() * st[channelAxis]) * Float.BYTES;
        memory mem = new memory(new memory.desc(dims, memory.data_type.f32, strides), OneDnn.engine(), new Pointer());
        memories.add(mem);
        bindings.add(new long[] {which, offset});
        return mem;
    }

    private memory denseZeros(long[] dims) {
        long[] strides = new long[dims.length];
        long s = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= dims[d];
        }
        return new memory(new memory.desc(dims, memory.data_type.f32, strides), OneDnn.engine(), zeros);
    }

    private static long[] clipDims(INDArray a, long clips, int frames, int channelAxis, ShiftPlan.Move m) {
        long[] dims = {clips, frames, a.size(1), a.size(2), a.size(3)};
        dims[channelAxis + 1] = m.width();
        return dims;
    }

    private static long product(long[] dims) {
        long p = 1;
        for (long d : dims) {
            p *= d;
        }
        return p;
    }
}
