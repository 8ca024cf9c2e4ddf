package io.github.tsm4j.core.conv;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One convolution layer's oneDNN primitives, created once per input shape and reused on every call: forward
 * (training and inference), backward data and backward weights (with bias), plus the reorders between the layer's
 * plain weights {@code [C_out, C_in, kH, kW]} and the blocked layouts oneDNN's kernels pick. Activations stay in the
 * layer's layout ({@code nhwc} or {@code nchw}, float32, dense row-major); oneDNN reads and writes the arrays in place.
 *
 * <p>Why: libnd4j's {@code conv2d_bp} creates its oneDNN primitives on every call and asks for blocked activation
 * layouts, so each backward pass reorders the activations and gradients; with the primitives held here and the
 * layer's own layout requested, a 1×1 convolution's backward pass on {@code [16, 56, 56, 256]} takes ~8 ms instead
 * of ~45 ms (2 threads, docs/training.md). Uses oneDNN 2.5 through {@code org.bytedeco:dnnl}; not thread-safe (one
 * network is used by one thread at a time); the per-thread {@link stream} is shared by all layers of that thread.
 */
final class OneDnnConv {

    /** Plans kept per layer (input shapes; training and evaluation batches may differ). */
    private static final int MAX_PLANS = 4;

    private final long[] kernel;
    private final long[] stride;
    private final long[] padding;
    private final boolean nhwc;
    private final long nIn;
    private final long nOut;
    private final boolean hasBias;
    private final OneDnn.Plans<Plan> plans = new OneDnn.Plans<>(MAX_PLANS, Plan::new);
    /** Weights reordered once by {@link #boundInference} with {@link WeightBinding#CAPTURED}. */
    private final java.util.List<memory> captured = new java.util.ArrayList<>();

    /** Activation fused into the inference primitive as a oneDNN post-op (IDENTITY: none). */
    private final ConvActivation fusedInference;

    OneDnnConv(int[] kernel, int[] stride, int[] padding, CNN2DFormat format, long nIn, long nOut, boolean hasBias) {
        this(kernel, stride, padding, format, nIn, nOut, hasBias, ConvActivation.IDENTITY);
    }

    /**
     * @param fusedInference activation the inference primitive applies to its output (a post-op; the training
     *     primitives never fuse)
     */
    OneDnnConv(int[] kernel, int[] stride, int[] padding, CNN2DFormat format, long nIn, long nOut, boolean hasBias,
            ConvActivation fusedInference) {
        this.fusedInference = fusedInference;
        this.kernel = new long[] {kernel[0], kernel[1]};
        this.stride = new long[] {stride[0], stride[1]};
        this.padding = new long[] {padding[0], padding[1]};
        this.nhwc = format == CNN2DFormat.NHWC;
        this.nIn = nIn;
        this.nOut = nOut;
        this.hasBias = hasBias;
    }

    /**
     * {@code out = conv(in, w) + b}.
     *
     * @param in input in the layer's layout, float32, dense
     * @param w {@code [C_out, C_in, kH, kW]}
     * @param b {@code [C_out]} or {@code [1, C_out]}, or null without bias
     * @param out output in the layer's layout
     * @param training whether to run the training primitive (the one backward passes are created against)
     */
    void forward(INDArray in, INDArray w, INDArray b, INDArray out, boolean training) {
        Plan p = bindForward(in, w, b, out);
        Step f = training ? p.forwardTraining() : p.forwardInference();
        stream s = OneDnn.stream();
        f.run(s);
        s._wait();
    }

    /** The plan of {@code in}'s shape with the forward pass's data handles set. */
    private Plan bindForward(INDArray in, INDArray w, INDArray b, INDArray out) {
        Plan p = plans.get(in.shape());
        p.user.set_data_handle(OneDnn.handle(w));
        p.src.set_data_handle(OneDnn.handle(in));
        p.dst.set_data_handle(OneDnn.handle(out));
        if (b != null) {
            p.bias.set_data_handle(OneDnn.handle(b));
        }
        return p;
    }

