package io.github.tsm4j.data.video;

import io.github.tsm4j.core.clip.FrameTiming;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.TestVideos;
import io.github.tsm4j.data.iterator.ClipLoader;
import io.github.tsm4j.data.iterator.LoadedClip;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.core.clip.TestCrop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadInputTest {
    @TempDir
    Path dir;

    private Path video(String name) {
        return TestVideos.write(dir.resolve(name), 30, 64, 64, VideoWriter.Codec.VP9);
    }

    @Test
    void missingFileIsNamed() {
        Path p = dir.resolve("nope.webm");
        VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> VideoReader.open(p));
        assertEquals(p + ": no such video file", e.getMessage());
        assertEquals(p, e.path());
        Path folder = dir.resolve("frames");
        assertEquals(folder + ": no such video file",
                assertThrows(VideoDecodeException.class, () -> VideoReader.open(folder)).getMessage());
    }

    @Test
    void truncatedVideoFailsNamingTheFileWhenALostFrameIsAsked() throws IOException {
        Path p = video("cut.webm");
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, all.length / 2));
        VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> {
            try (VideoReader r = VideoReader.open(p)) {
                assertTrue(r.frameCount() < 30, "frames after truncation: " + r.frameCount());
                r.read(new int[] {29});
            }
        });
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        // only the header left: cannot even open
        Files.write(p, Arrays.copyOf(all, 40));
        e = assertThrows(VideoDecodeException.class, () -> VideoReader.open(p).close());
        assertTrue(e.getMessage().startsWith(p + ": cannot open as a video") || e.getMessage().startsWith(p + ": contains no video"),
                e.getMessage());
    }

    @Test
    void byteFlippedVideoFailsNamingTheFile() throws IOException {
        Path p = video("flip.webm");
        byte[] all = Files.readAllBytes(p);
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) ~all[i];
        }
        Files.write(p, all);
        VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> VideoReader.open(p).close());
        assertTrue(e.getMessage().startsWith(p + ": cannot open as a video"), e.getMessage());
    }

    @Test
    void corruptedPayloadNeverYieldsMoreFramesThanWritten() throws IOException {
        Path p = TestVideos.writeCoded(dir.resolve("noise.webm"), 30, 48, 48, VideoWriter.Codec.VP9);
        byte[] all = Files.readAllBytes(p);
        SplittableRandom r = new SplittableRandom(4);
        for (int i = all.length * 2 / 3; i < all.length; i += 53) {
            all[i] ^= (byte) (1 + r.nextInt(255));
        }
        Files.write(p, all);
        // the header is intact: it opens, and neither count exceeds the 30 frames written
        int decoded;
        try (FFmpegVideoReader v = FFmpegVideoReader.open(p, 0, FrameTiming.DECODE_ORDER)) {
            int quick = v.quickFrameCount();
            decoded = v.frameCount();
            assertTrue(quick <= 30, "packets " + quick);
            assertTrue(decoded <= 30, "decoded " + decoded);
            assertTrue(decoded < 30, "the damage costs at least the last frame, decoded " + decoded);
            // frames before the damage are still exactly themselves
            for (int i = 0; i < 12; i++) {
                assertEquals(i, TestVideos.code(v.read(new int[] {i}).get(0)));
            }
        }
        // the decoder skips the damaged frame 20: constant-rate reading identifies frames by timestamp, so it
        // refuses instead of handing over frame 21's pixels (and every later frame one off) as frame 20
        InputSpec spec = InputSpec.imageNet(8).withSize(32, 32);
        ClipLoader loader = new ClipLoader(FrameSampler.of(8, SamplingMode.UNIFORM), ClipTransform.test(spec, TestCrop.CENTRE));
        VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> loader.loadClip(p, null));
        assertEquals(p + ": decoded frame 20 (at 1.750 s) does not decode: the decoder went from frame 19 to a later one",
                e.getMessage());
        // a clip sampled before the damage loads, and its frames are exactly the sampled ones
        ClipLoader early = new ClipLoader(FrameSampler.of(2, SamplingMode.UNIFORM),
                ClipTransform.test(spec.withSegments(2), TestCrop.CENTRE));
        try (FFmpegVideoReader v = FFmpegVideoReader.open(p)) {
            assertEquals(0, TestVideos.code(v.read(new int[] {0}).get(0)));
        }
        Path head = dir.resolve("head.webm");
        TestVideos.writeCoded(head, 12, 48, 48, VideoWriter.Codec.VP9);
        LoadedClip c = early.loadClip(head, null);
        assertArrayEquals(new int[] {3, 9}, c.indices());
        for (int i = 0; i < 2; i++) {
            assertEquals(c.indices()[i], TestVideos.code(TestVideos.denormalise(c.pixels(), i, 32, spec)), "sampled frame " + i);
        }
    }

    @Test
    void videoWithoutDecodableFramesIsRejectedByTheLoader() throws Exception {
        // an AVI with a video stream and no frames (empty webm/mkv/mp4 files do not even open)
        Path p = dir.resolve("empty.avi");
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(p.toFile(), 32, 32, 0)) {
            rec.setFormat("avi");
            rec.setVideoCodecName("mpeg4");
            rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            rec.setFrameRate(12);
            rec.start();
            rec.stop();
        }
        ClipLoader loader = new ClipLoader(FrameSampler.of(4, SamplingMode.UNIFORM),
                ClipTransform.test(InputSpec.imageNet(4).withSize(32, 32), TestCrop.CENTRE));
        VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> loader.load(p, null));
        assertEquals(p + ": no decodable frames", e.getMessage());
        try (VideoReader r = VideoReader.open(p)) {
            assertEquals(0, r.frameCount());
            assertEquals(p + ": frame 0 requested but the video has only 0 frame(s) at its constant rate",
                    assertThrows(VideoDecodeException.class, () -> r.read(new int[] {0})).getMessage());
        }
    }

    @Test
    void notAVideoAtAll() throws IOException {
        Path p = dir.resolve("text.mp4");
        Files.writeString(p, "hello, I am not a video\n".repeat(100));
        VideoDecodeException e = assertThrows(VideoDecodeException.class, () -> VideoReader.open(p).close());
        assertTrue(e.getMessage().startsWith(p + ": cannot open as a video"), e.getMessage());
    }
}
