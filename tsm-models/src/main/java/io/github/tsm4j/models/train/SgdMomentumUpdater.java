package io.github.tsm4j.models.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * Runtime half of {@link SgdMomentum}: holds the momentum buffer (a view into the network's updater
 * state array, so it is saved with the model) and turns a gradient into the step that DL4J subtracts
 * from the parameters.
 */
final class SgdMomentumUpdater implements GradientUpdater<SgdMomentum> {
    private final SgdMomentum config;
    private INDArray buffer;

    SgdMomentumUpdater(SgdMomentum config) {
        this.config = config;
    }

    @Override
    public SgdMomentum getConfig() {
        return config;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        INDArray b = stateMap.get(SgdMomentum.BUFFER_STATE);
        if (b == null || stateMap.size() != 1) {
            throw new IllegalArgumentException("SgdMomentum state must hold exactly '" + SgdMomentum.BUFFER_STATE
                    + "', found keys " + stateMap.keySet());
        }
        buffer = b;
        if (initialize) {
            buffer.assign(0);
        }
    }

    @Override
    public Map<String, INDArray> getState() {
        return Map.of(SgdMomentum.BUFFER_STATE, buffer);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (!viewArray.isRowVectorOrScalar()) {
            throw new IllegalArgumentException("SgdMomentum state view must be a row vector, found shape "
                    + java.util.Arrays.toString(viewArray.shape()));
        }
        if (initialize) {
            viewArray.assign(0);
        }
        buffer = viewArray.reshape(gradientOrder, gradientShape);
    }

    /** In place: {@code gradient ← lr · (buffer ← μ·buffer + gradient)}. */
    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (buffer == null) {
            throw new IllegalStateException("SgdMomentum updater has no state: setStateViewArray was not called");
        }
        double lr = config.getLearningRate(iteration, epoch);
        buffer.muli(config.momentum()).addi(gradient);
        gradient.assign(buffer).muli(lr);
    }
}
