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
            ShiftBench.Row shift = byShape.get(shape).get("shift");
            ShiftBench.Row copy = byShape.get(shape).get("assign");
            lines.add(new BenchLine(key + ".gbps", shift.gigabytesPerSecond(), "GB/s", String.format(Locale.ROOT,
                    "%.3f ms median, preallocated output, n=%d", shift.medianMillis(), result.iterations())));
            lines.add(new BenchLine(key + ".copy_gbps", copy.gigabytesPerSecond(), "GB/s", String.format(Locale.ROOT,
                    "%.3f ms median, out.assign(in) preallocated", copy.medianMillis())));
            lines.add(new BenchLine(key + ".ratio", shift.ratioToAssign(), "x", "shift GB/s / copy GB/s"));
            ShiftBench.Row back = byShape.get(shape).get("shift+back");
            if (back != null) {
                lines.add(new BenchLine(key + ".fwd_bwd_gbps", back.gigabytesPerSecond(), "GB/s",
                        String.format(Locale.ROOT, "%.3f ms median, forward + backward", back.medianMillis())));
            }
        }
        return lines;
    }
}
