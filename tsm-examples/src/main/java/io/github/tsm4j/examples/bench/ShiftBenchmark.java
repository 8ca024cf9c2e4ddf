package io.github.tsm4j.examples.bench;

import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.TemporalShift;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
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
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH benchmark of the temporal shift ({@link TemporalShift}, BIDIRECTIONAL, foldDiv 8, T = 8, float32,
 * NCHW): forward, forward+backward, and, on the same array in the same run, a preallocated
 * {@code assign} copy and {@code dup()} (allocation and release included).
 *
 * <p>Run: {@code java -cp tsm-examples/target/tsm.jar io.github.tsm4j.examples.bench.ShiftBenchmark}
 * (JMH options may follow, e.g. {@code -p threads=2}); after JMH's own table, {@link #main} prints
 * GB/s (bytes read + written: 2 × the array for forward, assign and dup, 4 × for forward+backward) and
 * the ratio to {@code assign} per shape.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ShiftBenchmark {

    /** {@code [N·T, C, H, W]} of the benchmarked array. */
    @Param({"8x256x56x56", "8x2048x7x7", "64x64x56x56"})
    public String shape;

    /** ND4J threads. */
    @Param({"2"})
    public int threads;

    private INDArray in;
    private INDArray out;
    private INDArray grad;
    private INDArray copy;

    /** Allocates the arrays once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        in = Nd4j.rand(DataType.FLOAT, parse(shape));
        out = in.ulike();
        grad = in.ulike();
        copy = in.ulike();
    }

    /** Frees the arrays. */
    @TearDown(Level.Trial)
    public void tearDown() {
        for (INDArray a : new INDArray[] {in, out, grad, copy}) {
            a.close();
        }
    }

    /** @return the shifted array */
    @Benchmark
    public INDArray forward() {
        TemporalShift.forward(in, out, ShiftBench.SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        return out;
    }

    /** @return the input gradient */
    @Benchmark
    public INDArray forwardBackward() {
        TemporalShift.forward(in, out, ShiftBench.SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        TemporalShift.backward(out, grad, ShiftBench.SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        return grad;
    }

    /** @return the preallocated copy */
    @Benchmark
    public INDArray assign() {
        return copy.assign(in);
    }

    /** @return the copy's length (the copy itself is released) */
    @Benchmark
    public long dup() {
        INDArray d = in.dup();
        long n = d.length();
        d.close();
        return n;
    }

    static long[] parse(String shape) {
        return Arrays.stream(shape.split("x")).mapToLong(Long::parseLong).toArray();
    }

    /**
     * Runs the benchmark and prints GB/s and ratios to {@code assign}.
     *
     * @param args JMH command-line options
     * @throws RunnerException if JMH fails
     * @throws org.openjdk.jmh.runner.options.CommandLineOptionException if an option is wrong
     */
    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        Collection<RunResult> results = new Runner(new OptionsBuilder().parent(cli)
                .include(ShiftBenchmark.class.getName()).build()).run();
        System.out.println();
        System.out.println("| shape | operation | ms/op | GB/s (read+write) | ratio to assign |");
        System.out.println("|---|---|---:|---:|---:|");
        for (String s : new String[] {"8x256x56x56", "8x2048x7x7", "64x64x56x56"}) {
            double bytes = Arrays.stream(parse(s)).reduce(1, (a, b) -> a * b) * 4.0;
            double assignGbs = Double.NaN;
            for (String op : new String[] {"assign", "forward", "forwardBackward", "dup"}) {
                for (RunResult r : results) {
                    String name = r.getParams().getBenchmark();
                    if (!name.endsWith("." + op) || !s.equals(r.getParams().getParam("shape"))) {
                        continue;
                    }
                    double ms = r.getPrimaryResult().getScore();
                    double moved = (op.equals("forwardBackward") ? 4 : 2) * bytes;
                    double gbs = moved / (ms * 1e6);
                    if (op.equals("assign")) {
                        assignGbs = gbs;
                    }
                    System.out.println(String.format(Locale.ROOT, "| %s | %s | %.3f | %.1f | %.2f |", s, op, ms, gbs,
                            gbs / assignGbs));
                }
            }
        }
    }
}
