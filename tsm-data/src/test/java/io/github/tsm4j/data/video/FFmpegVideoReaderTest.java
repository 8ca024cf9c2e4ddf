package io.github.tsm4j.data.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.data.TestVideos;
import io.github.tsm4j.data.image.RgbFrame;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class FFmpegVideoReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(VideoWriter.Codec.class)
    void everyWritableCodecDecodesExactFramesInRgb(VideoWriter.Codec codec) {
        Path f = TestVideos.write(dir.resolve("v" + codec.extension()), 20, 48, 32, codec);
        try (FFmpegVideoReader r = FFmpegVideoReader.open(f)) {
            assertEquals(48, r.width());
            assertEquals(32, r.height());
            assertEquals(12.0, r.frameRate(), 1e-6);
            assertEquals(20, r.frameCount());
            int[] idx = {0, 19, 7, 3, 3, 12};
            List<RgbFrame> frames = r.read(idx);
            for (int i = 0; i < idx.length; i++) {
                RgbFrame fr = frames.get(i);
                assertEquals(48, fr.width());
                double err = TestVideos.error(fr, idx[i]);
                assertTrue(err < 3.0, codec + " frame " + idx[i] + " mean abs error " + err);
            }
        }
    }

    @Test
    void readsSequentialRequestsWithoutRewindingAndScalesWhileDecoding() {
        Path f = TestVideos.write(dir.resolve("a.webm"), 16, 64, 48, VideoWriter.Codec.VP9);
        try (FFmpegVideoReader r = FFmpegVideoReader.open(f)) {
            List<RgbFrame> a = r.read(new int[] {1, 2}, 24);
            assertEquals(32, a.get(0).width());
            assertEquals(24, a.get(0).height());
            assertTrue(TestVideos.error(a.get(1), 2) < 3);
            List<RgbFrame> b = r.read(new int[] {15});
            assertTrue(TestVideos.error(b.get(0), 15) < 3);
            List<RgbFrame> c = r.read(new int[] {0});
            assertTrue(TestVideos.error(c.get(0), 0) < 3);
        }
    }

    @Test
    void frameIndexPastTheEndNamesTheFileAndTheCount() {
        Path f = TestVideos.write(dir.resolve("short.webm"), 5, 32, 32, VideoWriter.Codec.VP8);
        try (FFmpegVideoReader r = FFmpegVideoReader.open(f)) {
            VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> r.read(new int[] {5}));
            assertEquals(f + ": frame 5 requested but the video has only 5 decodable frame(s)", e.getMessage());
            assertEquals(5, r.frameCount());
        }
    }
}
