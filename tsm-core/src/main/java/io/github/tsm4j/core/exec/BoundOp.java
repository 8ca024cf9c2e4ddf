package io.github.tsm4j.core.exec;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.OpaqueContext;

/**
 * One libnd4j custom op ({@code conv2d}, {@code add}, {@code assign}, …) bound once to its input and output arrays
 * and integer/float/boolean arguments, run any number of times with {@link #run()}.
 *
 * <p>Why: {@code Nd4j.exec(DynamicCustomOp)} builds an op object, an argument context and result lists on every
 * call (Java garbage, a native context) — negligible for one large op, but a per-frame network of ~100 small ops
 * pays it on every frame. A bound op keeps one native context ({@link OpContext}) for its lifetime and calls
 * libnd4j's {@code execCustomOp2} directly: no Java allocation per run, the same native kernels (and oneDNN
 * platform helpers) as {@code Nd4j.exec}, hence bit-identical results.
 *
 * <p>Arrays: any layout and data type the op accepts, views included (strided views are passed with their own
 * shape information and offset). The caller owns the arrays and must keep them alive and unchanged in shape
 * while the op is bound; they should live outside any workspace that could be reset under them (detached
 * arrays). {@link #setInput(int, INDArray)} / {@link #setOutput(int, INDArray)} rebind one slot (e.g. the
 * caller's frame). Not thread-safe: one thread runs a bound op at a time. {@link #close()} frees the context.
 */
public final class BoundOp implements AutoCloseable {

    private static final NativeOps NATIVE = nativeOps();

    private final String opName;
    private final long hash;
    private final OpContext context;
    private final INDArray[] rebound;
    private final INDArray[] reboundOut;
    private boolean closed;

    private BoundOp(String opName, INDArray[] inputs, INDArray[] outputs, long[] iArgs, double[] tArgs,
            boolean[] bArgs) {
        this.opName = opName;
        this.hash = DynamicCustomOp.builder(opName).build().opHash();
        this.context = Nd4j.getExecutioner().buildContext();
        this.rebound = new INDArray[inputs.length];
        this.reboundOut = new INDArray[outputs.length];
        for (int i = 0; i < inputs.length; i++) {
            context.setInputArray(i, Objects.requireNonNull(inputs[i], () -> opName + ": input is null"));
        }
        for (int i = 0; i < outputs.length; i++) {
            context.setOutputArray(i, Objects.requireNonNull(outputs[i], () -> opName + ": output is null"));
        }
        if (iArgs.length > 0) {
            context.setIArguments(iArgs);
        }
        if (tArgs.length > 0) {
            context.setTArguments(tArgs);
        }
        if (bArgs.length > 0) {
            context.setBArguments(bArgs);
        }
    }

    private static NativeOps nativeOps() {
        Nd4j.getExecutioner(); // loads the backend, which NativeOpsHolder needs
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }

    /**
     * Binds {@code opName} to arrays and arguments.
     *
     * @param opName a libnd4j custom op name, e.g. {@code "add"}
     * @param inputs input arrays in the op's order
     * @param outputs output arrays, written by every run
     * @return the bound op
     * @throws IllegalArgumentException if libnd4j has no custom op of that name
     */
    public static BoundOp of(String opName, INDArray[] inputs, INDArray[] outputs) {
        return builder(opName).inputs(inputs).outputs(outputs).build();
    }

    /**
     * @param opName a libnd4j custom op name
     * @return a builder for the op's arrays and arguments
     */
    public static Builder builder(String opName) {
        return new Builder(opName);
    }

    /**
     * Rebinds input {@code index} (same shape rules as the first binding; no check here). A contiguous array
     * that is not a view is passed to the native context by its buffer and shape pointers, which allocates
     * nothing (ND4J's own binding creates a pointer object per call); views take ND4J's binding.
     *
     * @param index input slot
     * @param array the new array
     */
    public void setInput(int index, INDArray array) {
        if (array.isView() || array.isEmpty() || array.data().offset() != 0 || index >= rebound.length) {
            context.setInputArray(index, array);
            return;
        }
        NATIVE.setGraphContextInputArray((OpaqueContext) context.contextPointer(), index, array.data().pointer(),
                array.shapeInfoDataBuffer().pointer(), null, null);
        rebound[index] = array; // keeps the array (and its native buffer) reachable while it is bound
    }

