package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The numerics tests give the same results whatever order they run in: they are run again here, in
 * another order (methods shuffled with a fixed seed, the classes in reverse), followed by a probe that
 * computes with ND4J's defaults; the probe must be bit-identical to its result on a clean JVM state. This
 * fails if a test leaves a process-wide setting changed (such as double-precision defaults set by a
 * gradient check without {@link RestoreNd4jGlobals}).
 */
class NumericsOrderTest {

    /** Computes with ND4J's default data type; run through the launcher only (surefire skips nested classes). */
    @Order(Integer.MAX_VALUE)
    static final class DefaultTypeProbe {
        static DataType type;
        static double[] values;

        @Test
        void compute() {
            Nd4j.getRandom().setSeed(20191027);
            INDArray x = Nd4j.rand(2, 3, 4).muli(4).subi(2);
            INDArray y = Transforms.sigmoid(x).mul(x).sum(2);
            type = y.dataType();
            values = y.reshape(-1).toDoubleVector();
        }
    }

    @Test
    void numericsTestsPassInASecondOrderAndLeaveNoGlobalState() {
        TestExecutionSummary reference = run(List.of(DefaultTypeProbe.class), 0);
        assertEquals(1, reference.getTestsSucceededCount(), "found " + reference.getTestsFoundCount() + " " + failures(reference));
        DataType referenceType = DefaultTypeProbe.type;
        double[] referenceValues = DefaultTypeProbe.values;

        // GradientCheckTest (double precision too) is left out of the second order only for time: it is the
        // slowest, and NativeConvTest, NativeActivationTest and NativeBatchNormTest set double defaults as well
        List<String> numerics = List.of("TemporalShiftTest", "OnlineShiftTest", "conv.BoundConvTest", "conv.NativeConvTest",
                "layers.TemporalShiftLayerTest", "layers.TemporalPoolLayerTest", "norm.NativeActivationTest",
                "norm.NativeBatchNormTest");
        List<Class<?>> reversed = new ArrayList<>();
        for (int i = numerics.size() - 1; i >= 0; i--) {
            reversed.add(testClass(numerics.get(i)));
        }
        reversed.add(DefaultTypeProbe.class);
        DefaultTypeProbe.values = null;
        TestExecutionSummary shuffled = run(reversed, 42);
        assertEquals(0, shuffled.getTotalFailureCount(), failures(shuffled));
        assertEquals(shuffled.getTestsFoundCount(), shuffled.getTestsSucceededCount() + shuffled.getTestsSkippedCount());
        assertEquals(referenceType, DefaultTypeProbe.type, "default data type after the double-precision tests");
        assertArrayEquals(referenceValues, DefaultTypeProbe.values, 0.0, "probe after the numerics tests, bitwise");
    }

    /** Runs the classes through the JUnit launcher; {@code seed != 0} shuffles the methods of each class. */
    private static TestExecutionSummary run(List<Class<?>> classes, long seed) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        classes.forEach(c -> selectors.add(selectClass(c)));
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request().selectors(selectors)
                .configurationParameter("junit.jupiter.testclass.order.default", "org.junit.jupiter.api.ClassOrderer$OrderAnnotation");
        if (seed != 0) {
            b.configurationParameter("junit.jupiter.testmethod.order.default", "org.junit.jupiter.api.MethodOrderer$Random")
                    .configurationParameter("junit.jupiter.execution.order.random.seed", Long.toString(seed));
        }
        LauncherDiscoveryRequest request = b.build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        return listener.getSummary();
    }

    private static Class<?> testClass(String name) {
        try {
            return Class.forName("io.github.tsm4j.core." + name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("test class " + name + " was renamed: update NumericsOrderTest", e);
        }
    }

    private static String failures(TestExecutionSummary s) {
        StringWriter w = new StringWriter();
        s.printFailuresTo(new PrintWriter(w), 20);
        return w.toString();
    }
}
