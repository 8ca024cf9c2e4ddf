package io.github.tsm4j.core.norm;

import io.github.tsm4j.core.HostVectors;
import io.github.tsm4j.core.conv.ConvActivation;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime of {@link NativeBatchNorm}. It extends DL4J's runtime {@code BatchNormalization} only for the type and
 * the bookkeeping that DL4J keys on it (no division of the running-statistics "gradients" by the minibatch size,
 * layer type); forward and backward are its own.
 *
 * <p>Forward, training (M = N·H·W values per channel): mean by one BLAS pass, {@code (x − mean)²} into the output
 * array, the biased variance by a second BLAS pass, then libnd4j's {@code batchnorm} op writes the normalised output
 * over it, then the activation in place. Inference: {@code batchnorm} with the running estimates, activation.
 *
 * <p>Backward, with {@code g} the output gradient after the activation's mask, s = 1/√(var + eps), x̂ = (x − μ)·s:
 * {@code dβ = Σg}, {@code dγ = Σ g·x̂ = s·(Σ g·x − μ·Σg)} and
 * {@code dx = γ·s·(g − dβ/M − x̂·dγ/M) = a·g + b·x + c} with per-channel a, b, c: two BLAS sums, one product pass,
 * two affine passes and one add. The per-channel arithmetic runs in double precision in Java.
 *
 * <p>Ownership: the batch mean and variance of the last training forward pass live in two small arrays of this layer
 * (outside every workspace); with a fused activation the layer also keeps a reference to its output (in the
 * activations workspace, open until backpropagation ends).
 */
public final class NativeBatchNormLayer extends BatchNormalization {

    private static final long serialVersionUID = 1L;

    private transient INDArray batchMean;
    private transient INDArray batchVar;
    private transient long batchCount;
    private transient INDArray lastOutput;
    /** Whether the last training forward pass ran through {@link #oneDnn} (its statistics and ReLU mask). */
    private transient boolean lastOneDnn;
    private transient OneDnnBatchNorm oneDnn;

    NativeBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private NativeBatchNorm bnConf() {
        return (NativeBatchNorm) layerConf();
    }

    private boolean nhwc() {
        return bnConf().getCnn2DFormat() == CNN2DFormat.NHWC;
    }

    private INDArray checkedInput(INDArray in) {
        NativeBatchNorm c = bnConf();
        int channelDim = nhwc() ? 3 : 1;
        if (in.rank() != 4 || in.size(channelDim) != c.getNOut()) {
            throw new IllegalArgumentException("NativeBatchNorm '" + c.getLayerName() + "' (index " + getIndex()
                    + "): expected input " + (nhwc() ? "[N, H, W, " + c.getNOut() + "] (NHWC)"
                    : "[N, " + c.getNOut() + ", H, W] (NCHW)") + ", found " + Arrays.toString(in.shape()));
        }
        INDArray x = in.castTo(dataType);
        return x.isView() || x.ordering() != 'c' ? x.dup('c') : x;
    }

    /** @return the parameter as a contiguous {@code [C]} view */
    private INDArray vector(String key) {
        return getParam(key).reshape(bnConf().getNOut());
    }

    /** Whether the last training forward pass ran through oneDNN's primitives (for tests). */
    boolean lastForwardOneDnn() {
        return lastOneDnn;
    }

    /** The layer's oneDNN primitives when the configuration asks for them and every array suits them, else null. */
    private OneDnnBatchNorm oneDnnFor(INDArray... arrays) {
        NativeBatchNorm c = bnConf();
        if (!c.isOneDnn() || c.getFusedActivation() == ConvActivation.RELU6
                || !io.github.tsm4j.core.conv.OneDnn.suits(arrays)
                || !io.github.tsm4j.core.conv.OneDnn.availableFor("BatchNorm", c.getLayerName())) {
            return null;
        }
        if (oneDnn == null) {
            oneDnn = new OneDnnBatchNorm(c.getNOut(), nhwc(), c.getEps(),
                    c.getFusedActivation() == ConvActivation.RELU);
        }
        return oneDnn;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        return forward(input, training, workspaceMgr);
    }

