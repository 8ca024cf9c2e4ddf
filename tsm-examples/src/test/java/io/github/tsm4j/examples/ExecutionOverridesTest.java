package io.github.tsm4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.StreamingExecution;
import io.github.tsm4j.core.TemporalShift;
import io.github.tsm4j.core.conv.ConvImplementation;
import io.github.tsm4j.core.norm.BatchNormImplementation;
import java.util.Properties;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;

class ExecutionOverridesTest {

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        p.setProperty("java.version", "17"); // other properties are ignored
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    private static String error(String... keyValues) {
        return assertThrows(IllegalArgumentException.class, () -> ExecutionOverrides.parse(props(keyValues)))
                .getMessage();
    }

    @Test
    void noPropertiesGiveTheDefaultsWithOneDnnConvolutionsAndBatchNorm() {
        ExecutionOptions o = ExecutionOverrides.parse(props());
        assertEquals(ExecutionOptions.defaults().toBuilder().convolution(ConvImplementation.ONEDNN)
                .batchNorm(BatchNormImplementation.ONEDNN).shiftKernel(TemporalShift.Kernel.ONEDNN).build(), o);
        assertEquals(TemporalShift.Kernel.HOST,
                ExecutionOverrides.parse(props("tsm4j.shift.kernel", "host")).shiftKernel());
        assertEquals(BatchNormImplementation.ONEDNN, o.batchNorm());
        assertEquals(BatchNormImplementation.NATIVE, ExecutionOverrides.parse(props("tsm4j.bn", "native")).batchNorm());
        assertEquals(ConvImplementation.ONEDNN, o.convolution());
        assertEquals(o, ExecutionOverrides.cliDefaults());
        assertEquals(ConvImplementation.NATIVE, ExecutionOverrides.parse(props("tsm4j.conv", "native")).convolution());
        assertFalse(ExecutionOverrides.ffmpegLog(props()));
    }

    @Test
    void everyPropertySetsItsField() {
        ExecutionOptions o = ExecutionOverrides.parse(props("tsm4j.layout", "nchw", "tsm4j.conv", "STOCK",
                "tsm4j.bn", "native", "tsm4j.shift.kernel", " views ", "tsm4j.shift.threads", "0",
                "tsm4j.streaming.executor", "graph", "tsm4j.native.gcBudgetMB", "64",
                "tsm4j.native.gcBudgetArrays", "1000000", "tsm4j.ffmpeg.log", "true"));
        assertEquals(new ExecutionOptions(CNN2DFormat.NCHW, ConvImplementation.STOCK, BatchNormImplementation.NATIVE,
                TemporalShift.Kernel.VIEWS, 0, StreamingExecution.GRAPH, 64, 1_000_000), o);
        assertTrue(ExecutionOverrides.ffmpegLog(props("tsm4j.ffmpeg.log", "TRUE")));
    }

    @Test
    void stockConvolutionsBringStockBatchNormUnlessBatchNormIsSet() {
        assertEquals(BatchNormImplementation.STOCK,
                ExecutionOverrides.parse(props("tsm4j.conv", "stock")).batchNorm());
        assertEquals(BatchNormImplementation.NATIVE,
                ExecutionOverrides.parse(props("tsm4j.conv", "stock", "tsm4j.bn", "native")).batchNorm());
        assertEquals(BatchNormImplementation.ONEDNN,
                ExecutionOverrides.parse(props("tsm4j.conv", "native")).batchNorm());
    }

    @Test
    void badValuesAndUnknownNamesAreErrorsNamingThePropertyAndValue() {
        assertEquals("System property tsm4j.conv must be 'native', 'onednn' or 'stock', found 'fast'",
                error("tsm4j.conv", "fast"));
        assertEquals("System property tsm4j.layout must be 'nchw' or 'nhwc', found 'chw'", error("tsm4j.layout", "chw"));
        assertEquals("System property tsm4j.shift.kernel must be 'host', 'views', 'reference' or 'onednn', found 'fast'",
                error("tsm4j.shift.kernel", "fast"));
        assertEquals("System property tsm4j.streaming.executor must be 'bound' or 'graph', found 'dl4j'",
                error("tsm4j.streaming.executor", "dl4j"));
        assertEquals("System property tsm4j.shift.threads must be an integer >= 0 (1 = calling thread, 0 = ND4J's "
                + "count), found '-2'", error("tsm4j.shift.threads", "-2"));
        assertEquals("System property tsm4j.native.gcBudgetMB must be a whole number of megabytes >= 0 "
                + "(0 = never collect), found 'lots'", error("tsm4j.native.gcBudgetMB", "lots"));
        assertEquals("System property tsm4j.native.gcBudgetArrays must be a whole number >= 0 (0 = not watched), "
                + "found '1.5'", error("tsm4j.native.gcBudgetArrays", "1.5"));
        assertEquals("Unknown system property tsm4j.shift.kernal; tsm4j reads [tsm4j.layout, tsm4j.conv, tsm4j.bn, "
                + "tsm4j.shift.kernel, tsm4j.shift.threads, tsm4j.streaming.executor, tsm4j.native.gcBudgetMB, "
                + "tsm4j.native.gcBudgetArrays, tsm4j.ffmpeg.log]", error("tsm4j.shift.kernal", "views"));
        assertEquals("System property tsm4j.ffmpeg.log must be 'true' or 'false', found 'yes'",
                assertThrows(IllegalArgumentException.class,
                        () -> ExecutionOverrides.ffmpegLog(props("tsm4j.ffmpeg.log", "yes"))).getMessage());
    }
}
