package io.github.tsm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfOddAndEvenCountsAndNearestRankP99() {
        assertEquals(new Stats(3, 9, 1, 9, 5), Stats.of(new double[] {9, 1, 3, 7, 2}));
        assertEquals(2.5, Stats.of(new double[] {4, 1, 2, 3}).median());
        double[] hundred = new double[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = 100 - i;
        }
        assertEquals(99, Stats.of(hundred).p99());
    }

    @Test
    void timeRunsWarmupPlusTimedCalls() throws Exception {
        int[] calls = {0};
        Stats s = Stats.time(3, 10, () -> calls[0]++);
        assertEquals(13, calls[0]);
        assertEquals(10, s.runs());
    }

    @Test
    void timeAfterWarmsUpForAtLeastTheTimeAndTheCountThenTimesTheRuns() throws Exception {
        int[] calls = {0};
        Stats quick = Stats.timeAfter(0, 3, 10, () -> calls[0]++);
        assertEquals(13, calls[0], "no time asked: the minimum count");
        assertEquals(10, quick.runs());
        calls[0] = 0;
        long t0 = System.nanoTime();
        Stats s = Stats.timeAfter(0.05, 2, 4, () -> {
            calls[0]++;
            Thread.sleep(1);
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(4, s.runs());
        org.junit.jupiter.api.Assertions.assertTrue(seconds >= 0.05, "warmed up for " + seconds + " s");
        org.junit.jupiter.api.Assertions.assertTrue(calls[0] >= 2 + 4 && calls[0] <= 50 + 4,
                "1-ms calls in 50 ms of warm-up plus 4 timed: " + calls[0]);
    }

    @Test
    void settingsRejectFewerThanTenRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BenchSettings(2, 1, 9, 224, false, EnumSet.of(BenchSection.R50)));
        assertEquals("bench --runs must be >= 10 (medians of at least 10), found 9", e.getMessage());
    }
}
