package io.github.tsm4j.examples.bench;

import io.github.tsm4j.core.HostCopy;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.TemporalShift;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Memory bandwidth of the temporal shift ({@link TemporalShift}, BIDIRECTIONAL, foldDiv 8, T = 8,
 * float32, the host kernels on the bench's thread count) next to the best copy of the same array, measured in one run the way {@code bench/torch_bench.py} times
 * PyTorch's shift and {@code copy_}: after a common warm-up of all operations in turn (at least
 * {@link #WARMUP_NANOS} per shape), each operation runs a few calls and then its timed calls in a loop of its own,
 * each call timed; the figures are medians. Shapes: the NCHW
 * {@link #SHAPES} ({@code [N·T, C, H, W]}, the cases) and the NHWC {@link #NHWC_SHAPES}
 * ({@code [N·T, H, W, C]}, the block inputs that the shift layers of the folded TSM-ResNet-50 move).
 *
 * <p>Operations: {@code shift} (forward into a preallocated output), {@code back} (the backward pass, the
 * adjoint, into a preallocated array), {@code shift+back} (both), {@code memcpy} (the machine's best copy of the
 * array: {@link HostCopy}, the C library's {@code memcpy} of equal contiguous parts on the calling thread and the
 * host kernels' helper threads, which claim its chunks in turn, as many threads as ND4J's),
 * {@code assign} (ND4J's preallocated {@code out.assign(in)}, for information) and {@code dup} ({@code in.dup()}
 * then {@code close()}, i.e. allocation included); then {@code shift}, {@code back} and {@code memcpy} once more,
 * interleaved call by call (names ending in {@value #INTERLEAVED}, ratio to the interleaved memcpy). Bandwidth counts the bytes read plus written: 2 × array bytes
 * for shift, back, memcpy, assign and dup, 4 × for shift+back. {@code ratio} is the operation's GB/s over the best
 * copy's (the faster of memcpy and assign) in the same run.
 */
public final class ShiftBench {

    private static final TemporalShift.Kernel HOST = TemporalShift.Kernel.HOST;

    /** The shapes of the issue: ResNet-50 layer1 and layer4 activations of one clip, and 8 clips of layer1 width 64. */
    public static final List<long[]> SHAPES = List.of(
            new long[] {8, 256, 56, 56}, new long[] {8, 2048, 7, 7}, new long[] {64, 64, 56, 56});
    /**
     * NHWC {@code [N·T, H, W, C]}: the four input shapes of the 16 shifted blocks of TSM-ResNet-50 for one
     * 8-frame clip at 224 px (layer1 to layer4), the layout the inference networks run in.
     */
    public static final List<long[]> NHWC_SHAPES = List.of(new long[] {8, 56, 56, 256},
            new long[] {8, 28, 28, 512}, new long[] {8, 14, 14, 1024}, new long[] {8, 7, 7, 2048});
    /** Frames per clip. */
    public static final int SEGMENTS = 8;
    /**
     * Suffix of the operations timed a second time interleaved call by call (shift, back, memcpy, shift, …); their
     * ratio is to the interleaved memcpy.
     */
    public static final String INTERLEAVED = " (interleaved)";

    /**
     * Warm-up per shape: at least this long (and at least as many rounds as timed iterations). With 30 rounds
     * alone, the first operation timed (the forward shift) still ran 10–30 % slower than after a second of warm-up
     * on the 2-vCPU VM (8×2048×7×7: 49–59 against 36–41 µs).
     */
    static final long WARMUP_NANOS = 500_000_000L;
    /** Default measured iterations. */
    public static final int DEFAULT_ITERATIONS = 30;

    private ShiftBench() {
    }

    /**
     * One measured operation on one shape.
     *
     * @param layout NCHW or NHWC
     * @param shape the array shape
     * @param operation shift, shift+back, assign or dup
     * @param medianMillis median time per call
     * @param bytesMoved bytes read plus written per call
     * @param gigabytesPerSecond bytesMoved / median, in 10⁹ bytes per second
     * @param ratioToCopy GB/s over the best copy's GB/s (memcpy or assign, the faster) on the same shape
     */
    public record Row(CNN2DFormat layout, String shape, String operation, double medianMillis, long bytesMoved,
            double gigabytesPerSecond, double ratioToCopy) {
    }

    /**
     * The result of {@link #run}.
     *
     * @param threads ND4J threads used
     * @param iterations measured iterations per operation
     * @param rows one row per shape and operation
     */
    public record Result(int threads, int iterations, List<Row> rows) {

        public Result {
            rows = List.copyOf(rows);
        }

        /**
         * @return the rows as a Markdown table
         */
        public String toMarkdown() {
            StringBuilder sb = new StringBuilder();
            sb.append("| layout | shape | operation | median ms | GB/s (read+write) | ratio to the best copy |\n");
            sb.append("|---|---|---|---:|---:|---:|\n");
            for (Row r : rows) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.1f | %.2f |%n", r.layout(), r.shape(),
                        r.operation(),
                        r.medianMillis(), r.gigabytesPerSecond(), r.ratioToCopy()));
            }
            return sb.toString();
        }
    }

    /**
     * Measures every shape of {@link #SHAPES} (NCHW), then of {@link #NHWC_SHAPES} (NHWC).
     *
     * @param threads ND4J threads (at least 1); the previous setting is restored afterwards
     * @param iterations measured iterations per operation (at least 1); as many warm-up rounds run first, and at
     *     least {@link #WARMUP_NANOS} of them per shape
     * @return the medians
     */
    public static Result run(int threads, int iterations) {
        Result nchw = run(threads, iterations, SHAPES, CNN2DFormat.NCHW);
        Result nhwc = run(threads, iterations, NHWC_SHAPES, CNN2DFormat.NHWC);
        List<Row> rows = new ArrayList<>(nchw.rows());
        rows.addAll(nhwc.rows());
        return new Result(threads, iterations, rows);
    }

    /**
     * Measures the given NCHW shapes.
     *
     * @param threads ND4J threads (at least 1)
     * @param iterations measured iterations per operation (at least 1)
     * @param shapes {@code [N·T, C, H, W]} shapes, N·T divisible by {@link #SEGMENTS}, C at least 8
     * @return the medians
     */
    public static Result run(int threads, int iterations, List<long[]> shapes) {
        return run(threads, iterations, shapes, CNN2DFormat.NCHW);
    }

    /**
     * Measures the given shapes in the given layout.
     *
     * @param threads ND4J threads (at least 1)
     * @param iterations measured iterations per operation (at least 1)
     * @param shapes {@code [N·T, C, H, W]} (NCHW) or {@code [N·T, H, W, C]} (NHWC) shapes, N·T divisible by
     *     {@link #SEGMENTS}, C at least 8
     * @param format the layout of every shape
     * @return the medians
     */
    public static Result run(int threads, int iterations, List<long[]> shapes, CNN2DFormat format) {
        if (threads < 1) {
            throw new IllegalArgumentException("ShiftBench: threads must be >= 1, found " + threads);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("ShiftBench: iterations must be >= 1, found " + iterations);
        }
        int previousThreads = Nd4j.getEnvironment().maxThreads();
        int previousMasterThreads = Nd4j.getEnvironment().maxMasterThreads();
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        try {
            List<Row> rows = new ArrayList<>();
            for (long[] shape : shapes) {
                rows.addAll(measure(shape, format, iterations, threads));
            }
            return new Result(threads, iterations, rows);
        } finally {
            Nd4j.getEnvironment().setMaxThreads(previousThreads);
            Nd4j.getEnvironment().setMaxMasterThreads(previousMasterThreads);
        }
    }

    /**
     * Prints {@link #run}'s table: {@code ShiftBench [threads] [iterations]} (defaults 2 and
     * {@value #DEFAULT_ITERATIONS}).
     *
     * @param args optional threads and iterations
     */
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_ITERATIONS;
        Result r = run(threads, iterations);
        System.out.println("threads " + r.threads() + ", iterations " + r.iterations() + " (medians)");
        System.out.print(r.toMarkdown());
    }

    private static List<Row> measure(long[] shape, CNN2DFormat format, int iterations, int threads) {
        INDArray in = Nd4j.rand(DataType.FLOAT, shape);
        INDArray out = in.ulike();
        INDArray grad = in.ulike();
        INDArray copy = in.ulike();
        long bytes = in.length() * in.dataType().width();
        Runnable memcpy = () -> HostCopy.copy(in, copy, threads);
        Runnable[] ops = {
            () -> TemporalShift.forward(in, out, SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, format, HOST, threads),
            () -> TemporalShift.backward(in, grad, SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, format, HOST, threads),
            () -> {
                TemporalShift.forward(in, out, SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, format, HOST, threads);
                TemporalShift.backward(out, grad, SEGMENTS, 8, ShiftDirection.BIDIRECTIONAL, format, HOST, threads);
            },
            memcpy,
            () -> copy.assign(in),
            () -> in.dup().close(),
        };
        String[] names = {"shift", "back", "shift+back", "memcpy", "assign", "dup"};
        long[] moved = {2 * bytes, 2 * bytes, 4 * bytes, 2 * bytes, 2 * bytes, 2 * bytes};
        double[][] times = new double[ops.length][iterations];
        // warm-up of every op first, in turn, for at least WARMUP_NANOS: the JIT compiles the kernels in the
        // background, and on 2 cores its threads compete with the timed ones for a few hundred milliseconds
        long warmEnd = System.nanoTime() + WARMUP_NANOS;
        for (int i = 0; i < iterations || System.nanoTime() < warmEnd; i++) {
            for (Runnable op : ops) {
                op.run();
            }
        }
        for (int k = 0; k < ops.length; k++) {        // each op in its own loop, as bench/torch_bench.py times copy_
            for (int i = 0; i < Math.min(iterations, 5); i++) {    // the op's own state (caches) before timing
                ops[k].run();
            }
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                ops[k].run();
                times[k][i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        // the same three calls again, interleaved call by call (shift, back, memcpy, shift, …): all three see the
        // same cache and machine state, so their ratio does not depend on which loop ran when
        int[] alternated = {0, 1, 3};
        double[][] mixed = new double[alternated.length][iterations];
        for (int i = 0; i < iterations; i++) {
            for (int j = 0; j < alternated.length; j++) {
                long t0 = System.nanoTime();
                ops[alternated[j]].run();
                mixed[j][i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        String shapeText = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("×"));
        double[] gbs = new double[ops.length];
        double[] medians = new double[ops.length];
        for (int k = 0; k < ops.length; k++) {
            medians[k] = median(times[k]);
            gbs[k] = moved[k] / (medians[k] * 1e6);
        }
        double bestCopy = Math.max(gbs[3], gbs[4]);
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < ops.length; k++) {
            rows.add(new Row(format, shapeText, names[k], medians[k], moved[k], gbs[k], gbs[k] / bestCopy));
        }
        double mixedCopy = moved[3] / (median(mixed[2]) * 1e6);
        for (int j = 0; j < alternated.length; j++) {
            int k = alternated[j];
            double m = median(mixed[j]);
            double g = moved[k] / (m * 1e6);
            rows.add(new Row(format, shapeText, names[k] + INTERLEAVED, m, moved[k], g, g / mixedCopy));
        }
        for (INDArray a : new INDArray[] {in, out, grad, copy}) {
            a.close();
        }
        return rows;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
