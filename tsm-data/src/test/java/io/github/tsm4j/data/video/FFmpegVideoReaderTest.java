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
            assertEquals(20, r.quickFrameCount(), "video packets");
            assertEquals(20, r.frameCount(), "decoded frames");
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
    void truncatedFileHasFewerDecodableFramesThanTheQuickCountMayClaimAndTheLoaderResamples() throws java.io.IOException {
        // (a truncated mp4 loses its index and does not open at all; AVI keeps playing up to the cut)
        Path avi = TestVideos.write(dir.resolve("t.avi"), 40, 64, 64, VideoWriter.Codec.MJPEG_AVI);
        byte[] a = java.nio.file.Files.readAllBytes(avi);
        java.nio.file.Files.write(avi, java.util.Arrays.copyOf(a, a.length * 3 / 4));
        try (FFmpegVideoReader r = FFmpegVideoReader.open(avi)) {
            int quick = r.quickFrameCount();
            int exact = r.frameCount();
            assertTrue(exact < 40, "decodable frames after truncation: " + exact);
            assertTrue(quick > exact, quick + " packets vs " + exact + " frames (the last packet is cut)");
        }
        io.github.tsm4j.data.iterator.ClipLoader loader = new io.github.tsm4j.data.iterator.ClipLoader(
                io.github.tsm4j.data.sampling.FrameSampler.of(8, io.github.tsm4j.core.clip.SamplingMode.UNIFORM),
                io.github.tsm4j.data.transform.ClipTransform.test(io.github.tsm4j.core.InputSpec.imageNet(8).withSize(32, 32),
                        io.github.tsm4j.core.clip.TestCrop.CENTRE));
        assertEquals(8 * 3 * 32 * 32, loader.load(avi, null).length);
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
