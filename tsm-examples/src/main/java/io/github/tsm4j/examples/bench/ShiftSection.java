package io.github.tsm4j.examples.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * The shift op figures of {@code tsm bench}, from {@link ShiftBench#run(int, int)} (the shift and a preallocated
 * copy of the same array, measured side by side): GB/s of the shift, GB/s of the copy and their ratio per shape.
 * Keys: {@code shift.<NxCxHxW>.*} for the NCHW shapes (the keys {@code bench/torch_bench.py} prints too) and
 * {@code shift.nhwc_<NxHxWxC>.*} for the NHWC shapes of the TSM-ResNet-50 blocks.
 */
final class ShiftSection {

    private ShiftSection() {
    }

    static List<BenchLine> run(BenchSettings s) {
        ShiftBench.Result result = ShiftBench.run(s.threads(), Math.max(s.runs(), 30));
        Map<String, Map<String, ShiftBench.Row>> byShape = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (ShiftBench.Row r : result.rows()) {
            String shape = (r.layout() == CNN2DFormat.NHWC ? "NHWC " : "") + r.shape();
            if (!byShape.containsKey(shape)) {
                order.add(shape);
            }
            byShape.computeIfAbsent(shape, k -> new HashMap<>()).put(r.operation(), r);
        }
        List<BenchLine> lines = new ArrayList<>();
        for (String shape : order) {
            String key = "shift." + shape.replace('×', 'x');
            if (shape.startsWith("NHWC ")) {
                key = "shift.nhwc_" + shape.substring(5).replace('×', 'x');
            }
            Map<String, ShiftBench.Row> ops = byShape.get(shape);
            ShiftBench.Row shift = ops.get("shift");
            ShiftBench.Row back = ops.get("back");
            ShiftBench.Row memcpy = ops.get("memcpy");
            ShiftBench.Row assign = ops.get("assign");
            ShiftBench.Row best = memcpy.gigabytesPerSecond() >= assign.gigabytesPerSecond() ? memcpy : assign;
            lines.add(new BenchLine(key + ".gbps", shift.gigabytesPerSecond(), "GB/s", String.format(Locale.ROOT,
                    "%.3f ms median, forward, preallocated output, n=%d", shift.medianMillis(), result.iterations())));
            lines.add(new BenchLine(key + ".back_gbps", back.gigabytesPerSecond(), "GB/s", String.format(Locale.ROOT,
                    "%.3f ms median, backward (adjoint), preallocated output", back.medianMillis())));
            lines.add(new BenchLine(key + ".copy_gbps", best.gigabytesPerSecond(), "GB/s", String.format(Locale.ROOT,
                    "%.3f ms median, the best copy of this run: %s", best.medianMillis(), best == memcpy
                            ? "HostCopy (memcpy of " + result.threads() + " parts on " + result.threads() + " threads)"
                            : "ND4J out.assign(in)")));
            lines.add(new BenchLine(key + ".assign_gbps", assign.gigabytesPerSecond(), "GB/s", String.format(
                    Locale.ROOT, "%.3f ms median, ND4J out.assign(in) preallocated", assign.medianMillis())));
            lines.add(new BenchLine(key + ".ratio", shift.ratioToCopy(), "x", "forward GB/s / best copy GB/s"));
            lines.add(new BenchLine(key + ".back_ratio", back.ratioToCopy(), "x", "backward GB/s / best copy GB/s"));
            ShiftBench.Row mixed = ops.get("shift" + ShiftBench.INTERLEAVED);
            ShiftBench.Row mixedBack = ops.get("back" + ShiftBench.INTERLEAVED);
            lines.add(new BenchLine(key + ".interleaved_ratio", mixed.ratioToCopy(), "x", String.format(Locale.ROOT,
                    "forward / memcpy, the two timed call by call in one loop: %.3f vs %.3f ms medians",
                    mixed.medianMillis(), ops.get("memcpy" + ShiftBench.INTERLEAVED).medianMillis())));
            lines.add(new BenchLine(key + ".interleaved_back_ratio", mixedBack.ratioToCopy(), "x", String.format(
                    Locale.ROOT, "backward / memcpy, timed call by call in one loop: %.3f ms median",
                    mixedBack.medianMillis())));
            ShiftBench.Row both = ops.get("shift+back");
            lines.add(new BenchLine(key + ".fwd_bwd_gbps", both.gigabytesPerSecond(), "GB/s",
                    String.format(Locale.ROOT, "%.3f ms median, forward + backward", both.medianMillis())));
        }
        return lines;
    }
}
