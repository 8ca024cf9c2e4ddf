package io.github.tsm4j.models.train;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DL4J's {@link ComputationGraphUpdater} in one pass over the parameters: the minibatch division, coupled L2
 * ({@link L2Regularization}), the updater ({@link SgdMomentum}, {@link Nesterovs}, {@link Sgd}, {@link NoOp}) and
 * weight decay ({@link WeightDecay}) of each element, computed with the same float operations in the same order as
 * DL4J's updater blocks and libnd4j's ops, so training gives bit-identical parameters and updater state
 * (tests compare them after several steps). DL4J runs each of those as a separate op per parameter array — a few
 * hundred ops and as many temporary arrays per step for a ResNet-18, most of a small network's step.
 *
 * <p>Layout: the network's flattened parameter, gradient and updater-state arrays (float32, row vectors), read and
 * written in chunks through their host memory. The update is left in the gradient array, which DL4J's step
 * function then subtracts from the parameters, as with its own updater.
 *
 * <p>Where the configuration needs something this pass does not do — another updater or regularisation, DL4J's
 * per-layer gradient normalisation, pretraining blocks, double precision, a gradient computed by another network,
 * a non-CPU backend — every step runs DL4J's own updater ({@link #fallbackReason()} says why). The updater state
 * is the network's ({@link #getStateViewArray()}), so it is saved and restored with the model as before.
 *
 * <pre>{@code
 * ComputationGraph graph = ...; graph.init();
 * FusedGraphUpdater.install(graph);   // keeps the momentum buffers
 * graph.fit(batch);
 * }</pre>
 *
 * <p>Not thread-safe beyond DL4J's own updater: one training loop per network.
 */
public final class FusedGraphUpdater extends ComputationGraphUpdater {
    private static final Logger LOG = LoggerFactory.getLogger(FusedGraphUpdater.class);

    /** Elements per chunk copied between the arrays' host memory and the heap. */
    static final int CHUNK = 4096;

    private final String fallback;
    private final List<Segment> segments;
    private final INDArray paramArray;
    private final INDArray gradientArray;
    private final INDArray stateArray;
    private final long[] addresses = new long[3];
    private final FloatBuffer params;
    private final FloatBuffer gradients;
    private final FloatBuffer state;
    private final float[] g = new float[CHUNK];
    private final float[] p = new float[CHUNK];
    private final float[] v = new float[CHUNK];
    /** This step's L2 and weight-decay coefficients of the segment being applied (sized for the longest lists). */
    private final float[] l2Now;
    private final float[] decayNow;
    private long fusedSteps;

    /** What the pass does to one element, besides the minibatch division and the regularisation. */
    enum Kind {
        /** {@link SgdMomentum}: {@code b ← μ·b + g; u = lr·b}. */
        SGD_MOMENTUM,
        /** libnd4j's Nesterov updater: {@code v' = μ·v − lr·g; u = μ·v + (−μ − 1)·v'}. */
        NESTEROVS,
        /** {@code u = lr·g}. */
        SGD,
        /** {@code u = g}. */
        NO_OP
    }

    /**
     * A contiguous run of parameters sharing an updater block's configuration.
     *
     * @param from first element in the flattened parameters
     * @param to end (exclusive)
     * @param stateFrom the first element's momentum in the updater state, -1 without state
     * @param divide whether the gradient is divided by the minibatch size
     * @param kind the updater's rule
     * @param updater the block's updater configuration (learning rate and momentum schedules)
     * @param l2 coupled L2 coefficients, applied before the updater in this order
     * @param decay weight decays, applied after the updater in this order
     */
    record Segment(long from, long to, long stateFrom, boolean divide, Kind kind, IUpdater updater,
            List<ISchedule> l2, List<WeightDecay> decay) {
        boolean joins(Segment next) {
            return next.from == to && next.divide == divide && next.kind == kind && next.updater == updater
                    && (stateFrom < 0 ? next.stateFrom < 0 : next.stateFrom == stateFrom + (to - from))
                    && next.l2.equals(l2) && next.decay.equals(decay);
        }

        Segment join(Segment next) {
            return new Segment(from, next.to, stateFrom, divide, kind, updater, l2, decay);
        }
    }

