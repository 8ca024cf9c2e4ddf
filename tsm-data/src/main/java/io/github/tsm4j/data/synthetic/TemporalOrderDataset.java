package io.github.tsm4j.data.synthetic;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import io.github.tsm4j.data.dataset.SomethingSomethingV2;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.image.ImageOps;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.video.VideoWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates the synthetic temporal-order dataset: small clips of one rectangle on a plain background
 * whose six classes ({@link Motion}: moving left→right / right→left, growing / shrinking, rotating
 * clockwise / counter-clockwise) differ only in the order of their frames (see {@link ClipParams}):
 * the state of any single frame has the same distribution under every class, so a frame-level model
 * (TSN) stays at chance (1/6) while a temporal model can learn the classes.
 *
 * <p>Output, in the Something-Something V2 format ({@link SomethingSomethingV2}):
 * <pre>
 * dir/labels.json        template (no brackets) → id
 * dir/train.json         [{"id", "label", "template", "placeholders"}], balanced, shuffled
 * dir/validation.json
 * dir/videos/{id}.webm   VP9, lossless (no codec artefact can mark a frame's position in time)
 * </pre>
 * Clips are seeded individually (seed, clip number), so the output does not depend on thread count.
 */
public final class TemporalOrderDataset {
    private static final Logger LOG = LoggerFactory.getLogger(TemporalOrderDataset.class);

    /** File names inside the output folder. */
    public static final String LABELS = "labels.json";
    /** Training split file. */
    public static final String TRAIN = "train.json";
    /** Validation split file. */
    public static final String VALIDATION = "validation.json";
    /** Video folder. */
    public static final String VIDEOS = "videos";
    /** Frame rate written into the clips. */
    public static final int FPS = 12;

    private TemporalOrderDataset() {}

    /** @return the class names in id order */
    public static List<String> classNames() {
        return Arrays.stream(Motion.values()).map(Motion::className).toList();
    }

    /**
     * Where a generated dataset lives.
     *
     * @param root output folder
     * @param labelsJson labels file
     * @param trainJson training split
     * @param validationJson validation split
     * @param videoDir the clips
     */
    public record Layout(Path root, Path labelsJson, Path trainJson, Path validationJson, Path videoDir) {
        /**
         * The layout under a folder.
         *
         * @param root the folder
         * @return its layout
         */
        public static Layout of(Path root) {
            return new Layout(root, root.resolve(LABELS), root.resolve(TRAIN), root.resolve(VALIDATION), root.resolve(VIDEOS));
        }

        /** @return the training split */
        public VideoDataset train() {
            return SomethingSomethingV2.read(labelsJson, trainJson, videoDir);
        }

        /** @return the validation split */
        public VideoDataset validation() {
            return SomethingSomethingV2.read(labelsJson, validationJson, videoDir);
        }
    }

    /**
     * Generates a dataset with {@code clipsPerClass} training clips and {@code max(1, clipsPerClass / 4)}
     * validation clips per class.
     *
     * @param dir output folder (created)
     * @param clipsPerClass training clips per class
     * @param frames frames per clip
     * @param size frame side in pixels (square frames)
     * @param seed random seed
     * @return the layout
     */
    public static Layout generate(Path dir, int clipsPerClass, int frames, int size, long seed) {
        return builder().trainPerClass(clipsPerClass).validationPerClass(Math.max(1, clipsPerClass / 4))
                .frames(frames).size(size).seed(seed).generate(dir);
    }

    /** @return a builder with defaults: 64 train and 16 validation clips per class, 8 frames, 32 px, seed 0 */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Renders one clip in memory.
     *
     * @param p the clip's parameters
     * @param frames frames per clip
     * @param size frame side
     * @return the frames
     */
    public static List<RgbFrame> render(ClipParams p, int frames, int size) {
        List<RgbFrame> out = new ArrayList<>(frames);
        for (int t = 0; t < frames; t++) {
            out.add(renderFrame(p, p.state(t, frames), size));
        }
        return out;
    }

    static RgbFrame renderFrame(ClipParams p, double[] state, int size) {
        int shift = 8;
        double scale = 1 << shift;
        int[] bg = p.background();
        int[] fg = p.foreground();
        try (Mat m = new Mat(size, size, CV_8UC3, new Scalar(bg[0], bg[1], bg[2], 0));
                Point pts = new Point(4);
                Scalar colour = new Scalar(fg[0], fg[1], fg[2], 0)) {
            double cx = state[0] * size;
            double cy = p.y() * size;
            double half = state[1] * size / 2;
            double halfH = half / 2;
            double a = Math.toRadians(state[2]);
            double c = Math.cos(a);
            double s = Math.sin(a);
            double[][] corners = {{-half, -halfH}, {half, -halfH}, {half, halfH}, {-half, halfH}};
            for (int i = 0; i < 4; i++) {
                double x = cx + corners[i][0] * c - corners[i][1] * s;
                double y = cy + corners[i][0] * s + corners[i][1] * c;
                pts.position(i).x((int) Math.round(x * scale)).y((int) Math.round(y * scale));
            }
            pts.position(0);
            opencv_imgproc.fillConvexPoly(m, pts, 4, colour, opencv_imgproc.LINE_AA, shift);
            return ImageOps.toFrame(m);
        }
    }

    /** Configures and runs the generator. */
    public static final class Builder {
        private int trainPerClass = 64;
        private int validationPerClass = 16;
        private int frames = 8;
        private int size = 32;
        private long seed;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

        private Builder() {}

        /** @param v training clips per class, at least 1 @return this */
        public Builder trainPerClass(int v) {
            require(v >= 1, "trainPerClass", v, ">= 1");
            trainPerClass = v;
            return this;
        }

        /** @param v validation clips per class, at least 0 @return this */
        public Builder validationPerClass(int v) {
            require(v >= 0, "validationPerClass", v, ">= 0");
            validationPerClass = v;
            return this;
        }

        /** @param v frames per clip, at least 2 @return this */
        public Builder frames(int v) {
            require(v >= 2, "frames", v, ">= 2");
            frames = v;
            return this;
        }

        /** @param v frame side in pixels, even, 16..1024 @return this */
        public Builder size(int v) {
            require(v >= 16 && v <= 1024 && v % 2 == 0, "size", v, "an even number in 16..1024");
            size = v;
            return this;
        }

        /** @param v random seed @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v encoding threads, at least 1 @return this */
        public Builder threads(int v) {
            require(v >= 1, "threads", v, ">= 1");
            threads = v;
            return this;
        }

        /**
         * Writes the dataset.
         *
         * @param dir output folder (created; existing files are overwritten)
         * @return the layout
         */
        public Layout generate(Path dir) {
            Layout layout = Layout.of(dir);
            try {
                Files.createDirectories(layout.videoDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + layout.videoDir(), e);
            }
            Motion[] motions = Motion.values();
            int perClassTotal = trainPerClass + validationPerClass;
            int total = perClassTotal * motions.length;
            // clip n: class n % K, so every prefix of the id sequence is nearly balanced
            List<SomethingSomethingV2.Entry> train = new ArrayList<>();
            List<SomethingSomethingV2.Entry> validation = new ArrayList<>();
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (int n = 0; n < total; n++) {
                    Motion m = motions[n % motions.length];
                    int k = n / motions.length;
                    String id = Integer.toString(n + 1);
                    SomethingSomethingV2.Entry e = new SomethingSomethingV2.Entry(id,
                            m.template().replace("[something]", "rectangle").toLowerCase(java.util.Locale.ROOT),
                            m.template(), List.of("rectangle"));
                    (k < trainPerClass ? train : validation).add(e);
                    long clipSeed = mix(seed, n);
                    Path file = layout.videoDir().resolve(id + SomethingSomethingV2.VIDEO_EXTENSION);
                    jobs.add(pool.submit(() -> {
                        ClipParams p = ClipParams.sample(m, frames, new SplittableRandom(clipSeed));
                        writeWebm(file, render(p, frames, size), FPS);
                        return null;
                    }));
                }
                for (Future<?> f : jobs) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while generating " + dir, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("generating " + dir + " failed: " + e.getCause().getMessage(), e.getCause());
            } finally {
                pool.shutdownNow();
            }
            shuffle(train, new SplittableRandom(mix(seed, -1)));
            shuffle(validation, new SplittableRandom(mix(seed, -2)));
            SomethingSomethingV2.writeLabels(layout.labelsJson(), classNames());
            SomethingSomethingV2.writeSplit(layout.trainJson(), train);
            SomethingSomethingV2.writeSplit(layout.validationJson(), validation);
            LOG.info("wrote {} synthetic clips ({} frames, {} px) to {} in {} ms", total, frames, size, dir,
                    (System.nanoTime() - t0) / 1_000_000);
            return layout;
        }

        private static void require(boolean ok, String name, int v, String expected) {
            if (!ok) {
                throw new IllegalArgumentException("TemporalOrderDataset." + name + " must be " + expected + ", found " + v);
            }
        }
    }

    /**
     * Writes frames as a lossless VP9 webm.
     *
     * @param file destination
     * @param frames frames, all the same even size
     * @param fps frame rate
     */
    public static void writeWebm(Path file, List<RgbFrame> frames, int fps) {
        VideoWriter.write(file, frames, fps, VideoWriter.Codec.VP9_LOSSLESS);
    }

    private static <T> void shuffle(List<T> list, SplittableRandom r) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    static long mix(long seed, long n) {
        long z = seed * 0x9E3779B97F4A7C15L + n * 0xC2B2AE3D27D4EB4FL + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
