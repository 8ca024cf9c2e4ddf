package io.github.tsm4j.data.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.data.TestVideos;
import io.github.tsm4j.data.image.RgbFrame;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Constant-rate frame indices equal those of Debian's real {@code ffmpeg} 5.1 ({@code ffmpeg -i V -threads 1
 * -q:v 0 img_%05d.jpg}, with and without {@code -vf scale}) on committed videos with variable frame rate,
 * bursts, dropped spans, zero-size AVI repeats, a late start with and without an audio stream
 * (scripts/make_timing_fixtures.py), and the
 * decoded pixels of every index name the expected source frame.
 */
class ConstantRateTimelineTest {
    @TempDir
    Path dir;

    static JsonNode expected() throws IOException {
        try (InputStream in = ConstantRateTimelineTest.class.getResourceAsStream("/timing/expected.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private Path copy(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/timing/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cfr12.mp4", "vfr.mkv", "gap.mp4", "burst.webm", "mixed.avi", "late.mkv", "late_audio.mkv"})
    void indicesAndPixelsAreThoseOfFfmpegsConstantRateExtraction(String name) throws IOException {
        JsonNode e = expected().get("videos").get(name);
        Path video = copy(name);
        for (FrameTiming timing : new FrameTiming[] {FrameTiming.CONSTANT_RATE, FrameTiming.CONSTANT_RATE_FILTERED}) {
            int[] want = ints(e.get(timing == FrameTiming.CONSTANT_RATE ? "constant_rate" : "constant_rate_filtered"));
            try (FFmpegVideoReader r = FFmpegVideoReader.open(video, 0, timing)) {
                assertEquals(want.length, r.quickFrameCount(), name + " " + timing);
                int[] got = IntStream.range(0, want.length).map(r::decodedIndex).toArray();
                assertArrayEquals(want, got, name + " " + timing);
                List<RgbFrame> frames = r.read(IntStream.range(0, want.length).toArray());
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], TestVideos.code(frames.get(i)), name + " " + timing + " frame " + i);
                }
                assertEquals(want.length, r.frameCount(), name + " verified");
                double[] t = r.timestampsSeconds(new int[] {0, want.length - 1});
                // seconds from the file's start time (the earliest stream's start)
                double start = e.get("start_time").asDouble();
                assertEquals(e.get("pts").get(want[0]).asDouble() - start, t[0], 1e-6);
                assertEquals(e.get("pts").get(want[want.length - 1]).asDouble() - start, t[1], 1e-6);
                VideoDecodeException past = assertThrows(VideoDecodeException.class, () -> r.read(new int[] {want.length}));
                assertEquals(video + ": frame " + want.length + " requested but the video has only " + want.length
                        + " frame(s) at its constant rate", past.getMessage());
            }
        }
        try (FFmpegVideoReader r = FFmpegVideoReader.open(video, 0, FrameTiming.DECODE_ORDER)) {
            int n = e.get("source_frames").asInt();
            assertEquals(n, r.quickFrameCount());
            List<RgbFrame> frames = r.read(IntStream.range(0, n).toArray());
            for (int i = 0; i < n; i++) {
                assertEquals(i, TestVideos.code(frames.get(i)), name + " decode order frame " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vfr.mkv", "gap.mp4", "burst.webm", "mixed.avi"})
    void variableRateVideosDifferFromDecodeOrder(String name) throws IOException {
        JsonNode e = expected().get("videos").get(name);
        int[] cr = ints(e.get("constant_rate"));
        int[] identity = IntStream.range(0, cr.length).toArray();
        assertNotEquals(java.util.Arrays.toString(identity), java.util.Arrays.toString(cr), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gap.mp4", "mixed.avi"})
    void readAllHandsOverTheConstantRateFramesInOrder(String name) throws IOException {
        int[] want = ints(expected().get("videos").get(name).get("constant_rate"));
        Path video = copy(name);
        int[] seen = new int[want.length];
        int[] next = {0};
        try (FFmpegVideoReader r = FFmpegVideoReader.open(video)) {
            int n = r.readAll(0, (f, i) -> {
                assertEquals(next[0]++, i);
                seen[i] = TestVideos.code(f);
            });
            assertEquals(want.length, n);
        }
        assertArrayEquals(want, seen);
    }
}