    private FusedGraphUpdater(ComputationGraph graph, INDArray updaterState) {
        super(graph, updaterState);
        this.paramArray = graph.params();
        this.gradientArray = getFlattenedGradientsView();
        this.stateArray = getStateViewArray();
        List<Segment> planned = new ArrayList<>();
        String reason = plan(planned);
        FloatBuffer[] buffers = new FloatBuffer[3];
        if (reason == null) {
            reason = buffers(buffers);
        }
        this.fallback = reason;
        this.segments = reason == null ? List.copyOf(planned) : List.of();
        this.params = buffers[0];
        this.gradients = buffers[1];
        this.state = buffers[2];
        this.l2Now = new float[segments.stream().mapToInt(s -> s.l2.size()).max().orElse(0)];
        this.decayNow = new float[segments.stream().mapToInt(s -> s.decay.size()).max().orElse(0)];
        if (reason != null) {
            LOG.debug("FusedGraphUpdater: DL4J's updater runs every step: {}", reason);
        }
    }

    /**
     * Replaces the network's updater with a fused one holding the same updater state (momentum buffers), or
     * returns the one already installed.
     *
     * @param graph an initialised network
     * @return the network's updater now
     */
    public static FusedGraphUpdater install(ComputationGraph graph) {
        Objects.requireNonNull(graph, "graph");
        if (graph.getVertices() == null || graph.params() == null) {
            throw new IllegalArgumentException("FusedGraphUpdater.install: the network is not initialised (call init())");
        }
        ComputationGraphUpdater current = graph.getUpdater(true);
        if (current instanceof FusedGraphUpdater f) {
            return f;
        }
        FusedGraphUpdater fused = new FusedGraphUpdater(graph, current.getStateViewArray());
        graph.setUpdater(fused);
        return fused;
    }

    /** @return empty when every step runs in one pass; else why DL4J's own updater runs instead */
    public Optional<String> fallbackReason() {
        return Optional.ofNullable(fallback);
    }

    /** @return the planned runs of parameters (empty on the fallback path) */
    List<Segment> segments() {
        return segments;
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
            LayerWorkspaceMgr workspaceMgr) {
        if (fallback != null || !isFlattened(gradient.gradient(), 1) || !isFlattened(network.params(), 0)
                || !isFlattened(getStateViewArray(), 2)) {
            super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
            return;
        }
        boolean miniBatch = isMiniBatch();
        for (Segment s : segments) {
            apply(s, iteration, epoch, miniBatch && s.divide ? batchSize : 0);
        }
        fusedSteps++;
    }

    /** @return the steps this updater ran in one pass (the others ran DL4J's updater) */
    public long fusedSteps() {
        return fusedSteps;
    }

