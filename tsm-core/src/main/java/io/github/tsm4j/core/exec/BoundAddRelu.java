package io.github.tsm4j.core.exec;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import io.github.tsm4j.core.conv.OneDnn;
import io.github.tsm4j.core.conv.OneDnnCall;
import java.util.Arrays;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code out = max(a + b, 0)} in one pass: a residual block's addition and the ReLU after it as one oneDNN binary
 * primitive with an eltwise post-op, bound once to three arrays and run on oneDNN's OpenMP threads. libnd4j's
 * {@code add} followed by {@code relu} reads and writes the activation twice (five passes over its bytes); this
 * reads {@code a} and {@code b} and writes {@code out} once (three). The float32 sum and the ReLU are the same
 * IEEE operations, so the result is bit-identical to the two ops.
 *
 * <p>Arrays: float32, host memory, dense c-order, all three of the same shape (any rank up to 5, e.g.
 * {@code [N·T, H, W, C]}); {@code out} may be {@code a} or {@code b} (in place). See {@link #supports}. Not
 * thread-safe: one caller at a time.
 */
public final class BoundAddRelu implements AutoCloseable {

    private final OneDnnCall call;
    private final memory[] memories;
    private final long[] shape;

    private BoundAddRelu(long[] dims, Pointer a, Pointer b, Pointer out) {
        shape = dims.clone();
        memory.desc desc = new memory.desc(dims, memory.data_type.f32, Nd4j.getStrides(dims, 'c'));
        post_ops ops = new post_ops();
        ops.append_eltwise(1f, algorithm.eltwise_relu, 0f, 0f);
        primitive_attr attr = OneDnn.userScratchpad();
        attr.set_post_ops(ops);
        binary.primitive_desc pd = new binary.primitive_desc(new binary.desc(algorithm.binary_add, desc, desc, desc),
                attr, OneDnn.engine());
        memories = new memory[] {
            new memory(desc, OneDnn.engine(), a),
            new memory(desc, OneDnn.engine(), b),
            new memory(desc, OneDnn.engine(), out)};
        IntMemoryMap args = new IntMemoryMap();
        args.put(DNNL_ARG_SRC_0, memories[0]);
        args.put(DNNL_ARG_SRC_1, memories[1]);
        args.put(DNNL_ARG_DST, memories[2]);
        call = new OneDnnCall(new binary(pd), args, pd.scratchpad_desc());
    }

    /**
     * Whether {@link #of} takes these arrays: oneDNN's natives load, and all are float32 dense c-order host arrays
     * of one shape, rank 1 to 5.
     *
     * @param a first summand
     * @param b second summand
     * @param out result
     * @return true if the fused form can run on them
     */
    public static boolean supports(INDArray a, INDArray b, INDArray out) {
        return a.rank() >= 1 && a.rank() <= 5 && Arrays.equals(b.shape(), a.shape())
                && Arrays.equals(out.shape(), a.shape()) && OneDnn.suits(a, b, out) && OneDnn.available();
    }

    /**
     * Binds the fused addition and ReLU.
     *
     * @param a first summand
     * @param b second summand
     * @param out result, may be {@code a} or {@code b}
     * @return the bound operation
     * @throws IllegalArgumentException naming the arrays if {@link #supports} is false
     */
    public static BoundAddRelu of(INDArray a, INDArray b, INDArray out) {
        if (!supports(a, b, out)) {
            throw new IllegalArgumentException("BoundAddRelu needs three dense c-order float32 host arrays of one "
                    + "shape (rank 1 to 5) and oneDNN's natives, found " + describe(a) + ", " + describe(b) + " -> "
                    + describe(out) + (OneDnn.available() ? "" : " (oneDNN not loadable)"));
        }
        return new BoundAddRelu(a.shape(), OneDnn.handle(a), OneDnn.handle(b), OneDnn.handle(out));
    }

    /**
     * The fused addition and ReLU for one shape, bound to no arrays yet: each call names its three arrays
     * ({@link #run(INDArray, INDArray, INDArray)}), as a training step, whose arrays move between steps, needs.
     *
     * @param shape the arrays' shape, rank 1 to 5
     * @return the primitive for that shape
     * @throws IllegalArgumentException if the rank is not 1 to 5 or oneDNN's natives do not load
     */
    public static BoundAddRelu forShape(long[] shape) {
        if (shape.length < 1 || shape.length > 5 || !OneDnn.available()) {
            throw new IllegalArgumentException("BoundAddRelu needs a shape of rank 1 to 5 and oneDNN's natives, found "
                    + Arrays.toString(shape) + (OneDnn.available() ? "" : " (oneDNN not loadable)"));
        }
        return new BoundAddRelu(shape, new Pointer(), new Pointer(), new Pointer());
    }

    private static String describe(INDArray x) {
        return x.dataType() + Arrays.toString(x.shape()) + " strides " + Arrays.toString(x.stride()) + " order "
                + x.ordering();
    }

    /**
     * {@code out = max(a + b, 0)} on three arrays of the bound shape (the primitive is kept, the data pointers
     * change).
     *
     * @param a first summand
     * @param b second summand
     * @param out result, may be {@code a} or {@code b}
     * @throws IllegalArgumentException if the arrays are not dense float32 host arrays of the bound shape
     */
    public void run(INDArray a, INDArray b, INDArray out) {
        if (!Arrays.equals(a.shape(), shape) || !supports(a, b, out)) {
            throw new IllegalArgumentException("BoundAddRelu bound to float32" + Arrays.toString(shape)
                    + " cannot run on " + describe(a) + ", " + describe(b) + " -> " + describe(out));
        }
        memories[0].set_data_handle(OneDnn.handle(a));
        memories[1].set_data_handle(OneDnn.handle(b));
        memories[2].set_data_handle(OneDnn.handle(out));
        run();
    }

    /** {@code out = max(a + b, 0)}. */
    public void run() {
        stream s = OneDnn.stream();
        call.run(s);
        s._wait();
    }

    @Override
    public void close() {
        for (memory m : memories) {
            m.close();
        }
    }
}
