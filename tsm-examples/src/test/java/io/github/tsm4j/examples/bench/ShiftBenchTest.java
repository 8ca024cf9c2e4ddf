package io.github.tsm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;

class ShiftBenchTest {

    @Test
    void runReportsEveryOperationWithBandwidthAndRatioToTheBestCopy() {
        ShiftBench.Result r = ShiftBench.run(2, 2, List.of(new long[] {8, 16, 4, 4}));
        assertEquals(List.of("shift", "back", "shift+back", "memcpy", "assign", "dup", "shift (interleaved)",
                "back (interleaved)", "memcpy (interleaved)"), r.rows().stream().map(ShiftBench.Row::operation).toList());
        long bytes = 8L * 16 * 4 * 4 * 4;
        assertEquals(List.of(2 * bytes, 2 * bytes, 4 * bytes, 2 * bytes, 2 * bytes, 2 * bytes, 2 * bytes, 2 * bytes,
                2 * bytes), r.rows().stream().map(ShiftBench.Row::bytesMoved).toList());
        double best = Math.max(r.rows().get(3).gigabytesPerSecond(), r.rows().get(4).gigabytesPerSecond());
        assertEquals(1.0, Math.max(r.rows().get(3).ratioToCopy(), r.rows().get(4).ratioToCopy()));
        double mixedCopy = r.rows().get(8).gigabytesPerSecond();
        assertEquals(1.0, r.rows().get(8).ratioToCopy(), 1e-12, "the interleaved memcpy is its own yardstick");
        for (ShiftBench.Row row : r.rows()) {
            assertEquals("8×16×4×4", row.shape());
            assertEquals(row.bytesMoved() / (row.medianMillis() * 1e-3) / 1e9, row.gigabytesPerSecond(),
                    1e-9 * row.gigabytesPerSecond(), "GB/s is bytes moved over the median: " + row);
            double yardstick = row.operation().endsWith(ShiftBench.INTERLEAVED) ? mixedCopy : best;
            assertEquals(row.gigabytesPerSecond() / yardstick, row.ratioToCopy(),
                    1e-12 * row.ratioToCopy(), "ratio to the copy timed the same way: " + row);
        }
        assertTrue(r.toMarkdown().startsWith("| layout | shape | operation | median ms |"));
        assertEquals(CNN2DFormat.NCHW, r.rows().get(0).layout());
    }

    @Test
    void nhwcRunsTheSameOperationsAndNamesTheLayout() {
        ShiftBench.Result r = ShiftBench.run(1, 2, List.of(new long[] {8, 4, 4, 16}), CNN2DFormat.NHWC);
        assertEquals(List.of("shift", "back", "shift+back", "memcpy", "assign", "dup", "shift (interleaved)",
                "back (interleaved)", "memcpy (interleaved)"), r.rows().stream().map(ShiftBench.Row::operation).toList());
        for (ShiftBench.Row row : r.rows()) {
            assertEquals(CNN2DFormat.NHWC, row.layout());
            assertEquals("8×4×4×16", row.shape());
        }
        assertTrue(r.toMarkdown().contains("| NHWC | 8×4×4×16 | shift |"), r.toMarkdown());
    }

    @Test
    void rejectsNonPositiveThreadsAndIterations() {
        assertEquals("ShiftBench: threads must be >= 1, found 0",
                assertThrows(IllegalArgumentException.class, () -> ShiftBench.run(0, 1)).getMessage());
        assertEquals("ShiftBench: iterations must be >= 1, found 0",
                assertThrows(IllegalArgumentException.class, () -> ShiftBench.run(1, 0)).getMessage());
    }
}