    /**
     * The inference convolution bound to fixed arrays: their data handles are set once, and each run of the returned
     * task executes the primitives (the weights' reorder included, so changes to {@code w} in place are seen)
     * without allocating. Not to be mixed with other calls on this instance.
     *
     * @param in input in the layer's layout, float32, dense
     * @param w {@code [C_out, C_in, kH, kW]}
     * @param b {@code [C_out]} or {@code [1, C_out]}, or null without bias
     * @param out output in the layer's layout
     * @return the task
     */
    Runnable boundInference(INDArray in, INDArray w, INDArray b, INDArray out) {
        return boundInference(in, w, b, out, WeightBinding.BY_REFERENCE);
    }

    /**
     * As {@link #boundInference(INDArray, INDArray, INDArray, INDArray)}; with {@link WeightBinding#CAPTURED} and a
     * primitive that wants the weights in a layout of its own, they are reordered now, once, into memory this
     * instance keeps until {@link #releaseCaptured()}, and each run executes the convolution alone.
     *
     * @param in input in the layer's layout, float32, dense
     * @param w {@code [C_out, C_in, kH, kW]}
     * @param b {@code [C_out]} or {@code [1, C_out]}, or null without bias
     * @param out output in the layer's layout
     * @param weights how the task holds the weights
     * @return the task
     */
    Runnable boundInference(INDArray in, INDArray w, INDArray b, INDArray out, WeightBinding weights) {
        Step f = bindForward(in, w, b, out).forwardInference();
        if (weights == WeightBinding.CAPTURED && f.blocked() != null) {
            memory own = new memory(f.blocked().get_desc(), OneDnn.engine()); // allocated by oneDNN
            captured.add(own);
            Pointer handle = own.get_data_handle();
            memory blocked = f.blocked();
            stream s0 = OneDnn.stream();
            blocked.set_data_handle(handle);
            f.before().run(s0);
            s0._wait();
            return () -> {
                stream s = OneDnn.stream();
                // the step's weight memory may have been pointed at the shared buffer by another run of this plan
                blocked.set_data_handle(handle);
                f.main().run(s);
                s._wait();
            };
        }
        return () -> {
            stream s = OneDnn.stream();
            f.run(s);
            s._wait();
        };
    }

    /** Frees the weights captured by {@link #boundInference}; its tasks must not run afterwards. */
    void releaseCaptured() {
        captured.forEach(memory::close);
        captured.clear();
    }

    /**
     * Gradients of {@code out = conv(in, w) + b}: {@code gradIn}, {@code gradW} (overwritten) and {@code gradB}.
     *
     * @param gradOut gradient of the output, the layer's layout
     * @param gradIn receives the input gradient, or null: no input gradient (the backward-data primitive does not run)
     * @param gradW receives the weight gradient {@code [C_out, C_in, kH, kW]}
     * @param gradB receives the bias gradient, or null without bias
     */
    void backward(INDArray in, INDArray w, INDArray gradOut, INDArray gradIn, INDArray gradW, INDArray gradB) {
        Plan p = plans.get(in.shape());
        stream s = OneDnn.stream();
        p.user.set_data_handle(OneDnn.handle(w));
        p.gradUser.set_data_handle(OneDnn.handle(gradW));
        p.src.set_data_handle(OneDnn.handle(in));
        p.diffDst.set_data_handle(OneDnn.handle(gradOut));
        if (gradB != null) {
            p.diffBias.set_data_handle(OneDnn.handle(gradB));
        }
        if (gradIn != null) {
            p.diffSrc.set_data_handle(OneDnn.handle(gradIn));
            p.backwardData().run(s);
        }
        p.backwardWeights().run(s);
        s._wait();
    }

    /**
     * A primitive, preceded and followed by optional reorders; {@code blocked}, when set, is the weights' memory in
     * oneDNN's layout, bound to the thread's weight buffer for the run.
     */
    private record Step(OneDnnCall before, OneDnnCall main, OneDnnCall after, memory blocked, long blockedBytes) {

