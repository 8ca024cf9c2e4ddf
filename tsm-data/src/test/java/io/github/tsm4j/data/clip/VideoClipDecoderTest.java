package io.github.tsm4j.data.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.clip.ClipDecoders;
import io.github.tsm4j.core.clip.ClipRequest;
import io.github.tsm4j.core.clip.DecodedClip;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.core.stream.SourceFrame;
import io.github.tsm4j.data.TestVideos;
import io.github.tsm4j.data.iterator.ClipLoader;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.data.stream.FrameSources;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.data.video.VideoWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoClipDecoderTest {
    @TempDir
    Path dir;

    private static final InputSpec SPEC = InputSpec.imageNet(4).withSize(24, 32);

    @Test
    void isTheRegisteredDecoderAndEqualsTheClipLoader() throws IOException {
        assertSame(VideoClipDecoder.class, ClipDecoders.find().getClass());
        Path video = TestVideos.write(dir.resolve("v.webm"), 20, 48, 40, VideoWriter.Codec.VP9);
        ClipRequest request = new ClipRequest(SPEC, SamplingMode.TWICE, 2, TestCrop.THREE, false);
        DecodedClip clip = new VideoClipDecoder().decode(video, request);
        float[] expected = new ClipLoader(new FrameSampler(4, SamplingMode.TWICE, 2),
                ClipTransform.test(SPEC, TestCrop.THREE)).load(video, null);
        assertArrayEquals(expected, clip.pixels());
        assertEquals(3, clip.crops());
        assertEquals(2, clip.clips());
        assertEquals(24, clip.side());
        assertEquals(20, clip.frameCount());
        // TWICE: segment centres int(tick/2 + tick·i) with tick 5, then segment starts
        assertArrayEquals(new int[] {2, 7, 12, 17, 0, 5, 10, 15}, clip.indices());
    }

    @Test
    void fullResolutionViewsHaveTheScaleSize() throws IOException {
        Path video = TestVideos.write(dir.resolve("v.mp4"), 12, 48, 40, VideoWriter.Codec.MPEG4_MP4);
        DecodedClip clip = new VideoClipDecoder().decode(video,
                new ClipRequest(SPEC, SamplingMode.UNIFORM, 1, TestCrop.THREE, true));
        assertEquals(32, clip.side());
        assertEquals(3 * 4 * 3 * 32 * 32, clip.pixels().length);
        InputSpec full = SPEC.withSize(32, 32);
        float[] expected = new ClipLoader(new FrameSampler(4, SamplingMode.UNIFORM, 1),
                ClipTransform.test(full, TestCrop.THREE)).load(video, null);
        assertArrayEquals(expected, clip.pixels());
    }

    @Test
    void unreadableVideosAreIoExceptionsNamingTheVideo() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.mp4"), "not a video");
        IOException e = assertThrows(IOException.class,
                () -> new VideoClipDecoder().decode(text, ClipRequest.singleView(SPEC)));
        assertTrue(e.getMessage().startsWith("cannot read video " + text + ": cannot open as a video"), e.getMessage());
        Path missing = dir.resolve("none.mp4");
        assertEquals("video " + missing + " not found", assertThrows(IOException.class,
                () -> new VideoClipDecoder().decode(missing, ClipRequest.singleView(SPEC))).getMessage());
    }

    @Test
    void aStreamedFrameGetsExactlyTheClipPipelinesTensor() throws IOException {
        // one preprocessing for clips and streams: frame 2 streamed = the single-segment clip of 5 frames (index 2)
        Path video = TestVideos.write(dir.resolve("s.webm"), 5, 64, 48, VideoWriter.Codec.VP9);
        InputSpec one = SPEC.withSegments(1);
        DecodedClip clip = new VideoClipDecoder().decode(video, ClipRequest.singleView(one));
        assertArrayEquals(new int[] {2}, clip.indices());
        try (FrameSource source = FrameSources.create(video.toString(), one)) {
            source.open();
            SourceFrame f = null;
            for (int i = 0; i <= 2; i++) {
                f = source.next();
            }
            assertEquals(2, f.index());
            assertEquals(64, f.width());
            assertTrue(Arrays.equals(clip.pixels(), f.input()), "streamed input equals the clip tensor");
        }
    }
}