    /**
     * Rebinds output {@code index}; like {@link #setInput}, allocation-free for a contiguous array that is not a
     * view.
     *
     * @param index output slot
     * @param array the new array
     */
    public void setOutput(int index, INDArray array) {
        if (array.isView() || array.isEmpty() || array.data().offset() != 0 || index >= reboundOut.length) {
            context.setOutputArray(index, array);
            return;
        }
        NATIVE.setGraphContextOutputArray((OpaqueContext) context.contextPointer(), index, array.data().pointer(),
                array.shapeInfoDataBuffer().pointer(), null, null);
        reboundOut[index] = array;
    }

    /**
     * Executes the op once on the bound arrays.
     *
     * @throws IllegalStateException if the op is closed or libnd4j reports an error (the message names the op
     *     and libnd4j's status and message)
     */
    public void run() {
        if (closed) {
            throw new IllegalStateException("BoundOp " + opName + " is closed");
        }
        int status = NATIVE.execCustomOp2(null, hash, context.contextPointer());
        if (status != 0) {
            throw new IllegalStateException("libnd4j op " + opName + " failed with status " + status + ": "
                    + NATIVE.lastErrorMessage());
        }
    }

    /** @return the libnd4j op name */
    public String opName() {
        return opName;
    }

    /** Frees the native context; the op cannot run afterwards. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                context.close();
            } catch (Exception e) {
                throw new IllegalStateException("BoundOp " + opName + ": closing the native context failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "BoundOp(" + opName + ")";
    }

    /** Builder of a {@link BoundOp}: arrays and the op's integer, floating-point and boolean arguments. */
    public static final class Builder {
        private final String opName;
        private INDArray[] inputs = new INDArray[0];
        private INDArray[] outputs = new INDArray[0];
        private long[] iArgs = new long[0];
        private double[] tArgs = new double[0];
        private boolean[] bArgs = new boolean[0];

        private Builder(String opName) {
            if (opName == null || opName.isBlank()) {
                throw new IllegalArgumentException("BoundOp: op name must not be blank, found '" + opName + "'");
            }
            this.opName = opName;
        }

        /** @param a input arrays, in the op's order @return this */
        public Builder inputs(INDArray... a) {
            inputs = a.clone();
            return this;
        }

        /** @param a output arrays @return this */
        public Builder outputs(INDArray... a) {
            outputs = a.clone();
            return this;
        }

        /** @param a integer arguments @return this */
        public Builder iArgs(long... a) {
            iArgs = a.clone();
            return this;
        }

        /** @param a integer arguments @return this */
        public Builder iArgs(int... a) {
            iArgs = Arrays.stream(a).asLongStream().toArray();
            return this;
        }

        /** @param a floating-point arguments @return this */
        public Builder tArgs(double... a) {
            tArgs = a.clone();
            return this;
        }

        /** @param a boolean arguments @return this */
        public Builder bArgs(boolean... a) {
            bArgs = a.clone();
            return this;
        }

        /**
         * @return the bound op
         * @throws IllegalArgumentException if libnd4j has no custom op of that name or there is no output
         */
        public BoundOp build() {
            if (Nd4j.getExecutioner().getCustomOperations().get(opName) == null) {
                throw new IllegalArgumentException("BoundOp: libnd4j has no custom op named '" + opName + "'");
            }
            if (outputs.length == 0) {
                throw new IllegalArgumentException("BoundOp " + opName + ": at least one output array is required");
            }
            return new BoundOp(opName, inputs, outputs, iArgs, tArgs, bArgs);
        }
    }
}
