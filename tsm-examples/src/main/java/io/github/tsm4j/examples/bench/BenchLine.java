package io.github.tsm4j.examples.bench;

/**
 * One reported figure: a stable key shared with {@code bench/torch_bench.py} (so that the two outputs line up
 * in {@code bench/compare.sh}), its value and unit, and free-form detail.
 *
 * @param key e.g. {@code r50.tsm.latency_1x8}
 * @param value the figure
 * @param unit e.g. {@code ms}, {@code videos/s}, {@code GB/s}, {@code %}
 * @param detail spread and settings, for humans
 */
public record BenchLine(String key, double value, String unit, String detail) {

    /** @return the line as printed by {@code tsm bench}: key, value, unit, detail */
    public String format() {
        return String.format(java.util.Locale.ROOT, "%-32s %12.3f %-9s %s", key, value, unit, detail);
    }
}
