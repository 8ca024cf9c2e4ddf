package io.github.tsm4j.examples.bench;

import io.github.tsm4j.core.InPlaceShift;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.TemporalShift;
import io.github.tsm4j.core.exec.BoundOp;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH benchmark of the inference form's in-place shift ({@link InPlaceShift}, BIDIRECTIONAL, foldDiv 8, T = 8,
 * float32) as a network runs it: the block input is first rewritten (libnd4j's {@code assign} into it on the
 * OpenMP threads, as the layer before writes it), then shifted with {@code apply()} and given back with
 * {@code undo()}. {@code rewrite} times the copy alone, so {@code rewriteApplyUndo − rewrite} is the shift's cost on
 * a freshly written array. (A rewrite on Java helper threads would leave them spinning against oneDNN's OpenMP
 * workers, which a network does not do.)
 *
 * <p>Cases ({@code layoutShape}): the NHWC inputs of TSM-ResNet-50's shifted blocks for one 8-frame clip at 224 px
 * ({@code [8, 56, 56, 64]}, {@code [8, 56, 56, 256]}, {@code [8, 28, 28, 512]}, {@code [8, 14, 14, 1024]},
 * {@code [8, 7, 7, 2048]}) and the largest one for four clips ({@code [32, 56, 56, 256]}). {@code engine}:
 * {@code host} (the calling thread, {@link TemporalShift.Kernel#HOST}) or {@code onednn} (reorders on oneDNN's
 * threads through a side buffer, {@link TemporalShift.Kernel#ONEDNN}).
 *
 * <p>Run: {@code java -cp tsm-examples/target/tsm.jar io.github.tsm4j.examples.bench.InPlaceShiftBenchmark}
 * (JMH options may follow, e.g. {@code -p engine=onednn -wi 2 -i 3}); after JMH's table, {@link #main} prints the
 * shift's milliseconds per engine and case and the host/oneDNN ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InPlaceShiftBenchmark {

    /** Layout and shape of the block input, {@code NHWC:[N·T]xHxWxC} or {@code NCHW:[N·T]xCxHxW}. */
    @Param({"NHWC:8x56x56x64", "NHWC:8x56x56x256", "NHWC:8x28x28x512", "NHWC:8x14x14x1024", "NHWC:8x7x7x2048",
        "NHWC:32x56x56x256"})
    public String layoutShape;

    /** {@code host} or {@code onednn}. */
    @Param({"host", "onednn"})
    public String engine;

    /** ND4J (OpenMP) threads. */
    @Param({"2"})
    public int threads;

    private INDArray x;
    private INDArray fresh;
    private InPlaceShift shift;
    private BoundOp copy;

    /** Allocates the arrays and binds the shift once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        String[] parts = layoutShape.split(":");
        CNN2DFormat format = CNN2DFormat.valueOf(parts[0]);
        x = Nd4j.rand(DataType.FLOAT, ShiftBenchmark.parse(parts[1]));
        fresh = x.dup();
        copy = BoundOp.builder("assign").inputs(x, fresh).outputs(x).build();
        TemporalShift.Kernel kernel = TemporalShift.Kernel.valueOf(engine.toUpperCase(Locale.ROOT));
        shift = InPlaceShift.of(x, ShiftBench.SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, format, kernel, 1);
        if (shift.onOneDnn() != (kernel == TemporalShift.Kernel.ONEDNN)) {
            throw new IllegalStateException("InPlaceShiftBenchmark: engine " + engine + " asked for, but the shift "
                    + (shift.onOneDnn() ? "runs on oneDNN" : "runs on the host (oneDNN's natives missing?)"));
        }
    }

    /** Frees the arrays and the shift. */
    @TearDown(Level.Trial)
    public void tearDown() {
        shift.close();
        copy.close();
        x.close();
        fresh.close();
    }

    /** @return the rewritten block input */
    @Benchmark
    public INDArray rewrite() {
        copy.run();
        return x;
    }

    /** @return the block input, rewritten, shifted and given back */
    @Benchmark
    public INDArray rewriteApplyUndo() {
        copy.run();
        shift.apply();
        shift.undo();
        return x;
    }

    /**
     * Runs the benchmark and prints the shift's cost ({@code rewriteApplyUndo − rewrite}) per case and engine.
     *
     * @param args JMH command-line options
     * @throws Exception if JMH fails or an option is wrong
     */
    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        Collection<RunResult> results = new Runner(new OptionsBuilder().parent(cli)
                .include(InPlaceShiftBenchmark.class.getName()).build()).run();
        Map<String, Map<String, Double>> shiftMs = new LinkedHashMap<>();
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().endsWith(".rewriteApplyUndo")) {
                continue;
            }
            String c = r.getParams().getParam("layoutShape");
            String e = r.getParams().getParam("engine");
            for (RunResult base : results) {
                if (base.getParams().getBenchmark().endsWith(".rewrite")
                        && c.equals(base.getParams().getParam("layoutShape"))
                        && e.equals(base.getParams().getParam("engine"))) {
                    shiftMs.computeIfAbsent(c, k -> new LinkedHashMap<>()).put(e,
                            r.getPrimaryResult().getScore() - base.getPrimaryResult().getScore());
                }
            }
        }
        System.out.println();
        System.out.println("| case | host apply+undo, ms | oneDNN apply+undo, ms | host / oneDNN |");
        System.out.println("|---|---:|---:|---:|");
        for (Map.Entry<String, Map<String, Double>> c : shiftMs.entrySet()) {
            double host = c.getValue().getOrDefault("host", Double.NaN);
            double oneDnn = c.getValue().getOrDefault("onednn", Double.NaN);
            System.out.println(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.2f |", c.getKey(), host, oneDnn,
                    host / oneDnn));
        }
    }
}