    private void apply(Segment s, int iteration, int epoch, int divisor) {
        IUpdater u = s.updater;
        double lrD = u.hasLearningRate() ? u.getLearningRate(iteration, epoch) : 1.0;
        float lr = (float) lrD;
        float mu = switch (s.kind) {
            case SGD_MOMENTUM -> (float) ((SgdMomentum) u).momentum();
            case NESTEROVS -> (float) ((Nesterovs) u).currentMomentum(iteration, epoch);
            default -> 0f;
        };
        float momentumT = -mu - 1f;
        float batch = divisor;
        int l2Count = s.l2.size();
        for (int i = 0; i < l2Count; i++) {
            l2Now[i] = (float) s.l2.get(i).valueAt(iteration, epoch);
        }
        int decayCount = s.decay.size();
        for (int i = 0; i < decayCount; i++) {
            WeightDecay w = s.decay.get(i);
            double c = w.getCoeff().valueAt(iteration, epoch);
            decayNow[i] = (float) (w.isApplyLR() ? c * lrD : c);
        }
        boolean needParams = l2Count > 0 || decayCount > 0;
        boolean stateful = s.stateFrom >= 0;
        float[] g = this.g;
        float[] p = this.p;
        float[] v = this.v;
        for (long at = s.from; at < s.to; at += CHUNK) {
            int n = (int) Math.min(CHUNK, s.to - at);
            int gi = (int) at;
            int si = (int) (s.stateFrom + (at - s.from));
            gradients.get(gi, g, 0, n);
            if (needParams) {
                params.get(gi, p, 0, n);
            }
            if (stateful) {
                state.get(si, v, 0, n);
            }
            if (divisor != 0) {
                for (int i = 0; i < n; i++) {
                    g[i] = g[i] / batch;
                }
            }
            for (int k = 0; k < l2Count; k++) {
                float c = l2Now[k];
                for (int i = 0; i < n; i++) {
                    g[i] = c * p[i] + g[i];
                }
            }
            switch (s.kind) {
                case SGD_MOMENTUM -> {
                    for (int i = 0; i < n; i++) {
                        float b = v[i] * mu;
                        b = b + g[i];
                        v[i] = b;
                        g[i] = b * lr;
                    }
                }
                case NESTEROVS -> {
                    for (int i = 0; i < n; i++) {
                        float prev = mu * v[i];
                        float next = prev - lr * g[i];
                        v[i] = next;
                        g[i] = prev + momentumT * next;
                    }
                }
                case SGD -> {
                    for (int i = 0; i < n; i++) {
                        g[i] = lr * g[i];
                    }
                }
                case NO_OP -> {
                }
            }
            for (int k = 0; k < decayCount; k++) {
                float c = decayNow[k];
                for (int i = 0; i < n; i++) {
                    g[i] = c * p[i] + g[i];
                }
            }
            gradients.put(gi, g, 0, n);
            if (stateful) {
                state.put(si, v, 0, n);
            }
        }
    }

    private static long address(INDArray a) {
        return a == null ? 0 : a.data().address();
    }

    /** Whether {@code a} is (a view spanning) the flattened array {@code which} the buffers were made for. */
    private boolean isFlattened(INDArray a, int which) {
        INDArray planned = which == 0 ? paramArray : which == 1 ? gradientArray : stateArray;
        if (a == null || planned == null) {
            return a == planned;
        }
        return a == planned || (address(a) == addresses[which] && a.offset() == 0 && a.length() == planned.length());
    }

