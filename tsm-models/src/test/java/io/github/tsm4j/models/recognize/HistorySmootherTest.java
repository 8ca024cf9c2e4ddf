package io.github.tsm4j.models.recognize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HistorySmootherTest {

    private static final int K = 27;

    /** One-hot logits: with window 1 the arg-max is the target, so only the demo's refinement acts. */
    private static int[] runOneHot(HistorySmoother.Config config, int[] targets) {
        HistorySmoother s = new HistorySmoother(config);
        int[] out = new int[targets.length];
        for (int t = 0; t < targets.length; t++) {
            float[] logits = new float[K];
            logits[targets[t]] = 1;
            out[t] = s.update(logits);
        }
        return out;
    }

    /** Deterministic noisy logits, exact in float (multiples of 1/4), with a bump of 3 on the target. */
    private static float[] noisy(int t, int target) {
        float[] v = new float[K];
        for (int k = 0; k < K; k++) {
            v[k] = (((t * 7 + k * 13) % 17) - 8) * 0.25f;
        }
        v[target] += 3f;
        return v;
    }

    private static final int[] NOISY_TARGETS = {2, 2, 2, 5, 5, 5, 5, 5, 5, 7, 7, 7, 0, 0, 0, 0, 16, 16, 16, 16, 16,
        16, 16, 16, 17, 16, 17, 16, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};

    @Test
    void demoRulesActFrameByFrame() {
        // golden: the official process_output with history [2] fed these arg-maxes (hand-checked too):
        // 5 accepted (2,2 agree), 6 refused once (5,2 disagree) then accepted, 7 ignored, 0 reported as 2,
        // 3 ignored, 8 ignored
        int[] targets = {2, 5, 6, 6, 7, 0, 3, 4, 4, 9, 9, 0, 0, 2, 2, 8, 1};
        HistorySmoother.Config demoRulesNoWindow =
                new HistorySmoother.Config(1, true, Set.of(7, 8, 21, 22, 3), Map.of(0, 2), 2);
        assertArrayEquals(new int[] {2, 5, 5, 6, 6, 2, 2, 4, 4, 9, 9, 2, 2, 2, 2, 2, 1},
                runOneHot(demoRulesNoWindow, targets));
    }

    @Test
    void jesterDemoMatchesOfficialCodeOnNoisyLogits() {
        // golden: online_demo/main.py (HISTORY_LOGIT over 12 frames + process_output, history [2]) run with
        // numpy float32 on exactly these logits
        int[] expected = {2, 2, 2, 2, 2, 2, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 2, 2, 2, 2, 16, 16, 16, 16, 16, 16, 16, 16,
            16, 16, 16, 16, 16, 9, 9, 9, 9, 9};
        HistorySmoother s = new HistorySmoother(HistorySmoother.Config.jesterDemo());
        int[] out = new int[NOISY_TARGETS.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = s.update(noisy(t, NOISY_TARGETS[t]));
        }
        assertArrayEquals(expected, out);
    }

    @Test
    void withoutRefinementTheLabelIsTheArgmaxOfTheWindowSum() {
        // golden: np.argmax(sum(last 12 logits)) on the same logits; 0 stays 0 (no alias without refine)
        int[] expected = {2, 2, 2, 2, 2, 2, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 16, 16, 16, 16, 16, 16, 16, 16,
            16, 16, 16, 16, 16, 9, 9, 9, 9, 9};
        HistorySmoother s = new HistorySmoother(new HistorySmoother.Config(12, false, Set.of(), Map.of(), 0));
        for (int t = 0; t < NOISY_TARGETS.length; t++) {
            assertEquals(expected[t], s.update(noisy(t, NOISY_TARGETS[t])), "frame " + t);
        }
    }

    @Test
    void windowOfOneWithoutRefinementIsTheRawArgmax() {
        int[] expected = {2, 2, 2, 14, 5, 5, 5, 5, 10, 16, 7, 7, 0, 0, 0, 1, 16, 13, 16, 8, 16, 16, 16, 16, 17, 16, 17,
            16, 9, 9, 6, 9, 1, 9, 9, 9, 9, 14};
        HistorySmoother s = new HistorySmoother(HistorySmoother.Config.ofWindow(1));
        for (int t = 0; t < NOISY_TARGETS.length; t++) {
            assertEquals(expected[t], s.update(noisy(t, NOISY_TARGETS[t])), "frame " + t);
        }
    }

    @Test
    void aNewLabelHoldsForAtLeastTwoFrames() {
        int[] out = runOneHot(new HistorySmoother.Config(1, true, Set.of(), Map.of(), 0), new int[] {0, 1, 2, 3, 4, 5});
        assertArrayEquals(new int[] {0, 1, 1, 3, 3, 5}, out);
    }

    @Test
    void firstFrameMayChangeTheInitialLabel() {
        // the demo would raise IndexError here (history [2] has no second entry); the start counts as settled
        int[] out = runOneHot(HistorySmoother.Config.jesterDemo(), new int[] {5, 5});
        assertArrayEquals(new int[] {5, 5}, out);
    }

    @Test
    void tiesGoToTheFirstIndexAsNumpyArgmax() {
        assertEquals(1, HistorySmoother.argmax(new float[] {0f, 2f, 2f, 1f}));
    }

    @Test
    void resetForgetsLogitsAndLabels() {
        HistorySmoother s = new HistorySmoother(HistorySmoother.Config.ofWindow(3));
        s.update(new float[] {0, 5, 0});
        s.update(new float[] {0, 5, 0});
        s.reset();
        assertEquals(2, s.update(new float[] {0, 0, 1}));
    }

    @Test
    void rejectsChangingLogitLengthAndBadWindow() {
        HistorySmoother s = new HistorySmoother(HistorySmoother.Config.ofWindow(2));
        s.update(new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.update(new float[4]));
        assertEquals("logits length changed from 3 to 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HistorySmoother.Config.ofWindow(0));
        assertEquals("history window must be >= 1, found 0", e.getMessage());
    }
}
