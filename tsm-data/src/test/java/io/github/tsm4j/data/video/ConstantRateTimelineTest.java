package io.github.tsm4j.data.video;

import io.github.tsm4j.core.clip.FrameTiming;
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
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.iterator.ClipLoader;
import io.github.tsm4j.data.iterator.LoadedClip;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.core.clip.TestCrop;
import org.junit.jupiter.api.Test;
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

    @Test
    void theClipLoaderSamplesConstantRateFramesAndReportsThemOrDecodeOrderWhenAsked() throws IOException {
        JsonNode e = expected().get("videos").get("gap.mp4");
        int[] timeline = ints(e.get("constant_rate"));
        Path video = copy("gap.mp4");
        InputSpec spec = InputSpec.imageNet(8).withSize(48, 48); // 64x48 frames: no resize, centre crop x = 8..56
        FrameSampler sampler = FrameSampler.of(8, SamplingMode.UNIFORM);
        for (FrameTiming timing : new FrameTiming[] {FrameTiming.CONSTANT_RATE, FrameTiming.DECODE_ORDER}) {
            ClipLoader loader = new ClipLoader(sampler, ClipTransform.test(spec, TestCrop.CENTRE), timing);
            LoadedClip clip = loader.loadClip(video, null);
            int count = timing == FrameTiming.CONSTANT_RATE ? timeline.length : e.get("source_frames").asInt();
            assertEquals(count, clip.frameCount(), timing.toString());
            assertArrayEquals(sampler.testIndices(count), clip.indices(), timing.toString());
            for (int i = 0; i < 8; i++) {
                int source = timing == FrameTiming.CONSTANT_RATE ? timeline[clip.indices()[i]] : clip.indices()[i];
                RgbFrame f = TestVideos.denormalise(clip.pixels(), i, 48, spec);
                assertEquals(middleColumns(source), middleColumns(f), timing + " sampled frame " + i);
                assertEquals(e.get("pts").get(source).asDouble() - e.get("start_time").asDouble(),
                        clip.timestampsSeconds()[i], 1e-6);
            }
            assertArrayEquals(clip.pixels(), loader.load(video, null));
        }
    }

    /** Bits of block columns 1 and 2 of a code. */
    private static int middleColumns(int k) {
        return k & ((1 << 1) | (1 << 2) | (1 << 5) | (1 << 6) | (1 << 9) | (1 << 10));
    }

    /** Reads block columns 1 and 2 of a 64x48 coded frame from its 48x48 centre crop (crop x = frame x − 8). */
    private static int middleColumns(RgbFrame crop) {
        int k = 0;
        for (int row = 0; row < 3; row++) {
            for (int col = 1; col <= 2; col++) {
                int cx = col * 16 + 8 - 8;
                int cy = row * 16 + 8;
                double sum = 0;
                for (int y = cy - 3; y < cy + 3; y++) {
                    for (int x = cx - 3; x < cx + 3; x++) {
                        sum += crop.get(x, y, 0) + crop.get(x, y, 1) + crop.get(x, y, 2);
                    }
                }
                double m = sum / 108;
                if (m > 60 && m < 195) {
                    throw new AssertionError("ambiguous block mean " + m);
                }
                if (m > 128) {
                    k |= 1 << (row * 4 + col);
                }
            }
        }
        return k;
    }
}