        Step(OneDnnCall before, OneDnnCall main, OneDnnCall after) {
            this(before, main, after, null, 0);
        }

        Step(OneDnnCall before, OneDnnCall main, OneDnnCall after, memory blocked) {
            this(before, main, after, blocked, blocked == null ? 0 : blocked.get_desc().get_size());
        }

        void run(stream s) {
            if (blocked != null) {
                blocked.set_data_handle(OneDnn.weightBuffer(blockedBytes)); // no allocation per run
            }
            if (before != null) {
                before.run(s);
            }
            main.run(s);
            if (after != null) {
                after.run(s);
            }
        }
    }

    /** Descriptors, memories and primitives for one input shape (primitives created on first use). */
    private final class Plan {
        private final engine eng = OneDnn.engine();
        private final memory.desc srcDesc;
        private final memory.desc dstDesc;
        private final memory.desc userDesc;
        private final memory.desc biasDesc;
        private final memory.desc anyWeights;
        private final memory src;
        private final memory dst;
        private final memory diffSrc;
        private final memory diffDst;
        private final memory user;
        private final memory gradUser;
        private final memory bias;
        private final memory diffBias;
        private convolution_forward.primitive_desc trainingDesc;
        private Step training;
        private Step inference;
        private Step backwardData;
        private Step backwardWeights;

        Plan(long[] inShape) {
            long n = inShape[0];
            long h = nhwc ? inShape[1] : inShape[2];
            long w = nhwc ? inShape[2] : inShape[3];
            long oh = ConvOps.outSize(h, (int) kernel[0], (int) stride[0], (int) padding[0]);
            long ow = ConvOps.outSize(w, (int) kernel[1], (int) stride[1], (int) padding[1]);
            memory.format_tag act = nhwc ? memory.format_tag.nhwc : memory.format_tag.nchw;
            srcDesc = new memory.desc(new long[] {n, nIn, h, w}, memory.data_type.f32, act);
            dstDesc = new memory.desc(new long[] {n, nOut, oh, ow}, memory.data_type.f32, act);
            long[] wDims = {nOut, nIn, kernel[0], kernel[1]};
            userDesc = new memory.desc(wDims, memory.data_type.f32, memory.format_tag.oihw);
            anyWeights = new memory.desc(wDims, memory.data_type.f32, memory.format_tag.any);
            biasDesc = new memory.desc(new long[] {nOut}, memory.data_type.f32, memory.format_tag.x);
            Pointer none = new Pointer();
            src = new memory(srcDesc, eng, none);
            dst = new memory(dstDesc, eng, none);
            diffSrc = new memory(srcDesc, eng, none);
            diffDst = new memory(dstDesc, eng, none);
            user = new memory(userDesc, eng, none);
            gradUser = new memory(userDesc, eng, none);
            bias = new memory(biasDesc, eng, none);
            diffBias = new memory(biasDesc, eng, none);
        }

        private convolution_forward.primitive_desc forwardDesc(prop_kind kind) {
            org.bytedeco.dnnl.primitive_attr attr = OneDnn.userScratchpad();
            if (kind == prop_kind.forward_inference && fusedInference != ConvActivation.IDENTITY) {
                org.bytedeco.dnnl.post_ops ops = new org.bytedeco.dnnl.post_ops();
                if (fusedInference == ConvActivation.RELU) {
                    ops.append_eltwise(1f, org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu, 0f, 0f);
                } else {
                    ops.append_eltwise(1f, org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_bounded_relu, 6f, 0f);
                }
                attr.set_post_ops(ops);
            }
            convolution_forward.desc d = hasBias
                    ? new convolution_forward.desc(kind, algorithm.convolution_direct, srcDesc, anyWeights, biasDesc,
                            dstDesc, stride, padding, padding)
                    : new convolution_forward.desc(kind, algorithm.convolution_direct, srcDesc, anyWeights, dstDesc,
                            stride, padding, padding);
            return new convolution_forward.primitive_desc(d, attr, eng);
        }

        private convolution_forward.primitive_desc trainingDesc() {
            if (trainingDesc == null) {
                trainingDesc = forwardDesc(prop_kind.forward_training);
            }
            return trainingDesc;
        }

