package io.github.tsm4j.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

class SgdMomentumTest {

    /**
     * PyTorch SGD(lr, momentum=0.9): buf1 = g1 = [1, -2], step1 = 0.1·buf1 = [0.1, -0.2];
     * lr drops to 0.01; buf2 = 0.9·buf1 + g2 = [0.9 + 0.5, -1.8 + 0.5] = [1.4, -1.3], step2 = [0.014, -0.013].
     * (Nesterovs would give different steps.)
     */
    @Test
    void stepsMatchPyTorchMomentumAcrossALearningRateChange() {
        LearningRateSchedule schedule = new LearningRateSchedule(LrPolicy.STEP, 0.1, 10, List.of(1), 0.1, 0, 1);
        SgdMomentum config = new SgdMomentum(schedule, 0.9);
        INDArray state = Nd4j.zeros(DataType.DOUBLE, 1, 2);
        GradientUpdater<?> u = config.instantiate(state, true);
        INDArray g1 = Nd4j.createFromArray(1.0, -2.0).reshape(1, 2);
        u.applyUpdater(g1, 0, 0);
        assertArrayEquals(new double[] {0.1, -0.2}, g1.toDoubleVector(), 1e-12);
        INDArray g2 = Nd4j.createFromArray(0.5, 0.5).reshape(1, 2);
        u.applyUpdater(g2, 1, 1);
        assertArrayEquals(new double[] {0.014, -0.013}, g2.toDoubleVector(), 1e-12);
        assertArrayEquals(new double[] {1.4, -1.3}, state.toDoubleVector(), 1e-12);
    }

    @Test
    void scheduleDecaysByStepsCosineAndWarmsUpLinearly() {
        LearningRateSchedule step = new LearningRateSchedule(LrPolicy.STEP, 0.02, 50, List.of(20, 40), 0.1, 0, 10);
        assertEquals(0.02, step.valueAt(0, 19), 1e-15);
        assertEquals(0.002, step.valueAt(0, 20), 1e-15);
        assertEquals(0.0002, step.valueAt(0, 45), 1e-15);
        LearningRateSchedule cos = new LearningRateSchedule(LrPolicy.COSINE, 0.02, 50, List.of(), 0.1, 0, 10);
        assertEquals(0.01, cos.valueAt(0, 25), 1e-15);
        LearningRateSchedule warm = new LearningRateSchedule(LrPolicy.STEP, 0.02, 50, List.of(), 0.1, 2, 10);
        assertEquals(0.02 / 20, warm.valueAt(0, 0), 1e-15);
        assertEquals(0.02 * 10 / 20, warm.valueAt(9, 0), 1e-15);
        assertEquals(0.02, warm.valueAt(20, 2), 1e-15);
        assertEquals(0.1, step.times(5).valueAt(0, 0), 1e-15);
    }

    @Test
    void recipeScalesLearningRateWithBatchSizeAndNamesBadValues() {
        TrainingRecipe r = TrainingRecipe.builder().learningRate(0.01).batchSize(8).referenceBatchSize(64).build();
        assertEquals(0.00125, r.effectiveLearningRate(), 1e-15);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.builder().lrSteps(List.of(40, 20)).build());
        assertEquals("TrainingRecipe.lrSteps must be ascending epochs >= 1, found [40, 20]", e.getMessage());
    }
}
