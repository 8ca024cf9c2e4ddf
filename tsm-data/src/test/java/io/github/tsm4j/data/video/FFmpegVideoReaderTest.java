package io.github.tsm4j.data.video;

import io.github.tsm4j.core.clip.FrameTiming;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.TestVideos;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.iterator.ClipLoader;
import io.github.tsm4j.data.iterator.LoadedClip;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.core.clip.TestCrop;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Decoding pins the exact frame: the test videos' frames show their own number in big black/white blocks
 * ({@link TestVideos#coded}), so neighbouring frames differ by whole blocks of 255 grey levels and an
 * off-by-one frame fails; the flat-colour check keeps the RGB channel order honest.
 */
class FFmpegVideoReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(VideoWriter.Codec.class)
    void everyWritableCodecDecodesExactFrames(VideoWriter.Codec codec) {
        Path f = TestVideos.writeCoded(dir.resolve("v" + codec.extension()), 20, 48, 36, codec);
        for (FrameTiming timing : FrameTiming.values()) {
            try (FFmpegVideoReader r = FFmpegVideoReader.open(f, 0, timing)) {
                assertEquals(48, r.width());
                assertEquals(36, r.height());
                assertEquals(12.0, r.frameRate(), 1e-6);
                assertEquals(20, r.quickFrameCount(), codec + " " + timing + " quick count");
                assertEquals(20, r.frameCount(), codec + " " + timing + " decoded frames");
                int[] idx = {0, 19, 7, 3, 3, 12, 11, 13};
                List<RgbFrame> frames = r.read(idx);
                for (int i = 0; i < idx.length; i++) {
                    assertEquals(48, frames.get(i).width());
                    assertEquals(idx[i], TestVideos.code(frames.get(i)), codec + " " + timing + " frame " + idx[i]);
                }
                assertArrayEquals(new double[] {0, 19 / 12.0, 7 / 12.0}, r.timestampsSeconds(new int[] {0, 19, 7}), 1e-3);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = VideoWriter.Codec.class, names = {"VP9_LOSSLESS", "FFV1_MKV", "MJPEG_AVI"})
    void channelsAreRgb(VideoWriter.Codec codec) {
        Path f = TestVideos.write(dir.resolve("c" + codec.extension()), 3, 32, 32, codec);
        try (FFmpegVideoReader r = FFmpegVideoReader.open(f)) {
            RgbFrame fr = r.read(new int[] {2}).get(0);
            int[] c = TestVideos.colour(2);
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(c[ch], fr.channelMean(ch), 3.0, codec + " channel " + ch);
            }
        }
    }

    @Test
    void readsSequentialRequestsWithoutRewindingAndScalesWhileDecoding() {
        Path f = TestVideos.writeCoded(dir.resolve("a.webm"), 16, 64, 48, VideoWriter.Codec.VP9);
        try (FFmpegVideoReader r = FFmpegVideoReader.open(f)) {
            List<RgbFrame> a = r.read(new int[] {1, 2}, 24);
            assertEquals(32, a.get(0).width());
            assertEquals(24, a.get(0).height());
            assertEquals(1, TestVideos.code(a.get(0)));
            assertEquals(2, TestVideos.code(a.get(1)));
            assertEquals(15, TestVideos.code(r.read(new int[] {15}).get(0)));
            assertEquals(0, TestVideos.code(r.read(new int[] {0}).get(0)));
        }
    }

    @Test
    void truncatedFileHasFewerDecodableFramesThanTheQuickCountClaimsAndTheLoaderResamplesThem() throws java.io.IOException {
        // (a truncated mp4 loses its index and does not open at all; AVI keeps playing up to the cut)
        Path avi = TestVideos.writeCoded(dir.resolve("t.avi"), 40, 64, 48, VideoWriter.Codec.MJPEG_AVI);
        byte[] a = java.nio.file.Files.readAllBytes(avi);
        java.nio.file.Files.write(avi, java.util.Arrays.copyOf(a, a.length * 3 / 4 + 40));
        int exact;
        try (FFmpegVideoReader r = FFmpegVideoReader.open(avi, 0, FrameTiming.DECODE_ORDER)) {
            int quick = r.quickFrameCount();
            exact = r.frameCount();
            assertTrue(exact < 40, "decodable frames after truncation: " + exact);
            assertTrue(quick > exact, quick + " packets vs " + exact + " frames (the last packet is cut)");
            assertEquals(exact - 1, TestVideos.code(r.read(new int[] {exact - 1}).get(0)));
        }
        // 16 segments: the last sampled index of the quick count lies past the decodable frames
        InputSpec spec = InputSpec.imageNet(16).withSize(36, 48);
        FrameSampler sampler = FrameSampler.of(16, SamplingMode.UNIFORM);
        int[] fromQuick = sampler.testIndices(exact + 1);
        assertTrue(fromQuick[15] >= exact, "precondition: " + fromQuick[15] + " is not decodable");
        ClipLoader loader = new ClipLoader(sampler, ClipTransform.test(spec, TestCrop.CENTRE));
        LoadedClip clip = loader.loadClip(avi, null);
        assertEquals(exact, clip.frameCount(), "sampled from the verified count");
        assertArrayEquals(sampler.testIndices(exact), clip.indices());
        assertEquals(16, clip.frames());
        for (int i = 0; i < 16; i++) {
            // the 64x48 frame scaled to 48x36 and centre-cropped to 36x36 loses a quarter column of blocks on each
            // side, so check the middle columns' bits only (1, 2, 5, 6, 9, 10)
            RgbFrame f = TestVideos.denormalise(clip.pixels(), i, 36, spec);
            assertEquals(middleBits(clip.indices()[i]), middleBits(codeOfCentreCrop(f)), "sampled frame " + i);
        }
        assertArrayEquals(clip.pixels(), loader.load(avi, null));
    }

    /** Bits of columns 1 and 2 of a code. */
    static int middleBits(int k) {
        return k & ((1 << 1) | (1 << 2) | (1 << 5) | (1 << 6) | (1 << 9) | (1 << 10));
    }

    /** Reads the middle two block columns of a 64x48 coded frame after scaling to 48x36 and a 36x36 centre crop. */
    static int codeOfCentreCrop(RgbFrame f) {
        // the crop spans x = 6..42 of the 48-wide frame: block columns 1 and 2 sit at x = 12..24 and 24..36 → 6..18, 18..30
        int k = 0;
        for (int row = 0; row < 3; row++) {
            for (int col = 1; col <= 2; col++) {
                int x0 = 6 + (col - 1) * 12 + 3;
                int y0 = row * 12 + 3;
                double sum = 0;
                for (int y = y0; y < y0 + 6; y++) {
                    for (int x = x0; x < x0 + 6; x++) {
                        sum += f.get(x, y, 0) + f.get(x, y, 1) + f.get(x, y, 2);
                    }
                }
                double m = sum / (36 * 3);
                assertTrue(m < 60 || m > 195, "ambiguous block mean " + m);
                if (m > 128) {
                    k |= 1 << (row * 4 + col);
                }
            }
        }
        return k;
    }

    @Test
    void frameIndexPastTheEndNamesTheFileAndTheCount() {
        Path f = TestVideos.writeCoded(dir.resolve("short.webm"), 5, 32, 24, VideoWriter.Codec.VP8);
        try (FFmpegVideoReader r = FFmpegVideoReader.open(f, 0, FrameTiming.DECODE_ORDER)) {
            VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> r.read(new int[] {5}));
            assertEquals(f + ": frame 5 requested but the video has only 5 decodable frame(s)", e.getMessage());
            assertEquals(5, r.frameCount());
        }
        try (FFmpegVideoReader r = FFmpegVideoReader.open(f)) {
            VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> r.read(new int[] {5}));
            assertEquals(f + ": frame 5 requested but the video has only 5 frame(s) at its constant rate", e.getMessage());
        }
    }
}
