package io.github.tsm4j.data.iterator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.TestVideos;
import io.github.tsm4j.data.dataset.AnnotationException;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.dataset.VideoSample;
import io.github.tsm4j.data.video.VideoDecodeException;
import io.github.tsm4j.data.video.VideoWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

class SkipPolicyTest {
    @TempDir
    Path dir;

    private VideoDataset dataset() throws IOException {
        List<VideoSample> s = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            s.add(new VideoSample("v" + i, TestVideos.write(dir.resolve("v" + i + ".mp4"), 10, 32, 32, VideoWriter.Codec.MPEG4_MP4, i), i % 2));
        }
        Files.writeString(dir.resolve("v2.mp4"), "garbage");
        s.add(2, new VideoSample("gone", dir.resolve("gone.mp4"), 0));
        return new VideoDataset("test", List.of("even", "odd"), s);
    }

    @Test
    void failPolicyThrowsTheErrorNamingTheVideo() throws IOException {
        VideoDataset d = dataset();
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(d, InputSpec.imageNet(2).withSize(32, 32))
                .training(false).batchSize(2).workers(2).build()) {
            it.next();
            VideoDecodeException e = assertThrows(VideoDecodeException.class, it::next);
            assertEquals(dir.resolve("gone.mp4") + ": no such video file", e.getMessage());
        }
        assertEquals(dir.resolve("gone.mp4") + ": missing video of sample gone in test (1 of 6 missing)",
                assertThrows(AnnotationException.class, d::requireFiles).getMessage());
    }

    @Test
    void skipPolicyLeavesBrokenVideosOutAndCountsThem() throws IOException {
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(dataset(), InputSpec.imageNet(2).withSize(32, 32))
                .training(false).batchSize(2).workers(2).skipPolicy(SkipPolicy.SKIP).build()) {
            List<String> ids = new ArrayList<>();
            while (it.hasNext()) {
                DataSet b = it.next();
                b.getExampleMetaData().forEach(o -> ids.add((String) o));
            }
            assertEquals(List.of("v0", "v1", "v3", "v4"), ids);
            assertEquals(2, it.skippedCount());
            assertFalse(it.hasNext());
            it.reset();
            assertEquals(0, it.skippedCount());
            assertEquals(2, it.totalSkippedCount());
        }
    }

    @Test
    void inferenceIteratorYieldsMultiViewClipsInOrder() throws IOException {
        VideoDataset d = dataset();
        VideoDataset good = new VideoDataset("good", d.classNames(), List.of(d.samples().get(0), d.samples().get(1)));
        try (ClipIterator it = new ClipIterator(good, InputSpec.imageNet(2).withSize(24, 32),
                io.github.tsm4j.data.sampling.FrameSampler.of(2, io.github.tsm4j.core.clip.SamplingMode.TWICE),
                io.github.tsm4j.core.clip.TestCrop.THREE, 2, 2, SkipPolicy.FAIL)) {
            LabelledClip c = it.next();
            assertEquals("v0", c.id());
            assertEquals(0, c.label());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {12, 3, 24, 24}, c.features().shape());
            assertEquals("v1", it.next().id());
            assertFalse(it.hasNext());
        }
    }
}
