package io.github.tsm4j.core.norm;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;

import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.OneDnn;
import io.github.tsm4j.core.conv.OneDnnCall;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward pass of a ReLU or ReLU6 from its output as one oneDNN primitive per input shape
 * ({@code eltwise_relu_use_dst_for_bwd}, {@code eltwise_clip_v2_use_dst_for_bwd} with bounds 0 and 6):
 * {@code gradIn = gradOut} where the output lies strictly inside the activation's linear range, else 0 — one pass
 * over output, gradient and result, where {@link BatchNormOps#activationBackward} makes two. Arrays: float32, dense
 * row-major, any rank and shape (the same for all three). Not thread-safe.
 */
final class OneDnnActivation {

    private static final int MAX_PLANS = 4;

    private final ConvActivation activation;
    private final OneDnn.Plans<Plan> plans = new OneDnn.Plans<>(MAX_PLANS, Plan::new);

    /** @param activation RELU or RELU6 */
    OneDnnActivation(ConvActivation activation) {
        if (activation == ConvActivation.IDENTITY) {
            throw new IllegalArgumentException("OneDnnActivation: RELU or RELU6, found IDENTITY");
        }
        this.activation = activation;
    }

    /**
     * @param out the activation's output
     * @param gradOut gradient of the output
     * @param gradIn receives the gradient of the input
     */
    void backward(INDArray out, INDArray gradOut, INDArray gradIn) {
        Plan p = plans.get(out.shape());
        p.dst.set_data_handle(OneDnn.handle(out));
        p.diffDst.set_data_handle(OneDnn.handle(gradOut));
        p.diffSrc.set_data_handle(OneDnn.handle(gradIn));
        stream s = OneDnn.stream();
        p.call.run(s);
        s._wait();
    }

    private final class Plan {
        private final memory dst;
        private final memory diffDst;
        private final memory diffSrc;
        private final OneDnnCall call;

        Plan(long[] shape) {
            long[] strides = new long[shape.length];
            long stride = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                strides[d] = stride;
                stride *= shape[d];
            }
            memory.desc data = new memory.desc(shape, memory.data_type.f32, strides);
            boolean relu = activation == ConvActivation.RELU;
            algorithm alg = relu ? algorithm.eltwise_relu_use_dst_for_bwd : algorithm.eltwise_clip_v2_use_dst_for_bwd;
            float beta = relu ? 0f : 6f;
            eltwise_forward.primitive_desc hint = new eltwise_forward.primitive_desc(
                    new eltwise_forward.desc(prop_kind.forward_training, alg, data, 0f, beta), OneDnn.engine());
            eltwise_backward.primitive_desc pd = new eltwise_backward.primitive_desc(
                    new eltwise_backward.desc(alg, data, data, 0f, beta), OneDnn.userScratchpad(), OneDnn.engine(),
                    hint);
            dst = new memory(data, OneDnn.engine(), new Pointer());
            diffDst = new memory(data, OneDnn.engine(), new Pointer());
            diffSrc = new memory(data, OneDnn.engine(), new Pointer());
            IntMemoryMap args = new IntMemoryMap();
            args.put(DNNL_ARG_DST, dst);
            args.put(DNNL_ARG_DIFF_DST, diffDst);
            args.put(DNNL_ARG_DIFF_SRC, diffSrc);
            call = new OneDnnCall(new eltwise_backward(pd), args, pd.scratchpad_desc());
        }
    }
}
