package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tsm4j.core.conv.ConvImplementation;
import io.github.tsm4j.core.norm.BatchNormImplementation;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;

class ExecutionOptionsTest {

    @Test
    void defaultsAreTheFastCpuPath() {
        ExecutionOptions d = ExecutionOptions.defaults();
        assertEquals(new ExecutionOptions(CNN2DFormat.NHWC, ConvImplementation.NATIVE, BatchNormImplementation.NATIVE,
                TemporalShift.Kernel.HOST, 1, StreamingExecution.BOUND, 256, 250_000), d);
        assertEquals(256L << 20, d.nativeGcBudgetBytes());
        assertEquals(d, ExecutionOptions.builder().build());
    }

    @Test
    void theOneDnnPresetIsTheDefaultsWithTheThreeOneDnnPaths() {
        assertEquals(new ExecutionOptions(CNN2DFormat.NHWC, ConvImplementation.ONEDNN, BatchNormImplementation.ONEDNN,
                TemporalShift.Kernel.ONEDNN, 1, StreamingExecution.BOUND, 256, 250_000), ExecutionOptions.oneDnn());
    }

    @Test
    void builderChangesOnlyWhatItIsTold() {
        ExecutionOptions o = ExecutionOptions.builder().layout(CNN2DFormat.NCHW).convolution(ConvImplementation.STOCK)
                .batchNorm(BatchNormImplementation.STOCK).shiftKernel(TemporalShift.Kernel.VIEWS).shiftThreads(0)
                .streamingExecutor(StreamingExecution.GRAPH).nativeGcBudgetMB(0).nativeGcBudgetArrays(7).build();
        assertEquals(new ExecutionOptions(CNN2DFormat.NCHW, ConvImplementation.STOCK, BatchNormImplementation.STOCK,
                TemporalShift.Kernel.VIEWS, 0, StreamingExecution.GRAPH, 0, 7), o);
        assertEquals(o, o.toBuilder().build());
        assertEquals(ExecutionOptions.defaults().toBuilder().shiftThreads(3).build().shiftThreads(), 3);
    }

    @Test
    void everyFieldIsValidatedWithItsName() {
        ExecutionOptions.Builder b = ExecutionOptions.builder();
        assertEquals("ExecutionOptions.layout must not be null, expected NCHW or NHWC",
                assertThrows(IllegalArgumentException.class, () -> ExecutionOptions.builder().layout(null).build())
                        .getMessage());
        assertEquals("ExecutionOptions.convolution must not be null, expected NATIVE or STOCK",
                assertThrows(IllegalArgumentException.class,
                        () -> ExecutionOptions.builder().convolution(null).build()).getMessage());
        assertEquals("ExecutionOptions.batchNorm must not be null, expected NATIVE or STOCK",
                assertThrows(IllegalArgumentException.class,
                        () -> ExecutionOptions.builder().batchNorm(null).build()).getMessage());
        assertEquals("ExecutionOptions.shiftKernel must not be null, expected HOST, VIEWS, REFERENCE or ONEDNN",
                assertThrows(IllegalArgumentException.class,
                        () -> ExecutionOptions.builder().shiftKernel(null).build()).getMessage());
        assertEquals("ExecutionOptions.streamingExecutor must not be null, expected BOUND or GRAPH",
                assertThrows(IllegalArgumentException.class,
                        () -> ExecutionOptions.builder().streamingExecutor(null).build()).getMessage());
        assertEquals("ExecutionOptions.shiftThreads must be >= 0 (1 = calling thread, 0 = ND4J's thread count), "
                + "found -1", assertThrows(IllegalArgumentException.class, () -> b.shiftThreads(-1).build())
                        .getMessage());
        assertEquals("ExecutionOptions.nativeGcBudgetMB must be >= 0 megabytes (0 = never collect), found -5",
                assertThrows(IllegalArgumentException.class,
                        () -> ExecutionOptions.builder().nativeGcBudgetMB(-5).build()).getMessage());
        assertEquals("ExecutionOptions.nativeGcBudgetArrays must be >= 0 (0 = not watched), found -1",
                assertThrows(IllegalArgumentException.class,
                        () -> ExecutionOptions.builder().nativeGcBudgetArrays(-1).build()).getMessage());
    }
}
