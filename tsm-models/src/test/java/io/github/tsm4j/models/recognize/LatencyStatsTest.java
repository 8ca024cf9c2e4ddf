package io.github.tsm4j.models.recognize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    @Test
    void medianAndNearestRankP99OfOneToHundredMillis() {
        LatencyStats s = new LatencyStats();
        for (int i = 100; i >= 1; i--) { // order must not matter
            s.record(i * 1_000_000L);
        }
        LatencyStats.Summary sum = s.summary();
        assertEquals(100, sum.count());
        assertEquals(50.5, sum.medianMs(), 1e-12);
        assertEquals(99.0, sum.p99Ms(), 1e-12);
        assertEquals(50.5, sum.meanMs(), 1e-12);
        assertEquals(100.0, sum.maxMs(), 1e-12);
    }

    @Test
    void oddCountMedianIsTheMiddleAndSmallCountP99IsTheMax() {
        LatencyStats s = new LatencyStats();
        s.record(3_000_000);
        s.record(1_000_000);
        s.record(7_000_000);
        assertEquals(3.0, s.summary().medianMs(), 1e-12);
        assertEquals(7.0, s.summary().p99Ms(), 1e-12);
    }

    @Test
    void growsPastItsInitialCapacity() {
        LatencyStats s = new LatencyStats();
        for (int i = 0; i < 5000; i++) {
            s.record(1000);
        }
        assertEquals(5000, s.count());
        assertEquals(0.001, s.summary().p99Ms(), 1e-12);
    }

    @Test
    void emptyIsZeroAndNegativeIsRejected() {
        assertEquals(new LatencyStats.Summary(0, 0, 0, 0, 0), new LatencyStats().summary());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LatencyStats().record(-1));
        assertEquals("latency must be >= 0 ns, found -1", e.getMessage());
    }
}
