package io.github.tsm4j.core.norm;

import io.github.tsm4j.core.conv.ConvActivation;
import java.util.EnumMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Relu6;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.Relu6Derivative;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SquaredDifferenceOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The passes of {@link NativeBatchNormLayer}, each one native op over a contiguous c-order rank-4 array.
 *
 * <p>Per-channel sums run as BLAS matrix-vector products (NHWC: {@code 1ᵀ·X} with X viewed as {@code [N·H·W, C]};
 * NCHW: {@code X·1} over {@code [N·C, H·W]}, then over N). libnd4j's reductions along the non-channel axes
 * ({@code x.mean(0, 1, 2)}, the {@code moments} op, the correction terms inside {@code batchnorm_bp}) walk one
 * strided column per channel and are 10–100× slower on NHWC data. Per-channel affine maps
 * {@code y = s·x + t} run as libnd4j's {@code batchnorm} op with mean 0, variance 1 and eps 0 (oneDNN for float).
 */
final class BatchNormOps {

    /** Shared read-only vectors of ones per data type, grown on demand (detached from every workspace). */
    private static final Map<DataType, INDArray> ONES = new EnumMap<>(DataType.class);
    private static final Map<DataType, INDArray> ZEROS = new EnumMap<>(DataType.class);

    private BatchNormOps() {
    }

    private static synchronized INDArray cached(Map<DataType, INDArray> cache, DataType type, long n, double value) {
        INDArray v = cache.get(type);
        if (v == null || v.length() < n) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                v = Nd4j.valueArrayOf(new long[] {Math.max(n, 4096)}, value, type);
            }
            cache.put(type, v);
        }
        return v.get(NDArrayIndex.interval(0, n));
    }

    /** @return a contiguous row of n ones, {@code [1, n]}; never write to it */
    static INDArray onesRow(DataType type, long n) {
        return cached(ONES, type, n, 1.0).reshape('c', 1, n);
    }

    /** @return n ones {@code [n]}; never write to it */
    static INDArray ones(DataType type, long n) {
        return cached(ONES, type, n, 1.0);
    }

    /** @return n zeros {@code [n]}; never write to it */
    static INDArray zeros(DataType type, long n) {
        return cached(ZEROS, type, n, 0.0);
    }

    /**
     * Per-channel sums over N, H and W.
     *
     * @param x contiguous c-order {@code [N, H, W, C]} (nhwc) or {@code [N, C, H, W]}
     * @param sums output {@code [1, C]}, contiguous
     */
    static void channelSums(INDArray x, boolean nhwc, INDArray sums) {
        DataType t = x.dataType();
        if (nhwc) {
            long c = x.size(3);
            long m = x.length() / c;
            Nd4j.gemm(onesRow(t, m), x.reshape('c', m, c), sums, false, false, 1.0, 0.0);
        } else {
            long n = x.size(0);
            long c = x.size(1);
            long hw = x.size(2) * x.size(3);
            INDArray perImage = Nd4j.createUninitialized(t, new long[] {1, n * c}, 'c');
            Nd4j.gemm(onesRow(t, hw), x.reshape('c', n * c, hw), perImage, false, true, 1.0, 0.0);
            Nd4j.gemm(onesRow(t, n), perImage.reshape('c', n, c), sums, false, false, 1.0, 0.0);
        }
    }

    /** {@code out = (x − mean)²}, mean {@code [C]} broadcast along the channel axis. */
    static void squaredDeviation(INDArray x, INDArray mean, boolean nhwc, INDArray out) {
        long c = mean.length();
        INDArray m = nhwc ? mean.reshape(c) : mean.reshape(1, c, 1, 1);
        Nd4j.exec(new SquaredDifferenceOp(x, m, out));
    }

    /**
     * libnd4j {@code batchnorm}: {@code out = gamma·(x − mean)/√(var + eps) + beta} per channel.
     *
     * @param mean {@code [C]} (as are var, gamma, beta), contiguous
     */
    static void batchnorm(INDArray x, INDArray mean, INDArray var, INDArray gamma, INDArray beta, double eps,
            boolean nhwc, INDArray out) {
        Nd4j.exec(DynamicCustomOp.builder("batchnorm")
                .addInputs(x, mean, var, gamma, beta)
                .addOutputs(out)
                .addIntegerArguments(1, 1, nhwc ? 3 : 1)
                .addFloatingPointArguments(eps)
                .build());
    }

    /** {@code out = scale·x + shift} per channel ({@code out} may be {@code x}). */
    static void affine(INDArray x, INDArray scale, INDArray shift, boolean nhwc, INDArray out) {
        long c = scale.length();
        DataType t = x.dataType();
        batchnorm(x, zeros(t, c), ones(t, c), scale, shift, 0.0, nhwc, out);
    }

    /** Applies the activation to {@code x} in place. */
    static void activateInPlace(ConvActivation activation, INDArray x) {
        switch (activation) {
            case IDENTITY -> {
            }
            case RELU -> Nd4j.exec(new RectifiedLinear(x, x, 0.0));
            case RELU6 -> Nd4j.exec(new Relu6(x, x, 0.0));
        }
    }

    /** {@code out = act(in)} in one pass ({@code out} may be {@code in}). */
    static void activate(ConvActivation activation, INDArray in, INDArray out) {
        switch (activation) {
            case IDENTITY -> out.assign(in);
            case RELU -> Nd4j.exec(new RectifiedLinear(in, out, 0.0));
            case RELU6 -> Nd4j.exec(new Relu6(in, out, 0.0));
        }
    }

    /**
     * Gradient through the activation from its output. For ReLU the mask {@code output > 0} is {@code sign(output)}
     * (outputs are ≥ 0), applied as sign + multiply: two streaming passes, ~3× faster here than libnd4j's branchy
     * {@code RectifiedLinearDerivative}.
     *
     * @param target receives the gradient (must not be {@code gradOut})
     * @return {@code gradOut} for IDENTITY, else {@code target}
     */
    static INDArray activationBackward(ConvActivation activation, INDArray activated, INDArray gradOut,
            INDArray target) {
        return switch (activation) {
            case IDENTITY -> gradOut;
            case RELU -> {
                Nd4j.exec(new Sign(activated, target));
                Nd4j.exec(new MulOp(target, gradOut, target));
                yield target;
            }
            case RELU6 -> {
                Nd4j.exec(new Relu6Derivative(activated, gradOut, target));
                yield target;
            }
        };
    }

    /** {@code a ← a ∘ b} (elementwise, same shape). */
    static void multiply(INDArray a, INDArray b, INDArray out) {
        Nd4j.exec(new MulOp(a, b, out));
    }
}
