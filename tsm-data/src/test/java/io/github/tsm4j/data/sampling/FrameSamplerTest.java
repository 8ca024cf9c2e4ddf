package io.github.tsm4j.data.sampling;

import io.github.tsm4j.core.clip.SamplingMode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class FrameSamplerTest {

    /** A generator whose nextInt(bound) is always bound − 1 (the largest offset). */
    static final RandomGenerator MAX = new RandomGenerator() {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int nextInt(int bound) {
            return bound - 1;
        }
    };

    @Test
    void uniformTestTakesSegmentCentresAsTheOfficialIntTickFormula() {
        // tick = 30 / 8 = 3.75; int(1.875 + 3.75 i)
        assertArrayEquals(new int[] {1, 5, 9, 13, 16, 20, 24, 28}, FrameSampler.of(8, SamplingMode.UNIFORM).testIndices(30));
        // fewer frames than segments: tick = 0.5 -> int(0.25 + 0.5 i)
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2, 3, 3}, FrameSampler.of(8, SamplingMode.UNIFORM).testIndices(4));
    }

    @Test
    void twiceAddsTheSegmentStartsAsSecondClip() {
        assertArrayEquals(new int[] {1, 5, 9, 13, 16, 20, 24, 28, 0, 3, 7, 11, 15, 18, 22, 26},
                FrameSampler.of(8, SamplingMode.TWICE).testIndices(30));
    }

    @Test
    void uniformMultiClipTestSpreadsClipOffsetsInsideEachSegment() {
        // tick = 4; clip k starts at 4 (k + 0.5) / 2 = 1, 3
        assertArrayEquals(new int[] {1, 5, 9, 13, 3, 7, 11, 15}, new FrameSampler(4, SamplingMode.UNIFORM, 2).testIndices(16));
    }

    @Test
    void denseTestUsesTenWindowStartsFromFlooredLinspace() {
        int[] idx = FrameSampler.of(8, SamplingMode.DENSE).testIndices(74);
        assertEquals(80, idx.length);
        int[] starts = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10}; // floor(linspace(0, 10, 10))
        for (int k = 0; k < 10; k++) {
            for (int i = 0; i < 8; i++) {
                assertEquals((starts[k] + 8 * i) % 74, idx[k * 8 + i], "clip " + k + " frame " + i);
            }
        }
        // short video: one window, indices wrap modulo n
        assertArrayEquals(new int[] {0, 8, 16, 24, 32, 0, 8, 16},
                java.util.Arrays.copyOf(FrameSampler.of(8, SamplingMode.DENSE).testIndices(40), 8));
    }

    @Test
    void uniformTrainPicksOneRandomFrameInEachSegment() {
        // avg = 30 / 8 = 3, offset randint(3) = 2 with the MAX generator
        assertArrayEquals(new int[] {2, 5, 8, 11, 14, 17, 20, 23}, FrameSampler.of(8, SamplingMode.UNIFORM).trainIndices(30, MAX));
        // fewer frames than segments: all zeros, as the official code
        assertArrayEquals(new int[8], FrameSampler.of(8, SamplingMode.UNIFORM).trainIndices(6, MAX));
        SplittableRandom r = new SplittableRandom(1);
        for (int rep = 0; rep < 100; rep++) {
            int[] idx = FrameSampler.of(8, SamplingMode.TWICE).trainIndices(30, r);
            for (int i = 0; i < 8; i++) {
                assertEquals(i, idx[i] / 3 > 7 ? 7 : Math.min(idx[i] / 3, 7), "segment of index " + idx[i]);
            }
        }
    }

    @Test
    void denseTrainDrawsTheWindowStartBelowWindowMinusOne() {
        // window = 1 + 100 - 64 = 37, start = randint(36) = 35, stride 64 / 8 = 8
        assertArrayEquals(new int[] {35, 43, 51, 59, 67, 75, 83, 91}, FrameSampler.of(8, SamplingMode.DENSE).trainIndices(100, MAX));
        assertArrayEquals(new int[] {0, 8, 16, 24, 32, 0, 8, 16}, FrameSampler.of(8, SamplingMode.DENSE).trainIndices(40, MAX));
    }

    @Test
    void sameSeedGivesSameIndices() {
        FrameSampler s = FrameSampler.of(8, SamplingMode.UNIFORM);
        assertArrayEquals(s.trainIndices(123, new SplittableRandom(9)), s.trainIndices(123, new SplittableRandom(9)));
    }

    @Test
    void rejectsBadConfiguration() {
        assertEquals("FrameSampler.testClips must be 2 for TWICE, found 3",
                assertThrows(IllegalArgumentException.class, () -> new FrameSampler(8, SamplingMode.TWICE, 3)).getMessage());
        assertEquals("frameCount must be >= 1, found 0",
                assertThrows(IllegalArgumentException.class, () -> FrameSampler.of(8, SamplingMode.UNIFORM).testIndices(0)).getMessage());
    }
}
