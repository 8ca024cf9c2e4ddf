package io.github.tsm4j.core.norm;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;

import io.github.tsm4j.core.conv.OneDnn;
import io.github.tsm4j.core.conv.OneDnnCall;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.batch_normalization_backward;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.normalization_flags;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One BatchNorm layer's oneDNN primitives, created once per input shape: training forward (batch statistics, an
 * optional fused ReLU whose mask oneDNN keeps in its own workspace), inference forward (running statistics) and the
 * backward pass (input, scale and shift gradients), all on the layer's layout ({@code nhwc}/{@code nchw}, float32,
 * dense) in place of the separate reductions and streaming passes of {@link BatchNormOps}.
 *
 * <p>Per-channel vectors ({@code gamma}, {@code beta}, means, variances and their gradients) are dense float
 * arrays of C values. Not thread-safe; the fused ReLU's workspace belongs to the last training forward pass.
 */
final class OneDnnBatchNorm {

    private static final int MAX_PLANS = 4;

    private final long channels;
    private final boolean nhwc;
    private final float eps;
    private final boolean relu;
    private final OneDnn.Plans<Plan> plans = new OneDnn.Plans<>(MAX_PLANS, Plan::new);

    /**
     * @param relu whether a ReLU follows (fused: the output is rectified, the backward pass masks by it)
     */
    OneDnnBatchNorm(long channels, boolean nhwc, double eps, boolean relu) {
        this.channels = channels;
        this.nhwc = nhwc;
        this.eps = (float) eps;
        this.relu = relu;
    }

    /** {@code out = act(γ·(x − μ_B)/√(σ²_B + eps) + β)}; writes the batch mean and biased variance. */
    void forwardTraining(INDArray x, INDArray gamma, INDArray beta, INDArray out, INDArray mean, INDArray var) {
        Plan p = plans.get(x.shape());
        p.bind(x, gamma, beta, mean, var);
        p.dst.set_data_handle(OneDnn.handle(out));
        stream s = OneDnn.stream();
        p.training().run(s);
        s._wait();
    }

    /** {@code out = act(γ·(x − mean)/√(var + eps) + β)} with the given (running) statistics. */
    void forwardInference(INDArray x, INDArray gamma, INDArray beta, INDArray out, INDArray mean, INDArray var) {
        Plan p = plans.get(x.shape());
        p.bind(x, gamma, beta, mean, var);
        p.dst.set_data_handle(OneDnn.handle(out));
        stream s = OneDnn.stream();
        p.inference().run(s);
        s._wait();
    }

    /**
     * Gradients through the last {@link #forwardTraining} with these statistics: {@code dx}, {@code dγ}, {@code dβ}
     * ({@code beta} is bound because oneDNN's backward primitive lists the shift among its arguments).
     *
     * @param gradOut gradient of the (activated) output
     */
    void backward(INDArray x, INDArray gamma, INDArray beta, INDArray mean, INDArray var, INDArray gradOut,
            INDArray gradIn, INDArray gradGamma, INDArray gradBeta) {
        Plan p = plans.get(x.shape());
        p.bind(x, gamma, beta, mean, var);
        p.diffDst.set_data_handle(OneDnn.handle(gradOut));
        p.diffSrc.set_data_handle(OneDnn.handle(gradIn));
        p.diffScale.set_data_handle(OneDnn.handle(gradGamma));
        p.diffShift.set_data_handle(OneDnn.handle(gradBeta));
        stream s = OneDnn.stream();
        p.backward().run(s);
        s._wait();
    }

    private final class Plan {
        private final engine eng = OneDnn.engine();
        private final memory.desc data;
        private final int flags;
        private final memory src;
        private final memory dst;
        private final memory diffSrc;
        private final memory diffDst;
        private final memory scale;
        private final memory shift;
        private final memory mean;
        private final memory variance;
        private final memory diffScale;
        private final memory diffShift;
        private batch_normalization_forward.primitive_desc trainingDesc;
        private OneDnnCall training;
        private OneDnnCall inference;
        private OneDnnCall backward;
        private memory workspace;

