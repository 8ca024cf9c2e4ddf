package io.github.tsm4j.models.recognize;

import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.core.stream.SourceFrame;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.engine.Engines;
import io.github.tsm4j.models.engine.FrameEngine;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live frames in, events out: online TSM over up to B sources at once with one model and one copy of the weights
 * (the online network's batch dimension holds the B streams; each stream has its own shift caches).
 *
 * <p>Each source is read on a decoder thread of its own through a bounded queue ({@link StreamOptions}: live
 * sources drop — and count — frames the model cannot keep up with, files are read completely). Every step takes
 * the next frame of every running source, stacks them into {@code [B, 3, S, S]}, steps the engine once, smooths
 * each stream's label ({@link HistorySmoother}, the official gesture demo's history) and tells the
 * {@link StreamListener}. When a source ends its slot is reset ({@code reset(stream)}: zero caches) and the next
 * waiting source takes it, so {@link #run} accepts more sources than slots.
 *
 * <pre>{@code
 * List<LabelChange> changes = new ArrayList<>();
 * try (StreamRecognizer r = StreamRecognizer.of(model, 1, StreamOptions.defaults())) {
 *     r.run(List.of(FrameSources.create("clip.mp4", model.config().input())), new StreamListener() {
 *         public void onLabelChange(LabelChange c) { changes.add(c); }
 *     });
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one {@link #run} at a time.
 */
public final class StreamRecognizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamRecognizer.class);

    private final FrameEngine engine;
    private final StreamOptions options;
    private final List<String> labels;
    private final int side;

    private StreamRecognizer(FrameEngine engine, int side, StreamOptions options) {
        this.engine = engine;
        this.options = options;
        this.labels = engine.labels();
        this.side = side;
    }

    /**
     * @param model an offline model (its streaming twin is built once: one copy of the weights for B streams)
     * @param streams B, sources processed at once, at least 1
     * @param options processing options
     * @return the recognizer
     * @throws IllegalArgumentException when the model uses temporal pooling (frames cannot pass one at a time)
     */
    public static StreamRecognizer of(TsmModel model, int streams, StreamOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        if (streams < 1) {
            throw new IllegalArgumentException("StreamRecognizer streams must be >= 1, found " + streams);
        }
        if (model.config().temporalPool()) {
            throw new IllegalArgumentException("the model uses temporal pooling, which online TSM cannot stream "
                    + "(each frame must pass the network alone)");
        }
        FrameEngine engine = Engines.online(model, streams, options.engine(), options.engineThreads(),
                options.execution());
        return new StreamRecognizer(engine, model.config().input().cropSize(), options);
    }

    /**
     * A recognizer over an engine made elsewhere.
     *
     * @param engine the engine (closed with this recognizer)
     * @param cropSize S, the side of the frames it takes
     * @param options processing options ({@link StreamOptions#engine()} is not used)
     * @return the recognizer
     */
    public static StreamRecognizer of(FrameEngine engine, int cropSize, StreamOptions options) {
        return new StreamRecognizer(Objects.requireNonNull(engine, "engine"), cropSize,
                Objects.requireNonNull(options, "options"));
    }

    /** @return B, the sources processed at once */
    public int streams() {
        return engine.streams();
    }

    /** @return the class labels */
    public List<String> labels() {
        return labels;
    }

    /**
     * Runs one source to its end.
     *
     * @param source an unopened source (opened and closed here)
     * @param listener receives the events
     * @return its report
     * @throws InterruptedException if interrupted while waiting for frames
     */
    public StreamReport run(FrameSource source, StreamListener listener) throws InterruptedException {
        return run(List.of(source), listener).get(0);
    }

    /**
     * Runs sources to their ends, up to B at once; when one ends, the next waiting source takes its slot. A source
     * that fails to open or decode ends with a report naming the error; the others go on.
     *
     * @param sources unopened sources (each opened and closed here)
     * @param listener receives the events
     * @return one report per source, in the order given
     * @throws InterruptedException if interrupted while waiting for frames
     */
    public List<StreamReport> run(List<? extends FrameSource> sources, StreamListener listener)
            throws InterruptedException {
        Objects.requireNonNull(listener, "listener");
        int b = engine.streams();
        int frameLength = 3 * side * side;
        StreamReport[] reports = new StreamReport[sources.size()];
        Deque<Integer> waiting = new ArrayDeque<>();
        for (int i = 0; i < sources.size(); i++) {
            waiting.add(i);
        }
        Slot[] slots = new Slot[b];
        float[][] logits = new float[b][labels.size()];
        float[] zeros = new float[frameLength];
        engine.reset();
        try (INDArray input = Nd4j.create(DataType.FLOAT, b, 3, side, side)) {
            FloatBuffer in = input.data().asNioFloat();
            while (true) {
                // the next frame of every slot: its source's, or the next waiting source's when it ended
                boolean any = false;
                for (int s = 0; s < b; s++) {
                    while (true) {
                        if (slots[s] == null) {
                            if (waiting.isEmpty()) {
                                break;
                            }
                            int i = waiting.poll();
                            Slot slot = Slot.open(sources.get(i), i, s, options, labels);
                            if (slot.failed != null) {
                                reports[i] = slot.report(slot.failed);
                                listener.onEnd(reports[i]);
                                continue;
                            }
                            slots[s] = slot;
                        }
                        if (slots[s].next()) {
                            break;
                        }
                        reports[slots[s].index] = slots[s].finish();
                        listener.onEnd(reports[slots[s].index]);
                        engine.reset(s); // zero caches for whoever takes the slot next
                        slots[s] = null;
                    }
                    if (slots[s] == null) {
                        in.put(s * frameLength, zeros);
                        continue;
                    }
                    float[] frameInput = slots[s].current.frame().input();
                    if (frameInput.length != frameLength) {
                        throw new IllegalArgumentException("source " + slots[s].source.name() + " gives inputs of "
                                + frameInput.length + " floats, the model takes 3x" + side + "x" + side);
                    }
                    in.put(s * frameLength, frameInput);
                    any = true;
                }
                if (!any) {
                    break;
                }
                long t0 = System.nanoTime();
                engine.step(input, logits);
                long t1 = System.nanoTime();
                for (int s = 0; s < b; s++) {
                    Slot slot = slots[s];
                    if (slot != null && slot.current != null) {
                        slot.emit(logits[s], t0, t1, listener);
                    }
                }
            }
        } finally {
            for (Slot slot : slots) {
                if (slot != null) {
                    slot.closeQuietly();
                }
            }
        }
        return Arrays.asList(reports);
    }

    @Override
    public void close() {
        engine.close();
    }

    /** One running source in one model slot. */
    private static final class Slot {
        final FrameSource source;
        final int index;
        final int stream;
        final List<String> labels;
        final HistorySmoother smoother;
        final LatencyStats latency = new LatencyStats();
        final LatencyStats age = new LatencyStats();
        final List<String> reported = new ArrayList<>();
        final List<Long> indices = new ArrayList<>();
        FrameDecoder<SourceFrame> decoder;
        FrameDecoder.Item<SourceFrame> current;
        String failed;
        String previous;
        long startNanos;
        long endNanos;

        private Slot(FrameSource source, int index, int stream, StreamOptions options, List<String> labels) {
            this.source = source;
            this.index = index;
            this.stream = stream;
            this.labels = labels;
            this.smoother = new HistorySmoother(options.smoothing());
        }

        static Slot open(FrameSource source, int index, int stream, StreamOptions options, List<String> labels) {
            Slot slot = new Slot(source, index, stream, options, labels);
            try {
                source.open();
                slot.decoder = new FrameDecoder<>(source, Function.identity(), options.queueCapacity(),
                        options.realtime().appliesTo(source.live()));
            } catch (IOException | RuntimeException e) {
                slot.failed = e.getMessage() == null ? e.toString() : e.getMessage();
                slot.closeQuietly();
            }
            return slot;
        }

        boolean next() throws InterruptedException {
            try {
                current = decoder.take();
            } catch (IOException | RuntimeException e) {
                failed = e.getMessage() == null ? e.toString() : e.getMessage();
                current = null;
            }
            return current != null;
        }

        void emit(float[] logits, long t0, long t1, StreamListener listener) {
            if (startNanos == 0) {
                startNanos = t0;
            }
            endNanos = t1;
            int label = smoother.update(logits);
            latency.record(t1 - t0);
            age.record(Math.max(0, t1 - current.readyNanos()));
            SourceFrame frame = current.frame();
            String name = labels.get(label);
            reported.add(name);
            indices.add(frame.index());
            float[] probs = softmax(logits);
            if (!name.equals(previous)) {
                listener.onLabelChange(new LabelChange(stream, source.name(), frame.index(), frame.timestampMicros(),
                        previous, name, probs[label]));
                previous = name;
            }
            listener.onFrame(new FrameResult(stream, source.name(), source.frameRate(), frame, probs, label, name,
                    t1 - t0));
        }

        StreamReport finish() {
            closeQuietly();
            return report(failed);
        }

        StreamReport report(String error) {
            long decoded = decoder == null ? 0 : decoder.decoded();
            long dropped = decoder == null ? 0 : decoder.dropped();
            if (error != null) {
                LOG.warn("{}: {}", source.name(), error);
            }
            return new StreamReport(source.name(), stream, decoded, reported.size(), dropped, latency.summary(),
                    age.summary(), (endNanos - startNanos) / 1e9, reported, indices, error);
        }

        void closeQuietly() {
            if (decoder != null) {
                decoder.close();
            }
            try {
                source.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot close {}: {}", source.name(), e.getMessage());
            }
        }
    }

    /**
     * The probabilities of one frame's logits ({@link ScoreAveraging#softmax}, in float).
     *
     * @param logits values
     * @return probabilities summing to 1
     */
    static float[] softmax(float[] logits) {
        double[] d = new double[logits.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = logits[i];
        }
        double[] p = ScoreAveraging.softmax(d);
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) p[i];
        }
        return out;
    }
}
