package io.github.tsm4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.tsm4j.examples.bench.BenchLine;
import io.github.tsm4j.examples.bench.BenchSection;
import io.github.tsm4j.examples.bench.BenchSettings;
import io.github.tsm4j.examples.bench.MachineInfo;
import io.github.tsm4j.examples.bench.Threads;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tsm bench}: the performance figures of issue 9 for one machine and one run — shift op GB/s and its
 * ratio to a copy, native vs stock convolutions, TSM/TSN-ResNet-50 latency (1×8×224) and throughput (4×8),
 * the shift's overhead, online MobileNetV2 ms/frame, one training step, peak memory. Warm-up, then medians.
 * The keys match {@code bench/torch_bench.py}, which {@code bench/compare.sh} runs alongside.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the shift, the convolutions and the TSM networks on this machine.")
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--threads", description = "Native (OpenMP) threads. Default: ${DEFAULT-VALUE}.")
    int threads = BenchSettings.DEFAULT_THREADS;

    @Option(names = "--only", split = ",", paramLabel = "SECTION", converter = SectionConverter.class,
            description = "Sections to run, comma-separated: shift, conv, r50, mbv2, train, predict, onnx. "
                    + "Default: all but conv, predict and onnx.")
    List<BenchSection> only;

    @Option(names = "--runs", description = "Timed runs per figure (median reported), >= 10. Default: ${DEFAULT-VALUE}.")
    int runs = BenchSettings.DEFAULT_RUNS;

    @Option(names = "--warmup", description = "Untimed warm-up runs per figure. Default: ${DEFAULT-VALUE}.")
    int warmup = BenchSettings.DEFAULT_WARMUP;

    @Option(names = "--size", description = "Frame side in pixels. Default: ${DEFAULT-VALUE}.")
    int size = BenchSettings.DEFAULT_SIZE;

    @Option(names = "--stock", description = "In the conv section, also time DL4J's stock ConvolutionLayer (slow).")
    boolean stock;

    @Option(names = "--train-format", paramLabel = "LAYOUT",
            description = "Layout of the network in the train section: NCHW or NHWC. Default: ${DEFAULT-VALUE}.")
    CNN2DFormat trainFormat = BenchSettings.DEFAULT_TRAIN_FORMAT;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures and settings as JSON.")
    Path json;

    /** Parses section names case-insensitively ({@code r50}, {@code R50}). */
    static final class SectionConverter implements picocli.CommandLine.ITypeConverter<BenchSection> {
        @Override
        public BenchSection convert(String value) {
            try {
                return BenchSection.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("unknown section '" + value
                        + "', expected one of shift, conv, r50, mbv2, train, onnx");
            }
        }
    }

    /** Runs the selected sections and prints one line per figure. */
    @Override
    public Integer call() throws Exception {
        EnumSet<BenchSection> sections = only == null || only.isEmpty() ? BenchSection.defaults() : EnumSet.copyOf(only);
        BenchSettings settings = new BenchSettings(threads, warmup, runs, size, stock, sections, trainFormat);
        Threads.set(settings.threads());
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> machine = MachineInfo.describe(settings.threads());
        machine.forEach((k, v) -> out.printf(Locale.ROOT, "# %-12s %s%n", k, v));
        out.flush();
        List<BenchLine> lines = new ArrayList<>();
        double peak = MachineInfo.peakRssMiB();
        for (BenchSection s : BenchSection.executionOrder(sections)) {
            boolean reset = MachineInfo.resetPeakRss();
            for (BenchLine line : s.run(settings)) {
                out.println(line.format());
                out.flush();
                lines.add(line);
            }
            double sectionPeak = MachineInfo.peakRssMiB();
            peak = Math.max(peak, sectionPeak);
            if (reset) {
                BenchLine m = new BenchLine("memory." + s.name().toLowerCase(Locale.ROOT) + ".peak_rss", sectionPeak,
                        "MiB", "peak resident size of the process while this section ran (VmHWM reset before it)");
                out.println(m.format());
                lines.add(m);
            }
            BenchSection.release();
        }
        BenchLine mem = new BenchLine("memory.peak_rss", peak, "MiB",
                "peak resident size of this process (VmHWM; the largest of the sections' peaks)");
        out.println(mem.format());
        lines.add(mem);
        out.printf(Locale.ROOT, "# load after   %s%n", MachineInfo.loadAverage());
        out.flush();
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("implementation", "tsm4j");
            doc.put("machine", machine);
            doc.put("settings", settings.describe());
            Map<String, Object> figures = new LinkedHashMap<>();
            for (BenchLine l : lines) {
                figures.put(l.key(), Map.of("value", l.value(), "unit", l.unit(), "detail", l.detail()));
            }
            doc.put("figures", figures);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        }
        return 0;
    }
}
