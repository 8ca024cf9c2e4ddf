package io.github.tsm4j.examples.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.data.stream.FrameSources;
import io.github.tsm4j.models.engine.EngineKind;
import io.github.tsm4j.models.engine.FrameEngine;
import io.github.tsm4j.models.recognize.FrameResult;
import io.github.tsm4j.models.recognize.HistorySmoother;
import io.github.tsm4j.models.recognize.LabelChange;
import io.github.tsm4j.models.recognize.StreamListener;
import io.github.tsm4j.models.recognize.StreamOptions;
import io.github.tsm4j.models.recognize.StreamRecognizer;
import io.github.tsm4j.models.recognize.StreamReport;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(300) // a hang guard, not a time limit: nothing here asserts how fast anything runs
class StreamRecognizerTest {

    @TempDir
    Path dir;

    private static int[] redThenBlue(int i) {
        return i < 6 ? new int[] {220, 20, 20} : new int[] {20, 20, 220};
    }

    private static final StreamOptions OFFLINE = StreamOptions.defaults();

    private static FrameSource file(Path video) throws Exception {
        return FrameSources.create(video.toString(), FakeModels.SPEC);
    }

    private static StreamReport run(FrameEngine engine, StreamOptions options, FrameSource source,
            StreamListener listener) throws Exception {
        try (StreamRecognizer r = StreamRecognizer.of(engine, FakeModels.SPEC.cropSize(), options)) {
            return r.run(source, listener);
        }
    }

    /** Records every event. */
    private static final class Recorder implements StreamListener {
        final List<FrameResult> frames = new ArrayList<>();
        final List<LabelChange> changes = new ArrayList<>();
        final List<StreamReport> ends = new ArrayList<>();

        @Override
        public void onFrame(FrameResult frame) {
            frames.add(frame);
        }

        @Override
        public void onLabelChange(LabelChange change) {
            changes.add(change);
        }

        @Override
        public void onEnd(StreamReport report) {
            ends.add(report);
        }
    }

    @Test
    void labelsEveryFrameOfAFileInOrderAndReportsTheChanges() throws Exception {
        Path video = TestVideos.write(dir.resolve("rb.mp4"), 64, 48, 12, 25, StreamRecognizerTest::redThenBlue);
        Recorder events = new Recorder();
        StreamReport r = run(new FakeModels.Colour(), OFFLINE, file(video), events);
        assertEquals(12, r.decoded());
        assertEquals(12, r.processed());
        assertEquals(0, r.dropped());
        assertEquals(List.of("red", "red", "red", "red", "red", "red", "blue", "blue", "blue", "blue", "blue", "blue"),
                r.labels());
        assertEquals(12, r.latency().count());
        assertEquals(12, events.frames.size());
        assertEquals(List.of(r), events.ends);
        assertEquals(2, events.changes.size());
        assertEquals(new LabelChange(0, video.toString(), 0, 0, null, "red", events.changes.get(0).probability()),
                events.changes.get(0));
        LabelChange blue = events.changes.get(1);
        assertEquals(6, blue.frameIndex());
        assertEquals("red", blue.previous());
        assertEquals("blue", blue.label());
        assertEquals(240_000, blue.timestampMicros(), "frame 6 at 25 fps");
        assertTrue(blue.probability() > 0.99f, "solid blue: " + blue.probability());
        assertTrue(r.summaryLine().startsWith(video + ": 12 frames processed of 12 decoded, 0 dropped; latency median "),
                r.summaryLine());
    }

    @Test
    void rawFramesFromAStreamAreLabelled() throws Exception {
        byte[] raw = TestVideos.raw(40, 30, 4, i -> i % 2 == 0 ? new int[] {0, 255, 0} : new int[] {255, 0, 0});
        StreamReport r = run(new FakeModels.Colour(), OFFLINE,
                FrameSources.rawRgb("-", new ByteArrayInputStream(raw), 40, 30, 30, FakeModels.SPEC),
                new StreamListener() { });
        assertEquals(List.of("green", "red", "green", "red"), r.labels());
        assertEquals(List.of(0L, 1L, 2L, 3L), r.frameIndices());
    }

