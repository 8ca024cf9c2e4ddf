package io.github.tsm4j.examples.bench;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.clip.ClipRequest;
import io.github.tsm4j.core.clip.DecodedClip;
import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.core.stream.SourceFrame;
import io.github.tsm4j.data.clip.VideoClipDecoder;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.video.VideoWriter;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.recognize.StreamListener;
import io.github.tsm4j.models.recognize.StreamOptions;
import io.github.tsm4j.models.recognize.StreamRecognizer;
import io.github.tsm4j.models.recognize.VideoRecognizer;
import io.github.tsm4j.models.recognize.VideoResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code tsm bench --only predict}: the application API end to end. Offline: videos/s of
 * {@link VideoRecognizer#classifyAll} over generated 10-second 640×360 H.264 clips (decode + sample + preprocess +
 * inference, decoding on a background thread), split per stage, against the model alone on the same clips' tensors
 * in the same run, for TSM-ResNet-50 and TSM-MobileNetV2 at 8 frames. Streaming: frames/s of
 * {@link StreamRecognizer} with B = 4 sources in one online MobileNetV2 against one source, on preprocessed frames
 * held in memory (the model side; decoding four 640×360 streams would measure FFmpeg on the same cores).
 */
public final class PredictBench {
    /** Clips generated for the offline figures. */
    public static final int VIDEOS = 6;
    /** Seconds per clip. */
    public static final int SECONDS = 10;
    /** Frame rate of the clips. */
    public static final int FPS = 25;
    /** Passes over the clips per figure (median reported). */
    public static final int PASSES = 3;

    private PredictBench() {
    }

