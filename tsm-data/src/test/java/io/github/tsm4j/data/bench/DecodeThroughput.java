package io.github.tsm4j.data.bench;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import io.github.tsm4j.data.iterator.ClipLoader;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.data.synthetic.ClipParams;
import io.github.tsm4j.data.synthetic.Motion;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.data.video.FFmpegVideoReader;
import io.github.tsm4j.data.video.VideoWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decode throughput, run by hand: {@code java -cp <test classpath> io.github.tsm4j.data.bench.DecodeThroughput}.
 * Prints medians of 5 repetitions after 2 warm-up repetitions.
 */
public final class DecodeThroughput {
    private DecodeThroughput() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("tsm-decode-bench");
        // 1. synthetic clips: 300 clips, 8 frames, 32 px
        long t0 = System.nanoTime();
        TemporalOrderDataset.Layout l = TemporalOrderDataset.builder().trainPerClass(50).validationPerClass(0)
                .frames(8).size(32).seed(1).generate(dir.resolve("synthetic"));
        System.out.printf("generate 300 synthetic clips (8 frames, 32 px, VP9 lossless): %.2f s%n", (System.nanoTime() - t0) / 1e9);
        VideoDataset train = l.train();
        List<Path> clips = train.samples().stream().map(s -> s.path()).toList();
        report("synthetic 32 px webm, decode all frames", 5, () -> {
            long frames = 0;
            for (Path p : clips) {
                try (FFmpegVideoReader r = FFmpegVideoReader.open(p)) {
                    frames += r.readAll(0, (f, i) -> { });
                }
            }
            return frames;
        }, "frames");
        InputSpec small = InputSpec.imageNet(8).withSize(28, 32);
        ClipLoader trainLoader = new ClipLoader(FrameSampler.of(8, SamplingMode.UNIFORM), ClipTransform.train(small, false));
        report("synthetic 32 px webm, training clip (count + 8 frames + augment + normalise), 1 thread", 5, () -> {
            SplittableRandom r = new SplittableRandom(1);
            for (Path p : clips) {
                trainLoader.load(p, r);
            }
            return clips.size();
        }, "clips");
        for (int workers : new int[] {1, 2}) {
            report("synthetic, ClipDataSetIterator batch 16, " + workers + " worker(s)", 5, () -> {
                long n = 0;
                try (ClipDataSetIterator it = ClipDataSetIterator.builder(train, small).batchSize(16).workers(workers).build()) {
                    while (it.hasNext()) {
                        n += it.next().getLabels().rows();
                    }
                }
                return n;
            }, "clips");
        }
        // 2. a 224-px mp4: 300 frames of 298x224 with moving content
        List<RgbFrame> frames = new ArrayList<>();
        for (int t = 0; t < 300; t++) {
            ClipParams p = ClipParams.sample(Motion.values()[t % 6], 8, new SplittableRandom(t / 8));
            RgbFrame square = TemporalOrderDataset.render(p, 8, 224).get(t % 8);
            byte[] px = new byte[298 * 224 * 3];
            for (int y = 0; y < 224; y++) {
                System.arraycopy(square.pixels(), y * 224 * 3, px, (y * 298 + 37) * 3, 224 * 3);
            }
            frames.add(new RgbFrame(298, 224, px));
        }
        for (VideoWriter.Codec codec : new VideoWriter.Codec[] {VideoWriter.Codec.H264_MP4, VideoWriter.Codec.MPEG4_MP4, VideoWriter.Codec.VP9}) {
            Path v = dir.resolve("clip224" + codec + codec.extension());
            VideoWriter.write(v, frames, 25, codec);
            report("298x224 " + codec + ", decode all 300 frames to RGB", 5, () -> {
                try (FFmpegVideoReader r = FFmpegVideoReader.open(v)) {
                    return r.readAll(0, (f, i) -> { });
                }
            }, "frames");
            InputSpec spec = InputSpec.imageNet(8);
            ClipLoader test = new ClipLoader(FrameSampler.of(8, SamplingMode.UNIFORM), ClipTransform.test(spec, TestCrop.CENTRE));
            report("298x224 " + codec + ", one 8-frame test clip (count pass + sampled decode + 256/224 crop)", 5, () -> {
                test.load(v, null);
                return 1;
            }, "clips");
        }
    }

    interface Job {
        long run() throws Exception;
    }

    private static void report(String name, int reps, Job job, String unit) throws Exception {
        for (int i = 0; i < 2; i++) {
            job.run();
        }
        double[] rates = new double[reps];
        double[] secs = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            long n = job.run();
            secs[i] = (System.nanoTime() - t) / 1e9;
            rates[i] = n / secs[i];
        }
        Arrays.sort(rates);
        Arrays.sort(secs);
        System.out.printf("%-100s %10.1f %s/s (median %.3f s)%n", name, rates[reps / 2], unit, secs[reps / 2]);
    }
}