    /** Fills {@code out} with the runs of parameters, or returns why the pass cannot run. */
    private String plan(List<Segment> out) {
        if (!"CpuBackend".equals(Nd4j.getBackend().getClass().getSimpleName())) {
            return "the ND4J backend is " + Nd4j.getBackend().getClass().getSimpleName() + ", not the CPU backend";
        }
        if (paramArray == null || paramArray.dataType() != DataType.FLOAT) {
            return "the parameters are " + (paramArray == null ? "absent" : paramArray.dataType()) + ", not FLOAT";
        }
        for (Trainable t : getOrderedLayers()) {
            if (t.numParams() == 0 || t.getConfig() == null) {
                continue;
            }
            GradientNormalization gn = t.getConfig().getGradientNormalization();
            if (gn != null && gn != GradientNormalization.None) {
                return "layer '" + t.getConfig().getLayerName() + "' uses gradient normalization " + gn;
            }
        }
        for (UpdaterBlock ub : getUpdaterBlocks()) {
            if (ub.isPretrainUpdaterBlock()) {
                return "the network has pretraining parameters";
            }
            List<UpdaterBlock.ParamState> vars = ub.getLayersAndVariablesInBlock();
            if (vars.isEmpty() || vars.get(0).getLayer().numParams() == 0) {
                continue;
            }
            IUpdater u = ub.getGradientUpdater().getConfig();
            Kind kind;
            if (u instanceof SgdMomentum) {
                kind = Kind.SGD_MOMENTUM;
            } else if (u instanceof Nesterovs) {
                kind = Kind.NESTEROVS;
            } else if (u instanceof Sgd) {
                kind = Kind.SGD;
            } else if (u instanceof NoOp) {
                kind = Kind.NO_OP;
            } else {
                return "updater " + u.getClass().getSimpleName() + " (fused: SgdMomentum, Nesterovs, Sgd, NoOp)";
            }
            long blockParams = ub.getParamOffsetEnd() - ub.getParamOffsetStart();
            long blockState = ub.getUpdaterViewOffsetEnd() - ub.getUpdaterViewOffsetStart();
            boolean stateful = kind == Kind.SGD_MOMENTUM || kind == Kind.NESTEROVS;
            if (blockState != (stateful ? blockParams : 0)) {
                return "updater " + u.getClass().getSimpleName() + " keeps " + blockState + " state values for "
                        + blockParams + " parameters";
            }
            for (UpdaterBlock.ParamState ps : vars) {
                List<ISchedule> l2 = new ArrayList<>();
                List<WeightDecay> decay = new ArrayList<>();
                List<Regularization> regs = ps.getLayer().getConfig().getRegularizationByParam(ps.getParamName());
                for (Regularization r : regs == null ? List.<Regularization>of() : regs) {
                    if (r instanceof L2Regularization l) {
                        l2.add(l.getL2());
                    } else if (r instanceof WeightDecay w) {
                        decay.add(w);
                    } else {
                        return "regularization " + r.getClass().getSimpleName() + " on '"
                                + ps.getLayer().getConfig().getLayerName() + "_" + ps.getParamName()
                                + "' (fused: L2Regularization, WeightDecay)";
                    }
                }
                long stateFrom = stateful
                        ? ub.getUpdaterViewOffsetStart() + (ps.getParamOffsetStart() - (long) ub.getParamOffsetStart())
                        : -1;
                Segment s = new Segment(ps.getParamOffsetStart(), ps.getParamOffsetEnd(), stateFrom,
                        ps.getLayer().updaterDivideByMinibatch(ps.getParamName()), kind, u, List.copyOf(l2),
                        List.copyOf(decay));
                if (s.to > s.from) {
                    int last = out.size() - 1;
                    if (last >= 0 && out.get(last).joins(s)) {
                        out.set(last, out.get(last).join(s));
                    } else {
                        out.add(s);
                    }
                }
            }
        }
        return null;
    }

    /** The host buffers of the parameter, gradient and state arrays, or why they are not usable. */
    private String buffers(FloatBuffer[] out) {
        INDArray[] arrays = {paramArray, gradientArray, stateArray};
        String[] names = {"parameter", "gradient", "updater state"};
        for (int i = 0; i < 3; i++) {
            INDArray a = arrays[i];
            if (a == null) {
                if (i == 2) {
                    continue; // Sgd and NoOp only: no updater state (stateful blocks were checked to have one)
                }
                return "the network has no flattened " + names[i] + " array";
            }
            // DL4J hands out views of the flattened arrays (a new one per call): the memory identifies them
            if (a.dataType() != DataType.FLOAT || a.offset() != 0 || a.ordering() != 'c'
                    || a.data().length() != a.length() || a.length() > Integer.MAX_VALUE) {
                return "the flattened " + names[i] + " array is not a dense float array spanning its buffer";
            }
            out[i] = a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            addresses[i] = address(a);
            if (out[i].capacity() != a.length()) {
                return "the flattened " + names[i] + " array's host buffer holds " + out[i].capacity()
                        + " values for " + a.length() + " elements";
            }
        }
        return null;
    }
}
