package io.github.tsm4j.examples;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.StreamingExecution;
import io.github.tsm4j.core.TemporalShift;
import io.github.tsm4j.core.conv.ConvImplementation;
import io.github.tsm4j.core.norm.BatchNormImplementation;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * The only place that reads tsm4j's {@code -Dtsm4j.*} system properties: the {@code tsm} CLI turns them into an
 * {@link ExecutionOptions} (and the FFmpeg log switch) that it passes to the libraries explicitly. Unset
 * properties keep {@link #cliDefaults()}: {@link ExecutionOptions#defaults()} with
 * {@link ConvImplementation#ONEDNN} convolutions and {@link BatchNormImplementation#ONEDNN} BatchNorms, whose natives
 * the runnable jar carries; a bad value or an unknown {@code tsm4j.*} name is an error
 * naming the property, the value and what is accepted.
 *
 * <table>
 * <caption>Properties</caption>
 * <tr><td>{@value #LAYOUT}</td><td>{@code nhwc} | {@code nchw}: layout of the inference and streaming forms</td></tr>
 * <tr><td>{@value #CONV}</td><td>{@code onednn} (unset) | {@code native} | {@code stock}</td></tr>
 * <tr><td>{@value #BN}</td><td>{@code onednn} | {@code native} | {@code stock} (unset: {@code onednn}, or {@code stock}
 * when {@value #CONV} is)</td></tr>
 * <tr><td>{@value #SHIFT_KERNEL}</td><td>{@code onednn} (unset) | {@code host} | {@code views} | {@code reference}</td></tr>
 * <tr><td>{@value #SHIFT_THREADS}</td><td>integer &ge; 0 (0 = ND4J's thread count)</td></tr>
 * <tr><td>{@value #STREAMING_EXECUTOR}</td><td>{@code bound} | {@code graph}</td></tr>
 * <tr><td>{@value #GC_BUDGET_MB}</td><td>megabytes &ge; 0 (0 = never collect)</td></tr>
 * <tr><td>{@value #GC_BUDGET_ARRAYS}</td><td>arrays &ge; 0 (0 = not watched)</td></tr>
 * <tr><td>{@value #FFMPEG_LOG}</td><td>{@code true} | {@code false}: FFmpeg's own log on stderr</td></tr>
 * </table>
 */
public final class ExecutionOverrides {

    /** Layout of the inference and streaming forms. */
    public static final String LAYOUT = "tsm4j.layout";
    /** Convolution implementation. */
    public static final String CONV = "tsm4j.conv";
    /** BatchNorm implementation. */
    public static final String BN = "tsm4j.bn";
    /** Shift kernel. */
    public static final String SHIFT_KERNEL = "tsm4j.shift.kernel";
    /** Threads of the NHWC shift kernel. */
    public static final String SHIFT_THREADS = "tsm4j.shift.threads";
    /** Streaming executor. */
    public static final String STREAMING_EXECUTOR = "tsm4j.streaming.executor";
    /** Native memory budget in MB. */
    public static final String GC_BUDGET_MB = "tsm4j.native.gcBudgetMB";
    /** Tracked-array budget. */
    public static final String GC_BUDGET_ARRAYS = "tsm4j.native.gcBudgetArrays";
    /** FFmpeg's log on stderr. */
    public static final String FFMPEG_LOG = "tsm4j.ffmpeg.log";

    private static final List<String> KNOWN = List.of(LAYOUT, CONV, BN, SHIFT_KERNEL, SHIFT_THREADS,
            STREAMING_EXECUTOR, GC_BUDGET_MB, GC_BUDGET_ARRAYS, FFMPEG_LOG);

    private ExecutionOverrides() {
    }

    /**
     * @return the options the JVM's system properties ask for
     * @throws IllegalArgumentException naming a bad property and its value
     */
    public static ExecutionOptions fromSystemProperties() {
        return parse(System.getProperties());
    }

    /**
     * The CLI's options without properties, the library's preset {@link ExecutionOptions#oneDnn()}: its defaults
     * with {@link ConvImplementation#ONEDNN} convolutions and {@link BatchNormImplementation#ONEDNN} BatchNorms
     * (oneDNN's natives are in the runnable jar; training is faster, results the same up to float rounding;
     * docs/training.md), and the {@link TemporalShift.Kernel#ONEDNN} shift kernel for the training layers and the
     * inference form's in-place shift (the same results bit for bit).
     * {@code -Dtsm4j.bn=native}, {@code -Dtsm4j.conv=native} and {@code -Dtsm4j.shift.kernel=host} choose the host
     * paths.
     *
     * @return the options
     */
    public static ExecutionOptions cliDefaults() {
        return ExecutionOptions.oneDnn();
    }

    /**
     * Builds options from properties, starting from {@link #cliDefaults()}.
     *
     * @param p properties (e.g. the system properties)
     * @return the options
     * @throws IllegalArgumentException naming a bad or unknown {@code tsm4j.*} property and its value
     */
    public static ExecutionOptions parse(Properties p) {
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("tsm4j.") && !KNOWN.contains(name)) {
                throw new IllegalArgumentException("Unknown system property " + name + "; tsm4j reads " + KNOWN);
            }
        }
        ExecutionOptions.Builder b = cliDefaults().toBuilder();
        String layout = value(p, LAYOUT);
        if (layout != null) {
            b.layout(choice(LAYOUT, layout, CNN2DFormat.class));
        }
        String conv = value(p, CONV);
        if (conv != null) {
            b.convolution(choice(CONV, conv, ConvImplementation.class));
        }
        String bn = value(p, BN);
        if (bn != null) {
            b.batchNorm(choice(BN, bn, BatchNormImplementation.class));
        } else if (conv != null && choice(CONV, conv, ConvImplementation.class) == ConvImplementation.STOCK) {
            b.batchNorm(BatchNormImplementation.STOCK); // the all-stock configuration
        }
        String kernel = value(p, SHIFT_KERNEL);
        if (kernel != null) {
            b.shiftKernel(choice(SHIFT_KERNEL, kernel, TemporalShift.Kernel.class));
        }
        String threads = value(p, SHIFT_THREADS);
        if (threads != null) {
            b.shiftThreads((int) count(SHIFT_THREADS, threads, "an integer >= 0 (1 = calling thread, 0 = ND4J's count)"));
        }
        String executor = value(p, STREAMING_EXECUTOR);
        if (executor != null) {
            b.streamingExecutor(choice(STREAMING_EXECUTOR, executor, StreamingExecution.class));
        }
        String mb = value(p, GC_BUDGET_MB);
        if (mb != null) {
            b.nativeGcBudgetMB(count(GC_BUDGET_MB, mb, "a whole number of megabytes >= 0 (0 = never collect)"));
        }
        String arrays = value(p, GC_BUDGET_ARRAYS);
        if (arrays != null) {
            b.nativeGcBudgetArrays(count(GC_BUDGET_ARRAYS, arrays, "a whole number >= 0 (0 = not watched)"));
        }
        return b.build();
    }

    /**
     * @param p properties
     * @return whether {@value #FFMPEG_LOG} asks for FFmpeg's log (false when unset)
     * @throws IllegalArgumentException when it is neither true nor false
     */
    public static boolean ffmpegLog(Properties p) {
        String v = value(p, FFMPEG_LOG);
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("System property " + FFMPEG_LOG
                    + " must be 'true' or 'false', found '" + v + "'");
        };
    }

    private static String value(Properties p, String name) {
        String v = p.getProperty(name);
        return v == null ? null : v.trim();
    }

    private static <E extends Enum<E>> E choice(String name, String value, Class<E> type) {
        E[] all = type.getEnumConstants();
        StringBuilder accepted = new StringBuilder();
        for (int i = 0; i < all.length; i++) {
            if (all[i].name().equalsIgnoreCase(value)) {
                return all[i];
            }
            accepted.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append('\'')
                    .append(all[i].name().toLowerCase(Locale.ROOT)).append('\'');
        }
        throw new IllegalArgumentException("System property " + name + " must be " + accepted + ", found '" + value
                + "'");
    }

    private static long count(String name, String value, String expected) {
        try {
            long n = Long.parseLong(value);
            if (n >= 0 && n <= Integer.MAX_VALUE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("System property " + name + " must be " + expected + ", found '" + value
                + "'");
    }
}