        Step forwardTraining() {
            if (training == null) {
                training = forwardStep(trainingDesc());
            }
            return training;
        }

        Step forwardInference() {
            if (inference == null) {
                inference = forwardStep(forwardDesc(prop_kind.forward_inference));
            }
            return inference;
        }

        private Step forwardStep(convolution_forward.primitive_desc pd) {
            IntMemoryMap args = new IntMemoryMap();
            args.put(DNNL_ARG_SRC, src);
            args.put(DNNL_ARG_DST, dst);
            if (hasBias) {
                args.put(DNNL_ARG_BIAS, bias);
            }
            memory.desc wanted = pd.weights_desc();
            if (wanted.equals(userDesc)) {
                args.put(DNNL_ARG_WEIGHTS, user);
                return new Step(null, new OneDnnCall(new convolution_forward(pd), args, pd.scratchpad_desc()), null);
            }
            memory blocked = new memory(wanted, eng, new Pointer());
            args.put(DNNL_ARG_WEIGHTS, blocked);
            return new Step(OneDnnCall.reorder(user, blocked),
                    new OneDnnCall(new convolution_forward(pd), args, pd.scratchpad_desc()), null, blocked);
        }

        Step backwardData() {
            if (backwardData == null) {
                convolution_backward_data.primitive_desc pd = new convolution_backward_data.primitive_desc(
                        new convolution_backward_data.desc(algorithm.convolution_direct, srcDesc, anyWeights,
                                dstDesc, stride, padding, padding), OneDnn.userScratchpad(), eng, trainingDesc());
                IntMemoryMap args = new IntMemoryMap();
                args.put(DNNL_ARG_DIFF_DST, diffDst);
                args.put(DNNL_ARG_DIFF_SRC, diffSrc);
                memory.desc wanted = pd.weights_desc();
                OneDnnCall before = null;
                memory blocked = null;
                if (wanted.equals(userDesc)) {
                    args.put(DNNL_ARG_WEIGHTS, user);
                } else {
                    blocked = new memory(wanted, eng, new Pointer());
                    args.put(DNNL_ARG_WEIGHTS, blocked);
                    before = OneDnnCall.reorder(user, blocked);
                }
                backwardData = new Step(before,
                        new OneDnnCall(new convolution_backward_data(pd), args, pd.scratchpad_desc()), null, blocked);
            }
            return backwardData;
        }

        Step backwardWeights() {
            if (backwardWeights == null) {
                convolution_backward_weights.desc d = hasBias
                        ? new convolution_backward_weights.desc(algorithm.convolution_direct, srcDesc, anyWeights,
                                biasDesc, dstDesc, stride, padding, padding)
                        : new convolution_backward_weights.desc(algorithm.convolution_direct, srcDesc, anyWeights,
                                dstDesc, stride, padding, padding);
                convolution_backward_weights.primitive_desc pd =
                        new convolution_backward_weights.primitive_desc(d, OneDnn.userScratchpad(), eng, trainingDesc());
                IntMemoryMap args = new IntMemoryMap();
                args.put(DNNL_ARG_SRC, src);
                args.put(DNNL_ARG_DIFF_DST, diffDst);
                if (hasBias) {
                    args.put(DNNL_ARG_DIFF_BIAS, diffBias);
                }
                memory.desc produced = pd.diff_weights_desc();
                OneDnnCall after = null;
                memory blocked = null;
                if (produced.equals(userDesc)) {
                    args.put(DNNL_ARG_DIFF_WEIGHTS, gradUser);
                } else {
                    blocked = new memory(produced, eng, new Pointer());
                    args.put(DNNL_ARG_DIFF_WEIGHTS, blocked);
                    after = OneDnnCall.reorder(blocked, gradUser);
                }
                backwardWeights = new Step(null,
                        new OneDnnCall(new convolution_backward_weights(pd), args, pd.scratchpad_desc()), after,
                        blocked);
            }
            return backwardWeights;
        }
    }
}