        Plan(long[] shape) {
            long[] dims = nhwc ? new long[] {shape[0], shape[3], shape[1], shape[2]} : shape.clone();
            data = new memory.desc(dims, memory.data_type.f32,
                    nhwc ? memory.format_tag.nhwc : memory.format_tag.nchw);
            flags = normalization_flags.use_scale.value | normalization_flags.use_shift.value
                    | (relu ? normalization_flags.fuse_norm_relu.value : 0);
            memory.desc vector = new memory.desc(new long[] {channels}, memory.data_type.f32, memory.format_tag.x);
            Pointer none = new Pointer();
            src = new memory(data, eng, none);
            dst = new memory(data, eng, none);
            diffSrc = new memory(data, eng, none);
            diffDst = new memory(data, eng, none);
            scale = new memory(vector, eng, none);
            shift = new memory(vector, eng, none);
            mean = new memory(vector, eng, none);
            variance = new memory(vector, eng, none);
            diffScale = new memory(vector, eng, none);
            diffShift = new memory(vector, eng, none);
        }

        void bind(INDArray x, INDArray gamma, INDArray beta, INDArray m, INDArray v) {
            src.set_data_handle(OneDnn.handle(x));
            scale.set_data_handle(OneDnn.handle(gamma));
            shift.set_data_handle(OneDnn.handle(beta));
            mean.set_data_handle(OneDnn.handle(m));
            variance.set_data_handle(OneDnn.handle(v));
        }

        private batch_normalization_forward.primitive_desc trainingDesc() {
            if (trainingDesc == null) {
                trainingDesc = new batch_normalization_forward.primitive_desc(new batch_normalization_forward.desc(
                        prop_kind.forward_training.value, data, eps, flags), OneDnn.userScratchpad(), eng);
            }
            return trainingDesc;
        }

        /** The arguments every primitive of the layer takes: input, scale, shift and the statistics. */
        private IntMemoryMap common() {
            IntMemoryMap args = new IntMemoryMap();
            args.put(DNNL_ARG_SRC, src);
            args.put(DNNL_ARG_SCALE, scale);
            args.put(DNNL_ARG_SHIFT, shift);
            args.put(DNNL_ARG_MEAN, mean);
            args.put(DNNL_ARG_VARIANCE, variance);
            return args;
        }

        OneDnnCall training() {
            if (training == null) {
                IntMemoryMap args = common();
                args.put(DNNL_ARG_DST, dst);
                if (relu) {
                    workspace = new memory(trainingDesc().workspace_desc(), eng);
                    args.put(DNNL_ARG_WORKSPACE, workspace);
                }
                training = new OneDnnCall(new batch_normalization_forward(trainingDesc()), args,
                        trainingDesc().scratchpad_desc());
            }
            return training;
        }

        OneDnnCall inference() {
            if (inference == null) {
                IntMemoryMap args = common();
                args.put(DNNL_ARG_DST, dst);
                batch_normalization_forward.primitive_desc pd = new batch_normalization_forward.primitive_desc(
                        new batch_normalization_forward.desc(prop_kind.forward_inference.value, data, eps,
                                flags | normalization_flags.use_global_stats.value), OneDnn.userScratchpad(), eng);
                inference = new OneDnnCall(new batch_normalization_forward(pd), args, pd.scratchpad_desc());
            }
            return inference;
        }

        OneDnnCall backward() {
            if (backward == null) {
                training(); // the workspace and the hint
                IntMemoryMap args = common();
                args.put(DNNL_ARG_DIFF_DST, diffDst);
                args.put(DNNL_ARG_DIFF_SRC, diffSrc);
                args.put(DNNL_ARG_DIFF_SCALE, diffScale);
                args.put(DNNL_ARG_DIFF_SHIFT, diffShift);
                if (relu) {
                    args.put(DNNL_ARG_WORKSPACE, workspace);
                }
                batch_normalization_backward.primitive_desc pd = new batch_normalization_backward.primitive_desc(
                        new batch_normalization_backward.desc(prop_kind.backward.value, data, data, eps, flags),
                        OneDnn.userScratchpad(), eng, trainingDesc());
                backward = new OneDnnCall(new batch_normalization_backward(pd), args, pd.scratchpad_desc());
            }
            return backward;
        }
    }
}
