package io.github.tsm4j.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.video.VideoReader;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalOrderDatasetTest {
    @TempDir
    Path dir;

    @Test
    void partnerClassIsTheSameFramesInReverseOrder() {
        for (Motion m : Motion.values()) {
            ClipParams p = ClipParams.sample(m, 8, new SplittableRandom(7 + m.ordinal()));
            List<RgbFrame> a = TemporalOrderDataset.render(p, 8, 32);
            List<RgbFrame> b = TemporalOrderDataset.render(p.withMotion(m.partner()), 8, 32);
            for (int t = 0; t < 8; t++) {
                assertEquals(a.get(t), b.get(7 - t), m + " frame " + t);
            }
            assertNotEquals(a.get(0), a.get(7), m + " must change over time");
        }
    }

    @Test
    void singleFrameStateHasTheSameDistributionUnderEveryClass() {
        int frames = 8;
        int clips = 20000;
        double[][] mean = new double[6][3];
        double[][] sq = new double[6][3];
        for (Motion m : Motion.values()) {
            SplittableRandom r = new SplittableRandom(11);
            for (int i = 0; i < clips; i++) {
                ClipParams p = ClipParams.sample(m, frames, r);
                double[] s = p.state(r.nextInt(frames), frames);
                for (int a = 0; a < 3; a++) {
                    mean[m.ordinal()][a] += s[a] / clips;
                    sq[m.ordinal()][a] += s[a] * s[a] / clips;
                }
            }
        }
        double[] scale = {1, 1, 180};
        for (int c = 1; c < 6; c++) {
            for (int a = 0; a < 3; a++) {
                assertEquals(mean[0][a] / scale[a], mean[c][a] / scale[a], 0.01, "mean of attribute " + a + " class " + c);
                assertEquals(sq[0][a] / scale[a] / scale[a], sq[c][a] / scale[a] / scale[a], 0.01, "2nd moment " + a + " class " + c);
            }
        }
    }

    @Test
    void generatesBalancedSomethingSomethingV2Dataset() {
        TemporalOrderDataset.Layout l = TemporalOrderDataset.generate(dir, 4, 8, 32, 3);
        VideoDataset train = l.train();
        VideoDataset val = l.validation();
        assertEquals(TemporalOrderDataset.classNames(), train.classNames());
        assertEquals(6, train.numClasses());
        assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4}, train.classCounts());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1}, val.classCounts());
        try (VideoReader r = VideoReader.open(train.samples().get(0).path())) {
            assertEquals(8, r.frameCount());
            assertEquals(32, r.width());
        }
    }

    @Test
    void generationIsLosslessForTheWrittenFrames() {
        // generation speed is measured by the DecodeThroughput benchmark, not here
        TemporalOrderDataset.Layout l = TemporalOrderDataset.builder().trainPerClass(20).validationPerClass(0)
                .frames(8).size(32).seed(5).generate(dir);
        // clip 1 is class 0 with seed mix(5, 0)
        ClipParams p = ClipParams.sample(Motion.LEFT_TO_RIGHT, 8, new SplittableRandom(TemporalOrderDataset.mix(5, 0)));
        List<RgbFrame> expected = TemporalOrderDataset.render(p, 8, 32);
        try (VideoReader r = VideoReader.open(l.videoDir().resolve("1.webm"))) {
            List<RgbFrame> got = r.read(new int[] {0, 1, 2, 3, 4, 5, 6, 7});
            for (int t = 0; t < 8; t++) {
                double err = 0;
                byte[] a = expected.get(t).pixels();
                byte[] b = got.get(t).pixels();
                for (int i = 0; i < a.length; i++) {
                    err += Math.abs((a[i] & 255) - (b[i] & 255));
                }
                err /= a.length;
                assertTrue(err < 1.5, "frame " + t + " mean abs error " + err);
            }
        }
    }
}