    /**
     * @param s bench settings (threads, size; {@code runs} is not used: each figure is one pass over the clips after
     *     a warm-up video)
     * @return the figures
     * @throws Exception when the clips cannot be written or read
     */
    public static List<BenchLine> run(BenchSettings s) throws Exception {
        Path dir = Files.createTempDirectory("tsm-bench-predict");
        try {
            List<Path> videos = new ArrayList<>();
            for (int i = 0; i < VIDEOS; i++) {
                videos.add(clip(dir.resolve("clip" + i + ".mp4"), i));
            }
            List<BenchLine> lines = new ArrayList<>();
            lines.addAll(offline(s, Backbone.RESNET50, "predict.r50.", videos));
            lines.addAll(offline(s, Backbone.MOBILENET_V2, "predict.mbv2.", videos));
            lines.addAll(streaming(s));
            return lines;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Path clip(Path file, int seed) {
        int w = 640;
        int h = 360;
        List<RgbFrame> frames = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] noise = new byte[w * h * 3];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) rnd.nextInt(32);
        }
        for (int t = 0; t < SECONDS * FPS; t++) {
            byte[] px = new byte[w * h * 3];
            int bx = (t * 7 + seed * 50) % (w - 80);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    boolean box = x >= bx && x < bx + 80 && y >= 140 && y < 220;
                    px[o] = (byte) ((box ? 220 : x * 255 / w) + noise[o]);
                    px[o + 1] = (byte) ((box ? 40 : y * 255 / h) + noise[o + 1]);
                    px[o + 2] = (byte) (((t * 3) & 0xff) + noise[o + 2]);
                }
            }
            frames.add(new RgbFrame(w, h, px));
        }
        VideoWriter.write(file, frames, FPS, VideoWriter.Codec.H264_MP4);
        return file;
    }

    private static TsmModel model(Backbone backbone, int size) {
        TsmConfig config = TsmConfig.builder(backbone, NetworkBench.CLASSES).placement(ShiftPlacement.RESIDUAL)
                .segments(NetworkBench.SEGMENTS).inputSize(size, Math.round(size * 256f / 224f)).build();
        return TsmModel.create(config, TsmModel.defaultLabels(NetworkBench.CLASSES));
    }

    private static List<BenchLine> offline(BenchSettings s, Backbone backbone, String prefix, List<Path> videos)
            throws IOException {
        TsmModel model = model(backbone, s.size());
        InputSpec spec = model.config().input();
        TsmModel inference = model.forInference();
        // the model alone on the same clips' tensors (decoded beforehand, untimed)
        List<INDArray> tensors = new ArrayList<>();
        VideoClipDecoder decoder = new VideoClipDecoder();
        for (Path v : videos) {
            DecodedClip c = decoder.decode(v, ClipRequest.singleView(spec));
            tensors.add(Nd4j.create(c.pixels(), new long[] {spec.segments(), 3, c.side(), c.side()},
                    DataType.FLOAT));
        }
        inference.logits(tensors.get(0)).close();
        // end to end through the application API, alternating with the model alone: medians of PASSES passes
        RecognitionOptions options = RecognitionOptions.builder().decodeThreads(1).decodeAhead(2).build();
        double[] modelOnly = new double[PASSES];
        double[] e2e = new double[PASSES];
        double decodeMs = 0;
        double inferMs = 0;
        try (VideoRecognizer recognizer = VideoRecognizer.of(model, options)) {
            recognizer.classify(videos.get(0)); // warm-up
            for (int pass = 0; pass < PASSES; pass++) {
                long t0 = System.nanoTime();
                for (INDArray x : tensors) {
                    inference.logits(x).close();
                }
                modelOnly[pass] = videos.size() / ((System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime();
                List<VideoResult> results = recognizer.classifyAll(videos);
                e2e[pass] = videos.size() / ((System.nanoTime() - t1) / 1e9);
                for (VideoResult r : results) {
                    if (!r.ok()) {
                        throw new IOException(r.error());
                    }
                    decodeMs += r.decodeNanos() / 1e6 / results.size() / PASSES;
                    inferMs += r.inferenceNanos() / 1e6 / results.size() / PASSES;
                }
            }
        }
        double m = Stats.of(modelOnly).median();
        double e = Stats.of(e2e).median();
        String what = String.format(Locale.ROOT, "%d clips %ds 640x360 H.264, 1x%d views, %d px, %d threads",
                videos.size(), SECONDS, spec.segments(), s.size(), s.threads());
        return List.of(
                new BenchLine(prefix + "videos_per_s", e, "videos/s", "end to end (decode on 1 background "
                        + "thread + inference); " + what),
                new BenchLine(prefix + "model_videos_per_s", m, "videos/s", "model alone, same tensors, "
                        + "alternating with the end-to-end passes"),
                new BenchLine(prefix + "e2e_over_model", e / m, "x", "target >= 0.9; medians of " + PASSES + " passes"),
                new BenchLine(prefix + "decode_ms", decodeMs, "ms", "mean per video, background thread"),
                new BenchLine(prefix + "inference_ms", inferMs, "ms", "mean per video"));
    }

    private static List<BenchLine> streaming(BenchSettings s) throws Exception {
        TsmConfig config = TsmConfig.builder(Backbone.MOBILENET_V2, NetworkBench.CLASSES)
                .segments(NetworkBench.SEGMENTS).inputSize(s.size(), Math.round(s.size() * 256f / 224f))
                .direction(ShiftDirection.UNIDIRECTIONAL).build();
        TsmModel model = TsmModel.create(config, TsmModel.defaultLabels(NetworkBench.CLASSES));
        int frames = 200;
        double[] ones = new double[PASSES];
        double[] fours = new double[PASSES];
        for (int pass = 0; pass < PASSES; pass++) {
            ones[pass] = framesPerSecond(model, 1, frames);
            fours[pass] = framesPerSecond(model, 4, frames);
        }
        double one = Stats.of(ones).median();
        double four = Stats.of(fours).median();
        return List.of(
                new BenchLine("predict.stream.fps_b1", one, "frames/s", "online MobileNetV2, 1 source, " + frames
                        + " preprocessed frames"),
                new BenchLine("predict.stream.fps_b4", four, "frames/s", "4 sources in one model (one copy of the "
                        + "weights), frames of all sources"),
                new BenchLine("predict.stream.b4_over_b1", four / one, "x", "target >= 3"));
    }

    private static double framesPerSecond(TsmModel model, int streams, int frames) throws Exception {
        int side = model.config().input().cropSize();
        try (StreamRecognizer r = StreamRecognizer.of(model, streams, StreamOptions.defaults())) {
            List<FrameSource> warm = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                warm.add(new MemorySource("warm" + i, 20, side));
            }
            r.run(warm, new StreamListener() { });
            List<FrameSource> sources = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                sources.add(new MemorySource("s" + i, frames, side));
            }
            long t0 = System.nanoTime();
            r.run(sources, new StreamListener() { });
            return (double) frames * streams / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Preprocessed random frames from memory: the recognizer's side alone. */
    private static final class MemorySource implements FrameSource {
        private final String name;
        private final int count;
        private final float[][] inputs = new float[8][];
        private int next;

        MemorySource(String name, int count, int side) {
            this.name = name;
            this.count = count;
            SplittableRandom rnd = new SplittableRandom(name.hashCode());
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = new float[3 * side * side];
                for (int j = 0; j < inputs[i].length; j++) {
                    inputs[i][j] = (float) rnd.nextGaussian();
                }
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void open() {
            next = 0;
        }

        @Override
        public SourceFrame next() {
            if (next == count) {
                return null;
            }
            int i = next++;
            return new SourceFrame(i, i * 40_000L, 1, 1, new byte[3], inputs[i % inputs.length]);
        }

        @Override
        public double frameRate() {
            return FPS;
        }

        @Override
        public boolean live() {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