    @Test
    void realtimeDropsFramesOfASlowModelAndCountsThem() throws Exception {
        // 40 frames at 100 fps paced to 0.4 s; the model takes 25 ms a frame
        Path video = TestVideos.write(dir.resolve("fast.mp4"), 32, 32, 40, 100, i -> new int[] {200, 0, 0});
        FakeModels.Colour slow = new FakeModels.Colour(25, 1);
        StreamOptions rt = new StreamOptions(StreamOptions.Realtime.ON, 1, HistorySmoother.Config.ofWindow(1),
                EngineKind.ND4J, 0);
        long t0 = System.nanoTime();
        StreamReport r = run(slow, rt, file(video), new StreamListener() { });
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(40, r.decoded());
        assertEquals(40, r.processed() + r.dropped());
        // a model of >= 25 ms per frame steps at most seconds / 0.025 + 1 frames in the time the run took
        // (about 16 of 40 on an idle machine; a loaded machine slows both sides and the bound with them)
        assertTrue(r.processed() <= seconds / 0.025 + 1, r.processed() + " frames stepped in " + seconds + " s");
        assertEquals(r.processed(), slow.steps());
        assertTrue(r.summaryLine().contains(", " + r.dropped() + " dropped;"), r.summaryLine());
    }

    @Test
    void aMissingSourceEndsWithAnErrorReportAndTheOthersGoOn() throws Exception {
        Path video = TestVideos.write(dir.resolve("red.mp4"), 32, 32, 5, 25, i -> new int[] {200, 0, 0});
        Path broken = Files.write(dir.resolve("broken.mp4"), new byte[] {1, 2, 3, 4});
        Recorder events = new Recorder();
        try (StreamRecognizer r = StreamRecognizer.of(new FakeModels.Colour(0, 1), 32, OFFLINE)) {
            List<StreamReport> reports = r.run(List.of(file(broken), file(video)), events);
            assertEquals(2, reports.size());
            assertTrue(reports.get(0).error().startsWith("cannot open video " + broken), reports.get(0).error());
            assertEquals(0, reports.get(0).processed());
            assertTrue(reports.get(1).ok());
            assertEquals(5, reports.get(1).processed());
        }
        assertEquals(2, events.ends.size());
    }

    @Test
    void oneModelServesBStreamsEachWithItsOwnState() throws Exception {
        // one video gets brighter frame by frame, the other darker; both run in one 2-stream engine
        Path up = TestVideos.write(dir.resolve("up.mp4"), 32, 32, 10, 25, i -> grey(40 + 18 * i));
        Path down = TestVideos.write(dir.resolve("down.mp4"), 32, 32, 7, 25, i -> grey(220 - 18 * i));
        Path third = TestVideos.write(dir.resolve("third.mp4"), 32, 32, 4, 25, i -> grey(60 + 40 * i));
        try (StreamRecognizer r = StreamRecognizer.of(new FakeModels.Brightness(2), 32, OFFLINE)) {
            // three sources, two slots: the third takes the slot of the one that ends first, with a fresh state
            List<StreamReport> reports = r.run(List.of(file(up), file(down), file(third)), new StreamListener() { });
            assertEquals("same", reports.get(0).labels().get(0));
            assertEquals(Collections.nCopies(9, "brighter"), reports.get(0).labels().subList(1, 10));
            assertEquals(Collections.nCopies(6, "darker"), reports.get(1).labels().subList(1, 7));
            assertEquals(List.of("same", "brighter", "brighter", "brighter"), reports.get(2).labels());
            assertEquals(List.of(0, 1, 1), reports.stream().map(StreamReport::stream).toList());
        }
    }

    private static int[] grey(int v) {
        return new int[] {v, v, v};
    }
}
