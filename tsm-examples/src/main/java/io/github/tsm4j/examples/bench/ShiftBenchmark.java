package io.github.tsm4j.examples.bench;

import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.TemporalShift;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
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
 * JMH benchmark of the temporal shift ({@link TemporalShift}, BIDIRECTIONAL, foldDiv 8, T = 8, float32):
 * forward, backward (the adjoint), forward+backward, and, on the same array in the same run, a preallocated
 * {@code assign} copy and {@code dup()} (allocation and release included).
 *
 * <p>Cases ({@code case} parameter, {@code LAYOUT:shape}): NCHW {@code [N·T, C, H, W]} 8×256×56×56,
 * 8×2048×7×7, 64×64×56×56, and NHWC {@code [N·T, H, W, C]} with the shapes of the 16 shifted block inputs
 * of TSM-ResNet-50 for one 8-frame clip: 8×56×56×256, 8×28×28×512, 8×14×14×1024, 8×7×7×2048 (the layout
 * the inference networks run in). {@code kernel}: {@code host} (the default kernels) or {@code views}
 * (the generic strided-view path), see {@link TemporalShift.Kernel}.
 *
 * <p>Run: {@code java -cp tsm-examples/target/tsm.jar io.github.tsm4j.examples.bench.ShiftBenchmark}
 * (JMH options may follow, e.g. {@code -p threads=1 -p kernel=host,views}); after JMH's own table,
 * {@link #main} prints GB/s (bytes read + written: 2 × the array for forward, backward, assign and dup,
 * 4 × for forward+backward) and the ratio to {@code assign} per case and kernel.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ShiftBenchmark {

    /** Layout and shape of the benchmarked array, {@code NCHW:[N·T]xCxHxW} or {@code NHWC:[N·T]xHxWxC}. */
    @Param({"NCHW:8x256x56x56", "NCHW:8x2048x7x7", "NCHW:64x64x56x56",
        "NHWC:8x56x56x256", "NHWC:8x28x28x512", "NHWC:8x14x14x1024", "NHWC:8x7x7x2048"})
    public String layoutShape;

    /** ND4J (OpenMP) threads; the NHWC kernel runs on the calling thread ({@link #shiftThreads} = 1). */
    @Param({"2"})
    public int threads;

    /** {@code host} or {@code views}. */
    @Param({"host"})
    public String kernel;

    /** Threads of the NHWC host kernel (1 = calling thread, 0 = ND4J's count). */
    @Param({"1"})
    public int shiftThreads;

    private TemporalShift.Kernel shiftKernel;

    private CNN2DFormat format;
    private INDArray in;
    private INDArray out;
    private INDArray grad;
    private INDArray copy;

    /** Allocates the arrays once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        shiftKernel = TemporalShift.Kernel.valueOf(kernel.toUpperCase(Locale.ROOT));
        String[] parts = layoutShape.split(":");
        format = CNN2DFormat.valueOf(parts[0]);
        in = Nd4j.rand(DataType.FLOAT, parse(parts[1]));
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
        TemporalShift.forward(in, out, ShiftBench.SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, format, shiftKernel,
                shiftThreads);
        return out;
    }

    /** @return the input gradient of the shift for the output gradient {@code in} */
    @Benchmark
    public INDArray backward() {
        TemporalShift.backward(in, grad, ShiftBench.SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, format, shiftKernel,
                shiftThreads);
        return grad;
    }

    /** @return the input gradient */
    @Benchmark
    public INDArray forwardBackward() {
        TemporalShift.forward(in, out, ShiftBench.SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, format, shiftKernel,
                shiftThreads);
        TemporalShift.backward(out, grad, ShiftBench.SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, format, shiftKernel,
                shiftThreads);
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
        System.out.println("| case | kernel | operation | ms/op | GB/s (read+write) | ratio to assign |");
        System.out.println("|---|---|---|---:|---:|---:|");
        Set<String> cases = new LinkedHashSet<>();
        Set<String> kernels = new LinkedHashSet<>();
        for (RunResult r : results) {
            cases.add(r.getParams().getParam("layoutShape"));
            kernels.add(r.getParams().getParam("kernel"));
        }
        for (String c : cases) {
            for (String k : kernels) {
                double bytes = Arrays.stream(parse(c.split(":")[1])).reduce(1, (a, b) -> a * b) * 4.0;
                double assignGbs = Double.NaN;
                for (String op : new String[] {"assign", "forward", "backward", "forwardBackward", "dup"}) {
                    for (RunResult r : results) {
                        String name = r.getParams().getBenchmark();
                        if (!name.endsWith("." + op) || !c.equals(r.getParams().getParam("layoutShape"))
                                || !k.equals(r.getParams().getParam("kernel"))) {
                            continue;
                        }
                        double ms = r.getPrimaryResult().getScore();
                        double moved = (op.equals("forwardBackward") ? 4 : 2) * bytes;
                        double gbs = moved / (ms * 1e6);
                        if (op.equals("assign")) {
                            assignGbs = gbs;
                        }
                        System.out.println(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.1f | %.2f |", c, k,
                                op, ms, gbs, gbs / assignGbs));
                    }
                }
            }
        }
    }
}