    @Override
    public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
        return forward(x, training == TrainingMode.TRAIN, workspaceMgr);
    }

    private INDArray forward(INDArray in, boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = checkedInput(in);
        NativeBatchNorm c = bnConf();
        boolean nhwc = nhwc();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
        INDArray gamma = vector(BatchNormalizationParamInitializer.GAMMA);
        INDArray beta = vector(BatchNormalizationParamInitializer.BETA);
        long channels = c.getNOut();
        long m = x.length() / channels;
        if (training) {
            if (m < 2) {
                throw new IllegalArgumentException("NativeBatchNorm '" + c.getLayerName() + "': training needs more "
                        + "than one value per channel, found input " + Arrays.toString(x.shape()));
            }
            ensureStatistics(channels);
            batchCount = m;
        }
        lastOneDnn = false;
        OneDnnBatchNorm direct = oneDnnFor(x, out, gamma, beta);
        if (direct != null) {
            if (training) {
                direct.forwardTraining(x, gamma, beta, out, batchMean, batchVar);
                lastOneDnn = true;
                lastOutput = out;
            } else {
                direct.forwardInference(x, gamma, beta, out, vector(BatchNormalizationParamInitializer.GLOBAL_MEAN),
                        vector(BatchNormalizationParamInitializer.GLOBAL_VAR));
                lastOutput = null;
            }
            return out;
        }
        if (training) {
            INDArray sums = Nd4j.createUninitialized(dataType, new long[] {1, channels}, 'c');
            BatchNormOps.channelSums(x, nhwc, sums);
            batchMean.assign(sums.reshape(channels).divi(m));
            BatchNormOps.squaredDeviation(x, batchMean, nhwc, out);
            BatchNormOps.channelSums(out, nhwc, sums);
            batchVar.assign(sums.reshape(channels).divi(m));
            BatchNormOps.batchnorm(x, batchMean, batchVar, gamma, beta, c.getEps(), nhwc, out);
        } else {
            BatchNormOps.batchnorm(x, vector(BatchNormalizationParamInitializer.GLOBAL_MEAN),
                    vector(BatchNormalizationParamInitializer.GLOBAL_VAR), gamma, beta, c.getEps(), nhwc, out);
        }
        BatchNormOps.activateInPlace(c.getFusedActivation(), out);
        lastOutput = training ? out : null;
        return out;
    }

    private void ensureStatistics(long channels) {
        if (batchMean == null || batchMean.length() != channels || batchMean.dataType() != dataType) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                batchMean = Nd4j.create(dataType, channels);
                batchVar = Nd4j.create(dataType, channels);
            }
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        NativeBatchNorm c = bnConf();
        if (batchCount == 0 || lastOutput == null) {
            throw new IllegalStateException("NativeBatchNorm '" + c.getLayerName() + "': backpropGradient without a "
                    + "preceding activate(training = true)");
        }
        boolean nhwc = nhwc();
        int channels = (int) c.getNOut();
        INDArray x = checkedInput(input);
        INDArray eps = epsilon.castTo(dataType);
        eps = eps.isView() || eps.ordering() != 'c' ? eps.dup('c') : eps;
        if (!Arrays.equals(eps.shape(), x.shape())) {
            throw new IllegalArgumentException("NativeBatchNorm '" + c.getLayerName() + "': gradient shape "
                    + Arrays.toString(eps.shape()) + " differs from input shape " + Arrays.toString(x.shape()));
        }
        if (lastOneDnn) {
            return oneDnnBackward(x, eps, workspaceMgr);
        }
        // g: own buffer (masked gradient, or a copy target for a·g)
        INDArray g = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
        INDArray grad = BatchNormOps.activationBackward(c.getFusedActivation(), lastOutput, eps, g);
        INDArray sums = Nd4j.createUninitialized(dataType, new long[] {1, channels}, 'c');
        BatchNormOps.channelSums(grad, nhwc, sums);
        double[] sumG = HostVectors.read(sums);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        BatchNormOps.multiply(grad, x, dx);
        BatchNormOps.channelSums(dx, nhwc, sums);
        double[] sumGx = HostVectors.read(sums);

        double[] mu = HostVectors.read(batchMean);
        double[] var = HostVectors.read(batchVar);
        double[] gamma = HostVectors.read(vector(BatchNormalizationParamInitializer.GAMMA));
        double m = batchCount;
        double[] dGamma = new double[channels];
        double[] a = new double[channels];
        double[] b = new double[channels];
        double[] k = new double[channels];
        for (int i = 0; i < channels; i++) {
            double s = 1 / Math.sqrt(var[i] + c.getEps());
            dGamma[i] = s * (sumGx[i] - mu[i] * sumG[i]);
            a[i] = gamma[i] * s;
            b[i] = -gamma[i] * s * s * dGamma[i] / m;
            k[i] = gamma[i] * s * (s * mu[i] * dGamma[i] - sumG[i]) / m;
        }
        BatchNormOps.affine(x, vec(b), vec(k), nhwc, dx);
        BatchNormOps.affine(grad, vec(a), BatchNormOps.zeros(dataType, channels), nhwc, g);
        dx.addi(g);

        Gradient gradient = new DefaultGradient();
        setGradient(gradient, BatchNormalizationParamInitializer.GAMMA, dGamma);
        setGradient(gradient, BatchNormalizationParamInitializer.BETA, sumG);
        runningEstimateSteps(gradient, c);
        return new Pair<>(gradient, dx);
    }

    /** Backward through oneDNN's primitive: dx, dγ and dβ by oneDNN, the running-estimate steps as the path above. */
    private Pair<Gradient, INDArray> oneDnnBackward(INDArray x, INDArray eps, LayerWorkspaceMgr workspaceMgr) {
        NativeBatchNorm c = bnConf();
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        INDArray dGamma = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray dBeta = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        oneDnn.backward(x, vector(BatchNormalizationParamInitializer.GAMMA),
                vector(BatchNormalizationParamInitializer.BETA), batchMean, batchVar, eps, dx, dGamma, dBeta);
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGamma);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBeta);
        runningEstimateSteps(gradient, c);
        return new Pair<>(gradient, dx);
    }

    /** Running estimates: {@code param ← param − step}, {@code step = (1 − decay)·(param − batch value)}, as DL4J. */
    private void runningEstimateSteps(Gradient gradient, NativeBatchNorm c) {
        int channels = (int) c.getNOut();
        double[] mu = HostVectors.read(batchMean);
        double[] var = HostVectors.read(batchVar);
        double[] runMean = HostVectors.read(vector(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        double[] runVar = HostVectors.read(vector(BatchNormalizationParamInitializer.GLOBAL_VAR));
        double m = batchCount;
        double keep = 1 - c.getDecay();
        double[] dMean = new double[channels];
        double[] dVar = new double[channels];
        for (int i = 0; i < channels; i++) {
            dMean[i] = keep * (runMean[i] - mu[i]);
            dVar[i] = keep * (runVar[i] - var[i] * m / (m - 1));
        }
        setGradient(gradient, BatchNormalizationParamInitializer.GLOBAL_MEAN, dMean);
        setGradient(gradient, BatchNormalizationParamInitializer.GLOBAL_VAR, dVar);
    }

    private INDArray vec(double[] values) {
        return Nd4j.createFromArray(values).castTo(dataType);
    }

    private void setGradient(Gradient gradient, String key, double[] values) {
        INDArray view = gradientViews.get(key);
        HostVectors.write(values, view);
        gradient.setGradientFor(key, view);
    }

    @Override
    public void clear() {
        super.clear();
        lastOutput = null;
    }
}
