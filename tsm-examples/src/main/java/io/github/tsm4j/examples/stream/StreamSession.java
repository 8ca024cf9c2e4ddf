package io.github.tsm4j.examples.stream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Online recognition of one source: a {@link FrameDecoder} thread decodes and preprocesses frames
 * ahead; this thread copies each into one reused {@code [1, 3, S, S]} input, steps its own
 * {@link FrameModel} (so its temporal caches belong to this stream alone), smooths the label, prints it,
 * and feeds the annotated video and the timeline. Run several sessions on several threads for several
 * sources.
 */
public final class StreamSession implements Callable<StreamReport> {

    private final FrameSource source;
    private final FrameModel model;
    private final StreamOptions options;
    private final Consumer<String> lines;
    private final String prefix;

    /**
     * @param source an unopened source; opened and closed by {@link #call()}
     * @param model this stream's model (not shared with other sessions)
     * @param options processing options
     * @param lines where per-frame lines go (must be thread-safe if shared between sessions)
     * @param prefix put before every line (the source name when several run), may be empty
     */
    public StreamSession(FrameSource source, FrameModel model, StreamOptions options, Consumer<String> lines,
            String prefix) {
        this.source = source;
        this.model = model;
        this.options = options;
        this.lines = lines;
        this.prefix = prefix;
    }

    @Override
    public StreamReport call() throws IOException, InterruptedException {
        List<String> labels = model.labels();
        FramePreprocessor preprocessor = new FramePreprocessor(model.inputSpec());
        int crop = preprocessor.cropSize();
        INDArray input = Nd4j.create(DataType.FLOAT, 1, 3, crop, crop);
        HistorySmoother smoother = new HistorySmoother(options.smoothing());
        LatencyStats latency = new LatencyStats();
        LatencyStats age = new LatencyStats();
        ConfidenceTimeline timeline = options.timeline() == null ? null : new ConfidenceTimeline(labels);
        List<String> reported = new ArrayList<>();
        List<Long> indices = new ArrayList<>();
        model.reset();
        source.open();
        AnnotatedVideoWriter writer = null;
        long startNanos = 0;
        long endNanos = 0;
        try (FrameDecoder<float[]> decoder =
                new FrameDecoder<>(source, preprocessor::apply, options.queueCapacity(), options.realtime())) {
            try {
                FrameDecoder.Item<float[]> item;
                while ((item = decoder.take()) != null) {
                    long t0 = System.nanoTime();
                    if (startNanos == 0) {
                        startNanos = t0;
                    }
                    input.data().asNioFloat().put(0, item.prepared());
                    float[] logits = model.step(input);
                    if (logits.length != labels.size()) {
                        throw new IllegalStateException("model returned " + logits.length + " logits for "
                                + labels.size() + " labels");
                    }
                    int label = smoother.update(logits);
                    long t1 = System.nanoTime();
                    endNanos = t1;
                    latency.record(t1 - t0);
                    age.record(t1 - item.readyNanos());
                    float[] probs = softmax(logits);
                    RgbFrame frame = item.frame();
                    reported.add(labels.get(label));
                    indices.add(frame.index());
                    double ms = (t1 - t0) / 1e6;
                    double fps = reported.size() / Math.max(1e-9, (t1 - startNanos) / 1e9);
                    if (options.printEvery() > 0 && (reported.size() - 1) % options.printEvery() == 0) {
                        lines.accept(String.format(Locale.ROOT, "%sframe %d  %s  p=%.3f  %.2f ms  %.1f fps",
                                prefix, frame.index(), labels.get(label), probs[label], ms, fps));
                    }
                    if (timeline != null) {
                        timeline.add(frame.timestampMicros() / 1e6, probs, label);
                    }
                    if (options.out() != null) {
                        if (writer == null) {
                            writer = new AnnotatedVideoWriter(options.out(), frame.width(), frame.height(),
                                    source.frameRate());
                        }
                        writer.write(frame, String.format(Locale.ROOT, "%s  %.2f", labels.get(label), probs[label]),
                                String.format(Locale.ROOT, "%.1f fps", 1000.0 / Math.max(ms, 1e-6)));
                    }
                }
            } finally {
                if (writer != null) {
                    writer.close();
                }
            }
            StreamReport report = new StreamReport(source.name(), decoder.decoded(), reported.size(),
                    decoder.dropped(), latency.summary(), age.summary(), (endNanos - startNanos) / 1e9, reported,
                    indices);
            if (timeline != null) {
                timeline.save(options.timeline(), source.name());
            }
            return report;
        } finally {
            source.close();
        }
    }

    /**
     * Numerically stable softmax.
     *
     * @param logits values
     * @return probabilities summing to 1
     */
    static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }
}
