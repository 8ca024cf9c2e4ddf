package io.github.tsm4j.models;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.InPlaceShift;
import io.github.tsm4j.core.OnlineShift;
import io.github.tsm4j.core.ShiftSideBuffer;
import io.github.tsm4j.core.TemporalShift;
import io.github.tsm4j.core.layers.SegmentConsensusLayer;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import io.github.tsm4j.core.layers.runtime.TemporalShiftLayerImpl;
import io.github.tsm4j.core.conv.BoundConv;
import io.github.tsm4j.core.conv.WeightBinding;
import io.github.tsm4j.core.exec.BoundAddRelu;
import io.github.tsm4j.core.exec.BoundOp;
import io.github.tsm4j.core.layers.runtime.OnlineShiftLayerImpl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.InputVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.graph.vertex.impl.PreprocessorVertex;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A lean inference executor for the inference graphs (a streaming model's frame step, an offline model's
 * {@link TsmModel#forInference() inference form}): the graph's vertices in topological order, each bound once to
 * preallocated activation arrays as libnd4j ops ({@link BoundOp}, {@link BoundConv}, {@link OnlineShift.Bound})
 * or a temporal shift kernel, so that a call is a fixed sequence of native calls with no Java or native
 * allocation, no workspace and no DL4J graph bookkeeping. It computes what {@code graph.output(false, input)}
 * computes at the chosen output vertex, with the same libnd4j kernels, and shares the online shift caches with
 * the graph's {@link OnlineShiftLayerImpl}s.
 *
 * <p>Supported vertices (the inference graphs {@link TsmNetworks#streaming}, {@link TsmNetworks#offline} and
 * {@link io.github.tsm4j.models.infer.InferenceGraphs#fold} make): the input; the NCHW→NHWC
 * {@link NchwToNhwcPreProcessor}; native convolutions; offline temporal shifts; online shifts;
 * ReLU/ReLU6/identity activation layers; max pooling (truncate mode); global average/max pooling; dropout (the
 * identity in inference); a dense layer with identity activation; element-wise addition; the segment consensus.
 * {@link #create} returns a reason instead of an executor when the graph has anything else (e.g. stock BatchNorm
 * of an unfolded graph, temporal pooling), and the caller runs the graph itself.
 *
 * <p>Memory: every activation is a view of one of a few flat buffers allocated once, outside any workspace, each
 * starting on a 64-byte boundary; a buffer is reused by a later vertex once the last consumer of its value has run
 * (liveness in topological order), element-wise adds and activations write into their input where it has no later
 * reader, a two-input addition whose only reader is a ReLU applies it in the same pass ({@link BoundAddRelu}, where
 * oneDNN's natives load), and an offline shift with one reader runs in place on its input ({@link InPlaceShift}:
 * applied just before the reader, undone just after it where the input is read again; the shifts of the
 * {@code ONEDNN} kernel share one {@link ShiftSideBuffer}), which keeps the working set small. Each
 * call first copies the caller's frames into a staging buffer (one contiguous copy; a new caller array is rebound
 * without allocating) and ends by copying the logits into the caller's output array. {@link #close} frees the
 * buffers. Not thread-safe.
 */
final class BoundExecutor implements AutoCloseable {

    /** Alignment of the activation buffers, bytes. */
    private static final long ALIGNMENT = 64;

    /** One bound step of the sequence. */
    private interface Step extends AutoCloseable {
        void run();

        @Override
        void close();
    }

    /** {@link #create}'s answer: an executor, or why the graph cannot have one. */
    record Result(BoundExecutor executor, String unsupported) {
    }

    private final List<Step> steps;
    private final List<BoundOp> inputBindings;
    private final int[] inputSlots;
    private final BoundOp copyOut;
    private final long[] inputShape;
    private final long[] outputShape;
    private final DataType dataType;
    private final long bufferBytes;
    /** The activation memory this executor allocated (freed by {@link #close}). */
    private final List<INDArray> owned;
    /** The in-place shifts' shared side buffer (allocated at the first call). */
    private final ShiftSideBuffer sideBuffer;
    private INDArray boundInput;
    private INDArray boundOutput;

    private BoundExecutor(List<Step> steps, List<BoundOp> inputBindings, int[] inputSlots, BoundOp copyOut,
            long[] inputShape, long[] outputShape, DataType dataType, long bufferBytes, List<INDArray> owned,
            ShiftSideBuffer sideBuffer) {
        this.sideBuffer = sideBuffer;
        this.steps = steps;
        this.owned = owned;
        this.inputBindings = inputBindings;
        this.inputSlots = inputSlots;
        this.copyOut = copyOut;
        this.inputShape = inputShape;
        this.outputShape = outputShape;
        this.dataType = dataType;
        this.bufferBytes = bufferBytes;
    }

    /**
     * Plans and binds an executor for one input shape.
     *
     * @param graph an initialised single-input, single-output graph (its layers are bound by reference)
     * @param inputShape the input shape every step will have, e.g. {@code [B, 3, S, S]}
     * @return the executor, or the first unsupported vertex
     */
    static Result create(ComputationGraph graph, long[] inputShape) {
        return create(graph, inputShape, null);
    }

    /**
     * Plans and binds an executor for one input shape that stops at a chosen vertex.
     *
     * @param graph an initialised single-input graph (its layers are bound by reference)
     * @param inputShape the input shape every call will have, e.g. {@code [N·T, 3, S, S]}
     * @param output the vertex whose value the executor returns; null = the graph's single output
     * @return the executor, or the first unsupported vertex
     */
    static Result create(ComputationGraph graph, long[] inputShape, String output) {
        return create(graph, inputShape, output, WeightBinding.BY_REFERENCE);
    }

    /**
     * Plans and binds an executor that stops at a chosen vertex, with a choice of how its oneDNN convolutions hold
     * their weights.
     *
     * @param graph an initialised single-input graph (its layers are bound by reference)
     * @param inputShape the input shape every call will have
     * @param output the vertex whose value the executor returns; null = the graph's single output
     * @param weights {@link WeightBinding#CAPTURED}: the convolution weights are read now, once, and later changes
     *     of the graph's parameters are not seen
     * @return the executor, or the first unsupported vertex
     */
    static Result create(ComputationGraph graph, long[] inputShape, String output, WeightBinding weights) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return new Planner(graph, inputShape, output, weights).plan();
        }
    }

    /** @return the input shape */
    long[] inputShape() {
        return inputShape.clone();
    }

    /** @return the output shape */
    long[] outputShape() {
        return outputShape.clone();
    }

    /** @return bytes of the activation buffers */
    long bufferBytes() {
        return bufferBytes;
    }

    /** @return the number of bound native steps per frame */
    int steps() {
        return steps.size();
    }

    /**
     * One forward pass.
     *
     * @param input of {@link #inputShape()} and the network's data type
     * @param out of {@link #outputShape()} and the network's data type, overwritten
     */
    void run(INDArray input, INDArray out) {
        if (input.dataType() != dataType || out.dataType() != dataType) {
            throw new IllegalArgumentException("streaming executor: input and out must be " + dataType + ", found "
                    + input.dataType() + " and " + out.dataType());
        }
        if (input != boundInput) {
            for (int i = 0; i < inputBindings.size(); i++) {
                inputBindings.get(i).setInput(inputSlots[i], input);
            }
            boundInput = input;
        }
        if (out != boundOutput) {
            copyOut.setInput(0, out);
            copyOut.setOutput(0, out);
            boundOutput = out;
        }
        for (int i = 0; i < steps.size(); i++) {
            steps.get(i).run();
        }
        copyOut.run();
    }

    @Override
    public void close() {
        steps.forEach(Step::close);
        sideBuffer.close();
        copyOut.close();
        for (INDArray a : owned) {
            if (a.closeable()) {
                a.close();
            }
        }
    }

    /** Builds the step list: shapes, liveness-based buffers, bound ops. */
    private static final class Planner {
        private final ComputationGraph graph;
        private final long[] inputShape;
        private final DataType dataType;
        private final GraphVertex[] vertices;
        private final int[] order;
        private final int[] lastUse;
        private final INDArray[] values;
        private final int[] bufferOf;
        private final List<INDArray> buffers = new ArrayList<>();
        private final List<INDArray> owned = new ArrayList<>();
        private final List<Boolean> free = new ArrayList<>();
        private final List<Step> steps = new ArrayList<>();
        private final List<BoundOp> inputBindings = new ArrayList<>();
        private final List<Integer> inputSlots = new ArrayList<>();
        /** For a vertex whose value is another's array (an in-place shift): that vertex; −1 otherwise. */
        private final int[] aliasOf;
        /** Position in topological order of the vertex being bound. */
        private int position;
        /** Vertices read by how many others. */
        private final int[] consumers;
        /** In-place shifts bound but not yet emitted, by shift vertex: emitted around their one consumer. */
        private final Map<Integer, PendingShift> pending = new HashMap<>();
        /** The side buffer of the in-place oneDNN shifts, which run one block at a time. */
        private final ShiftSideBuffer sideBuffer = new ShiftSideBuffer();
        /** ReLU activation vertices whose input vertex (an addition) has applied the ReLU already. */
        private final java.util.Set<Integer> reluApplied = new java.util.HashSet<>();
        private final int inputVertex;
        private final int outputVertex;
        /** How the oneDNN convolutions hold their weights. */
        private final WeightBinding weights;

        Planner(ComputationGraph graph, long[] inputShape, String output, WeightBinding weights) {
            this.graph = graph;
            this.weights = weights;
            this.inputShape = inputShape.clone();
            this.dataType = graph.getConfiguration().getDataType();
            this.vertices = graph.getVertices();
            this.order = graph.topologicalSortOrder();
            this.values = new INDArray[vertices.length];
            this.bufferOf = new int[vertices.length];
            Arrays.fill(bufferOf, -1);
            Map<String, Integer> index = new HashMap<>();
            for (GraphVertex v : vertices) {
                index.put(v.getVertexName(), v.getVertexIndex());
            }
            List<String> inputs = graph.getConfiguration().getNetworkInputs();
            List<String> outputs = graph.getConfiguration().getNetworkOutputs();
            this.inputVertex = inputs.size() == 1 ? index.get(inputs.get(0)) : -1;
            this.outputVertex = output != null ? index.getOrDefault(output, -1)
                    : outputs.size() == 1 ? index.get(outputs.get(0)) : -1;
            int[] position = new int[vertices.length];
            for (int p = 0; p < order.length; p++) {
                position[order[p]] = p;
            }
            this.lastUse = new int[vertices.length];
            this.consumers = new int[vertices.length];
            this.aliasOf = new int[vertices.length];
            Arrays.fill(aliasOf, -1);
            Arrays.fill(lastUse, -1);
            for (GraphVertex v : vertices) {
                for (int in : inputsOf(v)) {
                    lastUse[in] = Math.max(lastUse[in], position[v.getVertexIndex()]);
                    consumers[in]++;
                }
            }
        }

        /** An in-place shift and the last position (before the shift) at which its input is read. */
        private record PendingShift(InPlaceShift shift, int inputLastUse) {
        }

        private static int[] inputsOf(GraphVertex v) {
            VertexIndices[] in = v.getInputVertices();
            return in == null ? new int[0] : Arrays.stream(in).mapToInt(VertexIndices::getVertexIndex).toArray();
        }

        Result plan() {
            if (inputVertex < 0 || outputVertex < 0) {
                return unsupported("the graph must have one input and one output (or a named output vertex)");
            }
            INDArray logits = null;
            for (int p = 0; p < order.length; p++) {
                GraphVertex v = vertices[order[p]];
                PendingShift shift = null;
                for (int in : inputsOf(v)) {
                    if (pending.containsKey(in)) {
                        shift = pending.remove(in);
                    }
                }
                if (shift != null) {
                    steps.add(step(shift.shift()::apply, shift.shift()::close));
                }
                position = p;
                String why = bind(v);
                if (shift != null && why == null && shift.inputLastUse() > p) {
                    // the block input is read again later (the residual branch): give it back unshifted
                    steps.add(step(shift.shift()::undo, () -> { }));
                }
                if (why != null) {
                    steps.forEach(Step::close);
                    owned.forEach(INDArray::close);
                    return unsupported("vertex '" + v.getVertexName() + "' (" + why + ")");
                }
                if (v.getVertexIndex() == outputVertex) {
                    logits = values[outputVertex];
                    break; // every vertex it depends on comes earlier in topological order
                }
                for (int in : inputsOf(v)) {
                    if (lastUse[in] == p && in != outputVertex) {
                        release(in);
                        if (aliasOf[in] >= 0 && lastUse[aliasOf[in]] == p) {
                            release(aliasOf[in]);
                        }
                    }
                }
            }
            if (logits == null) {
                return unsupported("the output vertex was never computed");
            }
            INDArray target = Nd4j.create(dataType, logits.shape());
            BoundOp copyOut = BoundOp.builder("assign").inputs(target, logits).outputs(target).build();
            long bytes = buffers.stream().mapToLong(b -> b.length() * b.dataType().width()).sum();
            int[] slots = inputSlots.stream().mapToInt(Integer::intValue).toArray();
            bytes += sideBuffer.reservedElements() * Float.BYTES;
            return new Result(new BoundExecutor(List.copyOf(steps), List.copyOf(inputBindings), slots, copyOut,
                    inputShape, logits.shape(), dataType, bytes, List.copyOf(owned), sideBuffer), null);
        }

        private Result unsupported(String why) {
            return new Result(null, why);
        }

        /** An activation of {@code shape}: a view of a free buffer that is large enough, or of a new one. */
        private INDArray allocate(int vertex, long[] shape) {
            long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            int best = -1;
            for (int i = 0; i < buffers.size(); i++) {
                if (free.get(i) && buffers.get(i).length() >= n
                        && (best < 0 || buffers.get(i).length() < buffers.get(best).length())) {
                    best = i;
                }
            }
            if (best < 0) {
                buffers.add(aligned(n));
                free.add(true);
                best = buffers.size() - 1;
            }
            free.set(best, false);
            bufferOf[vertex] = best;
            INDArray flat = buffers.get(best);
            INDArray view = (flat.length() == n ? flat : flat.get(NDArrayIndex.interval(0, n))).reshape('c', shape);
            values[vertex] = view;
            return view;
        }

        /**
         * The output of an element-wise vertex: the array of its input {@code from} when this vertex is that
         * value's last reader (the op then runs in place: a smaller working set, and the data stay in cache),
         * a buffer from {@link #allocate} otherwise.
         */
        private INDArray reuseOrAllocate(int vertex, int from, long[] shape) {
            if (lastUse[from] == position && bufferOf[from] >= 0 && from != outputVertex && from != inputVertex
                    && Arrays.equals(values[from].shape(), shape)) {
                bufferOf[vertex] = bufferOf[from];
                bufferOf[from] = -1;
                values[vertex] = values[from];
                return values[vertex];
            }
            return allocate(vertex, shape);
        }

        /**
         * A buffer of n elements whose first element lies on a 64-byte boundary (a cache line; the allocator only
         * promises 16 bytes): the in-place shift's NHWC runs of 128 bytes then touch 2 cache lines instead of 3,
         * and oneDNN's vector loads are aligned.
         */
        private INDArray aligned(long n) {
            long width = dataType.width();
            long slack = ALIGNMENT / width;
            INDArray flat = Nd4j.createUninitializedDetached(dataType, n + slack);
            owned.add(flat);
            long address = flat.data().addressPointer().address();
            long skip = ((ALIGNMENT - address % ALIGNMENT) % ALIGNMENT) / width; // allocations are width-aligned
            return flat.get(NDArrayIndex.interval(skip, skip + n));
        }

        private void release(int vertex) {
            if (bufferOf[vertex] >= 0) {
                free.set(bufferOf[vertex], true);
            }
        }

        /** Binds one vertex; @return null, or why it is not supported */
        private String bind(GraphVertex v) {
            int[] ins = inputsOf(v);
            if (v instanceof InputVertex) {
                // the caller's frames are copied once per call into a contiguous staging array: one fast copy, and
                // rebinding a new caller array to that copy allocates nothing (see BoundOp#setInput)
                INDArray staging = allocate(inputVertex, inputShape);
                BoundOp copy = BoundOp.builder("assign").inputs(staging, placeholder(inputShape))
                        .outputs(staging).build();
                inputBindings.add(copy);
                inputSlots.add(1);
                steps.add(step(copy::run, copy::close));
                return null;
            }
            if (ins.length == 0) {
                return "no inputs";
            }
            long[] inShape = shapeOf(ins[0]);
            if (v instanceof PreprocessorVertex pv) {
                if (!(pv.getPreProcessor() instanceof NchwToNhwcPreProcessor)) {
                    return "preprocessor " + pv.getPreProcessor().getClass().getSimpleName();
                }
                // NCHW -> NHWC as one strided column copy per channel, [B, H·W] each: several times faster than
                // libnd4j's rank-4 permute for the few channels of a network input
                long b = inShape[0];
                long c = inShape[1];
                long hw = inShape[2] * inShape[3];
                INDArray out = allocate(v.getVertexIndex(), new long[] {b, inShape[2], inShape[3], c});
                INDArray src = input(ins[0]).reshape('c', b, c, hw);
                INDArray dst = out.reshape('c', b, hw, c);
                for (long ch = 0; ch < c; ch++) {
                    INDArray to = dst.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(ch));
                    INDArray from = src.get(NDArrayIndex.all(), NDArrayIndex.point(ch), NDArrayIndex.all());
                    op(BoundOp.builder("assign").inputs(to, from).outputs(to).build(), new int[] {-1, ins[0]});
                }
                return null;
            }
            if (v instanceof org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex) {
                if (!(graph.getConfiguration().getVertices().get(v.getVertexName()) instanceof ElementWiseVertex ew)
                        || ew.getOp() != ElementWiseVertex.Op.Add || ins.length < 2) {
                    return "element-wise operation other than Add of two or more inputs";
                }
                for (int in : ins) {
                    if (!Arrays.equals(shapeOf(in), inShape)) {
                        return "inputs of different shapes";
                    }
                }
                INDArray out = reuseOrAllocate(v.getVertexIndex(), ins[0], inShape);
                int relu = reluReader(v.getVertexIndex());
                if (ins.length == 2 && relu >= 0 && BoundAddRelu.supports(input(ins[0]), input(ins[1]), out)) {
                    // the residual addition and the ReLU after it in one oneDNN pass; the ReLU vertex then
                    // passes its input on (bindLayer)
                    BoundAddRelu fused = BoundAddRelu.of(input(ins[0]), input(ins[1]), out);
                    steps.add(step(fused::run, fused::close));
                    reluApplied.add(relu);
                    return null;
                }
                op(BoundOp.builder("add").inputs(input(ins[0]), input(ins[1])).outputs(out).build(),
                        new int[] {ins[0], ins[1]});
                for (int i = 2; i < ins.length; i++) {
                    op(BoundOp.builder("add").inputs(out, input(ins[i])).outputs(out).build(), new int[] {-1, ins[i]});
                }
                return null;
            }
            if (!(v instanceof LayerVertex lv)) {
                return v.getClass().getSimpleName();
            }
            if (lv.getLayerPreProcessor() != null) {
                return "layer preprocessor " + lv.getLayerPreProcessor().getClass().getSimpleName();
            }
            if (ins.length != 1) {
                return "layer with " + ins.length + " inputs";
            }
            return bindLayer(v.getVertexIndex(), lv.getLayer(), ins, inShape);
        }

        private String bindLayer(int vertex, Layer layer, int[] ins, long[] inShape) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            INDArray in = input(ins[0]);
            if (BoundConv.supports(layer)) {
                INDArray out = allocate(vertex, BoundConv.outputShape(layer, inShape));
                BoundConv conv = BoundConv.of(layer, in, out, weights);
                steps.add(step(conv::run, conv::close));
                return null;
            }
            if (layer instanceof OnlineShiftLayerImpl shift) {
                OnlineShift state = shift.ensureState(inShape, dataType);
                INDArray out = allocate(vertex, inShape);
                OnlineShift.Bound bound = state.bind(in, out);
                steps.add(step(bound::run, bound::close));
                return null;
            }
            if (layer instanceof TemporalShiftLayerImpl && conf instanceof TemporalShiftLayer c) {
                try {
                    TemporalShift.validate(in, null, c.getSegments(), c.getFoldDiv(), c.getDataFormat());
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
                // in place for HOST (the calling thread) and ONEDNN (reorders on oneDNN's threads through a side
                // buffer of the moved channels); VIEWS and REFERENCE run out of place as the layer does
                boolean host = c.getKernel() == TemporalShift.Kernel.HOST || c.getKernel() == TemporalShift.Kernel.ONEDNN;
                if (host && InPlaceShift.supports(in) && consumers[vertex] == 1
                        && ins[0] != outputVertex) {
                    // in place on the block input, applied just before its one consumer and undone just after
                    // (see bind(GraphVertex)): only the moved channels are touched (half the bytes of an
                    // out-of-place shift on the host engine, three quarters on oneDNN's) and no second activation
                    InPlaceShift shift = InPlaceShift.of(in, c.getSegments(), c.getFoldDiv(), c.getDirection(),
                            c.getDataFormat(), c.getKernel(), c.getShiftThreads(), sideBuffer);
                    values[vertex] = in;
                    aliasOf[vertex] = ins[0];
                    pending.put(vertex, new PendingShift(shift, lastUse[ins[0]]));
                    lastUse[ins[0]] = Math.max(lastUse[ins[0]], lastUse[vertex]);
                    return null;
                }
                INDArray out = allocate(vertex, inShape);
                steps.add(step(() -> TemporalShift.forward(in, out, c.getSegments(), c.getFoldDiv(), c.getDirection(),
                        c.getDataFormat(), c.getKernel(), c.getShiftThreads()), () -> { }));
                return null;
            }
            if (conf instanceof DropoutLayer) { // inference: the identity
                INDArray out = allocate(vertex, inShape);
                op(BoundOp.builder("assign").inputs(out, in).outputs(out).build(), ins(ins[0]));
                return null;
            }
            if (conf instanceof SegmentConsensusLayer sc) {
                return bindConsensus(vertex, sc, in, ins, inShape);
            }
            if (conf instanceof ActivationLayer a) {
                String name = reluApplied.contains(vertex) ? "identity" : activationOp(a.getActivationFn());
                if (name == null) {
                    return "activation " + a.getActivationFn();
                }
                INDArray out = reuseOrAllocate(vertex, ins[0], inShape);
                if (name.equals("identity")) {
                    if (out == in) {
                        return null; // in place: nothing to do
                    }
                    op(BoundOp.builder("assign").inputs(out, in).outputs(out).build(), ins(ins[0]));
                } else {
                    op(BoundOp.builder(name).inputs(in).outputs(out).tArgs(0.0).build(), ins(ins[0]));
                }
                return null;
            }
            if (conf instanceof SubsamplingLayer s) {
                return bindMaxPool(vertex, s, in, ins, inShape);
            }
            if (conf instanceof GlobalPoolingLayer gp) {
                if (!gp.isCollapseDimensions() || inShape.length != 4
                        || (gp.getPoolingType() != PoolingType.AVG && gp.getPoolingType() != PoolingType.MAX)) {
                    return "global pooling " + gp.getPoolingType() + " on rank " + inShape.length;
                }
                int[] dims = gp.getPoolingDimensions();
                if (dims == null || dims.length != 2) {
                    return "global pooling without two explicit pooling dimensions";
                }
                int channelDim = 6 - dims[0] - dims[1]; // the dimension of [B, d1, d2, d3] not pooled
                if (channelDim < 1 || channelDim > 3 || dims[0] == dims[1]) {
                    return "global pooling over dimensions " + Arrays.toString(dims);
                }
                long channels = inShape[channelDim];
                INDArray out = allocate(vertex, new long[] {inShape[0], channels});
                String name = gp.getPoolingType() == PoolingType.AVG ? "reduce_mean" : "reduce_max";
                op(BoundOp.builder(name).inputs(in).outputs(out).iArgs(dims[0], dims[1]).bArgs(false).build(),
                        ins(ins[0]));
                return null;
            }
            if (conf instanceof DenseLayer d) {
                if (!(d.getActivationFn() instanceof ActivationIdentity) || d.hasLayerNorm() || inShape.length != 2) {
                    return "dense layer with activation " + d.getActivationFn() + " or layer norm, input rank "
                            + inShape.length;
                }
                INDArray w = layer.getParam("W");
                INDArray out = allocate(vertex, new long[] {inShape[0], w.size(1)});
                op(BoundOp.builder("matmul").inputs(in, w).outputs(out).build(), ins(ins[0]));
                if (d.hasBias()) {
                    INDArray b = layer.getParam("b");
                    op(BoundOp.builder("add").inputs(out, b).outputs(out).build(), new int[] {-1});
                }
                return null;
            }
            return "layer " + layer.getClass().getSimpleName();
        }

        /** {@code [N·T, K]} → {@code [N, K]}: the mean or maximum over each video's T frames (or a copy). */
        private String bindConsensus(int vertex, SegmentConsensusLayer sc, INDArray in, int[] ins, long[] inShape) {
            int t = sc.getSegments();
            if (inShape.length != 2 || inShape[0] % t != 0) {
                return "segment consensus over " + t + " segments of an input of shape " + Arrays.toString(inShape);
            }
            if (sc.getMode() == ConsensusMode.IDENTITY) {
                INDArray out = allocate(vertex, inShape);
                op(BoundOp.builder("assign").inputs(out, in).outputs(out).build(), ins(ins[0]));
                return null;
            }
            long n = inShape[0] / t;
            INDArray out = allocate(vertex, new long[] {n, inShape[1]});
            String name = sc.getMode() == ConsensusMode.AVG ? "reduce_mean" : "reduce_max";
            op(BoundOp.builder(name).inputs(in.reshape('c', n, t, inShape[1])).outputs(out).iArgs(1).bArgs(false)
                    .build(), ins(ins[0]));
            return null;
        }

        private String bindMaxPool(int vertex, SubsamplingLayer s, INDArray in, int[] ins, long[] inShape) {
            boolean truncate = s.getConvolutionMode() == ConvolutionMode.Truncate
                    || s.getConvolutionMode() == ConvolutionMode.Strict;
            if (s.getPoolingType() != PoolingType.MAX || !truncate
                    || Arrays.stream(s.getDilation()).anyMatch(x -> x != 1)) {
                return "subsampling " + s.getPoolingType() + " " + s.getConvolutionMode();
            }
            boolean nhwc = s.getCnn2dDataFormat() == CNN2DFormat.NHWC;
            int[] k = s.getKernelSize();
            int[] st = s.getStride();
            int[] p = s.getPadding();
            long h = (inShape[nhwc ? 1 : 2] + 2L * p[0] - k[0]) / st[0] + 1;
            long w = (inShape[nhwc ? 2 : 3] + 2L * p[1] - k[1]) / st[1] + 1;
            long c = inShape[nhwc ? 3 : 1];
            INDArray out = allocate(vertex, nhwc ? new long[] {inShape[0], h, w, c} : new long[] {inShape[0], c, h, w});
            op(BoundOp.builder("maxpool2d").inputs(in).outputs(out)
                    .iArgs(k[0], k[1], st[0], st[1], p[0], p[1], 1, 1, 0, 0, nhwc ? 1 : 0).build(), ins(ins[0]));
            return null;
        }

        /**
         * The ReLU activation layer that is the only reader of an element-wise vertex's value (not the output), or
         * −1: the addition can apply it ({@link BoundAddRelu}).
         */
        private int reluReader(int vertex) {
            if (consumers[vertex] != 1 || vertex == outputVertex) {
                return -1;
            }
            for (GraphVertex u : vertices) {
                int[] in = inputsOf(u);
                if (in.length == 1 && in[0] == vertex) {
                    return u instanceof LayerVertex lv && lv.getLayerPreProcessor() == null
                            && lv.getLayer().conf().getLayer() instanceof ActivationLayer a
                            && "relu".equals(activationOp(a.getActivationFn())) ? u.getVertexIndex() : -1;
                }
            }
            return -1;
        }

        private static String activationOp(IActivation fn) {
            if (fn == null || fn instanceof ActivationIdentity) {
                return "identity";
            }
            if (fn instanceof ActivationReLU) {
                return "relu";
            }
            if (fn instanceof ActivationReLU6) {
                return "relu6";
            }
            return null;
        }

        private static int[] ins(int... v) {
            return v;
        }

        /** Adds a bound op (the vertex indices of its inputs document the data flow). */
        private void op(BoundOp op, int[] inputVertices) {
            steps.add(step(op::run, op::close));
        }

        /** The value of a vertex (for the network input: the staging array). */
        private INDArray input(int vertex) {
            return values[vertex];
        }

        private INDArray placeholder(long[] shape) {
            return Nd4j.create(dataType, shape);
        }

        private long[] shapeOf(int vertex) {
            return values[vertex].shape();
        }

        private static Step step(Runnable run, Runnable close) {
            return new Step() {
                @Override
                public void run() {
                    run.run();
                }

                @Override
                public void close() {
                    close.run();
                }
            };
        }
    }
}
