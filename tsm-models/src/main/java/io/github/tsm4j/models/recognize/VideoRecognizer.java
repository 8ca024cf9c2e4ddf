package io.github.tsm4j.models.recognize;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.clip.ClipDecoder;
import io.github.tsm4j.core.clip.ClipDecoders;
import io.github.tsm4j.core.clip.ClipRequest;
import io.github.tsm4j.core.clip.DecodedClip;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.engine.ClipEngine;
import io.github.tsm4j.models.engine.Engines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Video in, labels out: classifies whole videos with a {@link TsmModel} by the official test protocol
 * ({@code test_models.py}): sample the clips' frames, scale, crop every view, run every view through the offline
 * network, average the views' scores ({@link ScoreAveraging}), rank ({@link TopK}).
 *
 * <pre>{@code
 * TsmModel model = TsmModel.load(Path.of("model.zip"));
 * try (VideoRecognizer recognizer = VideoRecognizer.of(model, RecognitionOptions.defaults())) {
 *     VideoResult r = recognizer.classify(Path.of("clip.mp4"));
 *     List<Prediction> top5 = r.top(); // label, class index, probability; best first
 * }
 * }</pre>
 *
 * <p>Decoding comes from tsm-data ({@link ClipDecoders#find()}); the network runs on the engine the options name
 * (tsm4j's ND4J engine by default, on the model's {@link TsmModel#forInference()} form). {@link #classifyAll}
 * decodes ahead on background threads so that decoding overlaps inference, and returns a failed result for a video
 * that cannot be read instead of skipping it. Not thread-safe: one caller at a time (the engine is not); close it
 * to stop its decoding threads.
 */
public final class VideoRecognizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VideoRecognizer.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ClipEngine engine;
    private final RecognitionOptions options;
    private final ClipDecoder decoder;
    private final ClipRequest request;
    private final List<String> labels;
    private ExecutorService pool;

    private VideoRecognizer(ClipEngine engine, InputSpec spec, RecognitionOptions options, ClipDecoder decoder) {
        this.engine = engine;
        this.options = options;
        this.decoder = decoder;
        this.request = options.request(spec);
        this.labels = engine.labels();
    }

    /**
     * @param model the model (loaded, imported or trained)
     * @return a recognizer with {@link RecognitionOptions#defaults()}
     */
    public static VideoRecognizer of(TsmModel model) {
        return of(model, RecognitionOptions.defaults());
    }

    /**
     * @param model the model
     * @param options the protocol and scheduling
     * @return a recognizer using the class path's video decoder (tsm-data)
     */
    public static VideoRecognizer of(TsmModel model, RecognitionOptions options) {
        return of(model, options, ClipDecoders.find());
    }

    /**
     * @param model the model
     * @param options the protocol and scheduling
     * @param decoder the video decoder
     * @return the recognizer
     */
    public static VideoRecognizer of(TsmModel model, RecognitionOptions options, ClipDecoder decoder) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(decoder, "decoder");
        ClipEngine engine = Engines.offline(model, options.engine(), options.engineThreads(), options.execution());
        return new VideoRecognizer(engine, model.config().input(), options, decoder);
    }

    /**
     * A recognizer over an engine made elsewhere (e.g. ONNX Runtime on an exported file).
     *
     * @param engine the engine (closed with this recognizer)
     * @param spec the input description the engine's model expects
     * @param options the protocol and scheduling ({@link RecognitionOptions#engine()} is not used)
     * @param decoder the video decoder
     * @return the recognizer
     */
    public static VideoRecognizer of(ClipEngine engine, InputSpec spec, RecognitionOptions options,
            ClipDecoder decoder) {
        return new VideoRecognizer(Objects.requireNonNull(engine, "engine"), Objects.requireNonNull(spec, "spec"),
                Objects.requireNonNull(options, "options"), Objects.requireNonNull(decoder, "decoder"));
    }

    /** @return the options */
    public RecognitionOptions options() {
        return options;
    }

    /** @return the class labels */
    public List<String> labels() {
        return labels;
    }

    /**
     * Classifies one video.
     *
     * @param video a video file or a folder of frames
     * @return the result
     * @throws IOException naming the video when it is missing, unreadable or has no decodable frames
     */
    public VideoResult classify(Path video) throws IOException {
        long t0 = System.nanoTime();
        DecodedClip clip = decoder.decode(video, request);
        return infer(video.toString(), clip, System.nanoTime() - t0);
    }

    /**
     * Classifies the views of a video decoded elsewhere (e.g. on a Spark executor).
     *
     * @param video the name the result carries
     * @param clip the decoded views (as {@link #request()} asks)
     * @param decodeNanos time its decoding took, for the result
     * @return the result
     */
    public VideoResult classify(String video, DecodedClip clip, long decodeNanos) {
        return infer(video, clip, decodeNanos);
    }

    /** @return what this recognizer asks the decoder for */
    public ClipRequest request() {
        return request;
    }

    /**
     * Classifies many videos, decoding up to {@link RecognitionOptions#decodeAhead()} ahead on
     * {@link RecognitionOptions#decodeThreads()} background threads while the network runs here. A video that
     * fails gives a failed {@link VideoResult} naming the reason; the others go on.
     *
     * @param videos the videos
     * @return one result per video, in input order
     */
    public List<VideoResult> classifyAll(List<Path> videos) {
        List<VideoResult> out = new ArrayList<>(videos.size());
        classifyAll(videos, out::add);
        return out;
    }

    /**
     * As {@link #classifyAll(List)}, handing each result to {@code sink} as soon as it is ready (input order), for
     * archives too large to hold the results.
     *
     * @param videos the videos
     * @param sink receives one result per video
     */
    public void classifyAll(Iterable<Path> videos, Consumer<VideoResult> sink) {
        ExecutorService decoders = pool();
        Deque<Pending> pending = new ArrayDeque<>();
        Iterator<Path> it = videos.iterator();
        while (it.hasNext() || !pending.isEmpty()) {
            while (it.hasNext() && pending.size() < options.decodeAhead()) {
                Path v = it.next();
                pending.add(new Pending(v, decoders.submit(() -> decodeTimed(v))));
            }
            Pending next = pending.poll();
            sink.accept(finish(next));
        }
    }

    private Decoded decodeTimed(Path video) {
        long t0 = System.nanoTime();
        try {
            return new Decoded(decoder.decode(video, request), null, System.nanoTime() - t0);
        } catch (IOException | RuntimeException e) {
            return new Decoded(null, e, System.nanoTime() - t0);
        }
    }

    private VideoResult finish(Pending p) {
        String name = p.video.toString();
        Decoded d;
        try {
            d = p.future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return VideoResult.failed(name, options.averaging(), "interrupted before " + name + " was decoded", 0);
        } catch (ExecutionException e) {
            return VideoResult.failed(name, options.averaging(), message(name, e.getCause()), 0);
        }
        if (d.error != null) {
            LOG.warn("{}: {}", name, d.error.getMessage());
            return VideoResult.failed(name, options.averaging(), message(name, d.error), d.nanos);
        }
        try {
            return infer(name, d.clip, d.nanos);
        } catch (RuntimeException e) {
            LOG.warn("{}: inference failed: {}", name, e.toString());
            return VideoResult.failed(name, options.averaging(), "inference failed for " + name + ": " + e, d.nanos);
        }
    }

    private static String message(String video, Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.contains(video) ? m : video + ": " + m;
    }

    private VideoResult infer(String video, DecodedClip clip, long decodeNanos) {
        long t0 = System.nanoTime();
        int t = clip.segments();
        int side = clip.side();
        int views = clip.views();
        float[][] logits = new float[views][];
        // one copy of the decoded views into native memory; each batch is a contiguous slice of it
        try (INDArray all = Nd4j.create(clip.pixels(), new long[] {(long) views * t, 3, side, side}, DataType.FLOAT)) {
            for (int from = 0; from < views; from += options.batch()) {
                int n = Math.min(options.batch(), views - from);
                INDArray in = n == views ? all
                        : all.get(NDArrayIndex.interval((long) from * t, (long) (from + n) * t));
                float[][] rows = engine.logits(in);
                if (rows.length != n) {
                    throw new IllegalStateException("engine gave " + rows.length + " score rows for " + n + " views");
                }
                System.arraycopy(rows, 0, logits, from, n);
            }
        }
        double[] averaged = options.averaging().average(logits);
        double[] probabilities = options.averaging().probabilities(averaged);
        int k = Math.min(options.top(), labels.size());
        long inference = System.nanoTime() - t0;
        return new VideoResult(video, TopK.of(probabilities, labels, k), Arrays.stream(averaged).boxed().toList(),
                options.averaging(), clip.clips(), clip.crops(), t, clip.frameCount(), clip.indexList(),
                Arrays.stream(clip.timestampsSeconds()).boxed().toList(), decodeNanos, inference, null);
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            int id = POOLS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(options.decodeThreads(), r -> {
                Thread th = new Thread(r, "tsm4j-decode-" + id + "-" + n.incrementAndGet());
                th.setDaemon(true);
                return th;
            });
        }
        return pool;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (pool != null) {
                pool.shutdownNow();
                pool = null;
            }
        }
        engine.close();
    }

    private record Pending(Path video, Future<Decoded> future) {}

    private record Decoded(DecodedClip clip, Exception error, long nanos) {}
}
