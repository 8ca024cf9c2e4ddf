package io.github.tsm4j.examples.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(300) // a hang guard, not a time limit: nothing here asserts how fast anything runs
class StreamSessionTest {

    @TempDir
    Path dir;

    private static int[] redThenBlue(int i) {
        return i < 6 ? new int[] {220, 20, 20} : new int[] {20, 20, 220};
    }

    private static StreamOptions options(boolean realtime, Path out, Path timeline) {
        return new StreamOptions(1, realtime, 4, HistorySmoother.Config.ofWindow(1), out, timeline);
    }

    @Test
    void labelsEveryFrameOfAFileInOrder() throws Exception {
        Path video = TestVideos.write(dir.resolve("rb.mp4"), 64, 48, 12, 25, StreamSessionTest::redThenBlue);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        StreamReport r = new StreamSession(FrameSources.create(video.toString(), null, 0, 0, 0),
                new FakeModels.Colour(), options(false, null, null), lines::add, "").call();
        assertEquals(12, r.decoded());
        assertEquals(12, r.processed());
        assertEquals(0, r.dropped());
        assertEquals(List.of("red", "red", "red", "red", "red", "red", "blue", "blue", "blue", "blue", "blue", "blue"),
                r.labels());
        assertEquals(12, r.latency().count());
        assertEquals(12, lines.size());
        assertTrue(lines.get(0).matches("frame 0  red  p=1\\.000  \\d+\\.\\d\\d ms  \\d+\\.\\d fps"), lines.get(0));
        assertTrue(r.summaryLine().startsWith(video + ": 12 frames processed of 12 decoded, 0 dropped; latency median "),
                r.summaryLine());
    }

    @Test
    void rawFramesFromAStreamAreLabelled() throws Exception {
        byte[] raw = TestVideos.raw(40, 30, 4, i -> i % 2 == 0 ? new int[] {0, 255, 0} : new int[] {255, 0, 0});
        StreamReport r = new StreamSession(
                FrameSources.create("-", new ByteArrayInputStream(raw), 40, 30, 30),
                new FakeModels.Colour(), options(false, null, null), s -> { }, "").call();
        assertEquals(List.of("green", "red", "green", "red"), r.labels());
        assertEquals(List.of(0L, 1L, 2L, 3L), r.frameIndices());
    }

    @Test
    void realtimeDropsFramesOfASlowModelAndCountsThem() throws Exception {
        // 40 frames at 100 fps paced to 0.4 s; the model takes 25 ms a frame
        Path video = TestVideos.write(dir.resolve("fast.mp4"), 32, 32, 40, 100, i -> new int[] {200, 0, 0});
        FakeModels.Colour slow = new FakeModels.Colour(25);
        long t0 = System.nanoTime();
        StreamReport r = new StreamSession(FrameSources.create(video.toString(), null, 0, 0, 0), slow,
                new StreamOptions(0, true, 1, HistorySmoother.Config.ofWindow(1), null, null), s -> { }, "").call();
        assertEquals(40, r.decoded());
        assertEquals(40, r.processed() + r.dropped());
        // a model of >= 25 ms per frame steps at most seconds / 0.025 + 1 frames in the time the run took
        // (about 16 of 40 on an idle machine; a loaded machine slows both sides and the bound with them)
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(r.processed() <= seconds / 0.025 + 1, r.processed() + " frames stepped in " + seconds + " s");
        assertEquals(r.processed(), slow.steps());
        assertTrue(r.summaryLine().contains(", " + r.dropped() + " dropped;"), r.summaryLine());
    }

    @Test
    void writesTheAnnotatedVideoAndTheTimeline() throws Exception {
        Path video = TestVideos.write(dir.resolve("rb.webm"), 64, 48, 12, 25, StreamSessionTest::redThenBlue);
        Path out = dir.resolve("annotated.mp4");
        Path png = dir.resolve("timeline.png");
        StreamReport r = new StreamSession(FrameSources.create(video.toString(), null, 0, 0, 0),
                new FakeModels.Colour(), options(false, out, png), s -> { }, "").call();
        assertEquals(12, r.processed());
        assertEquals(12, TestVideos.countFrames(out));
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(out.toString())) {
            g.start();
            assertEquals(64, g.getImageWidth());
            assertEquals(48 + 24, g.getImageHeight(), "frame plus the label band");
        }
        BufferedImage chart = ImageIO.read(Files.newInputStream(png));
        assertEquals(900, chart.getWidth());
        assertEquals(400, chart.getHeight());
    }

    @Test
    void aModelInstancePerStreamKeepsTemporalStateApart() throws Exception {
        // one video gets brighter frame by frame, the other darker; run both at once, each with its own model
        Path up = TestVideos.write(dir.resolve("up.mp4"), 32, 32, 10, 25, i -> grey(40 + 18 * i));
        Path down = TestVideos.write(dir.resolve("down.mp4"), 32, 32, 10, 25, i -> grey(220 - 18 * i));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(new StreamSession(FrameSources.create(up.toString(), null, 0, 0, 0),
                    new FakeModels.Brightness(), options(false, null, null), s -> { }, ""));
            var b = pool.submit(new StreamSession(FrameSources.create(down.toString(), null, 0, 0, 0),
                    new FakeModels.Brightness(), options(false, null, null), s -> { }, ""));
            List<String> upLabels = a.get().labels();
            List<String> downLabels = b.get().labels();
            assertEquals("same", upLabels.get(0));
            assertEquals(Collections.nCopies(9, "brighter"), upLabels.subList(1, 10));
            assertEquals(Collections.nCopies(9, "darker"), downLabels.subList(1, 10));
        } finally {
            pool.shutdownNow();
        }
    }

    private static int[] grey(int v) {
        return new int[] {v, v, v};
    }
}
