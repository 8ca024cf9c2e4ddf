package io.github.tsm4j.data.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.data.TestVideos;
import io.github.tsm4j.data.image.RgbFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameExtractorTest {
    @TempDir
    Path dir;

    @Test
    void extractsEveryFrameNumberedFromOneAndReadsBackThroughTheFolderReader() {
        Path v = TestVideos.write(dir.resolve("in/a/clip.webm"), 12, 64, 48, VideoWriter.Codec.VP9);
        Path folder = FrameExtractor.folderFor(v, dir.resolve("in"), dir.resolve("out"));
        assertEquals(dir.resolve("out/a/clip"), folder);
        FrameExtractor.Result r = FrameExtractor.extract(v, folder, 24, FrameNaming.IMG_FIVE_DIGITS, 95);
        assertEquals(new FrameExtractor.Result(folder, 12, false), r);
        assertTrue(Files.isRegularFile(folder.resolve("img_00001.jpg")));
        assertTrue(Files.isRegularFile(folder.resolve("img_00012.jpg")));
        assertFalse(Files.exists(folder.resolve("img_00013.jpg")));
        try (VideoReader fr = VideoReader.open(folder)) {
            assertEquals(12, fr.frameCount());
            assertEquals(32, fr.width());
            assertEquals(24, fr.height());
            List<RgbFrame> frames = fr.read(new int[] {0, 11, 5});
            assertTrue(TestVideos.error(frames.get(0), 0) < 4);
            assertTrue(TestVideos.error(frames.get(1), 11) < 4);
            assertTrue(TestVideos.error(frames.get(2), 5) < 4);
            assertEquals(folder + ": frame 12 requested but the video has only 12 decodable frame(s)",
                    assertThrows(VideoDecodeException.class, () -> fr.read(new int[] {12})).getMessage());
        }
    }

    @Test
    void finishedFoldersAreSkippedAndUnfinishedOnesRedone() throws IOException {
        Path v = TestVideos.write(dir.resolve("c.mp4"), 6, 32, 32, VideoWriter.Codec.MPEG4_MP4);
        Path folder = dir.resolve("frames/c");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("00001.jpg"), "half-written");
        Files.writeString(folder.resolve("00009.jpg"), "stale");
        assertEquals(6, FrameExtractor.extract(v, folder, 0, FrameNaming.FIVE_DIGITS, 90).frames());
        assertFalse(Files.exists(folder.resolve("00009.jpg")));
        assertEquals(6, FrameExtractor.completedFrames(folder));
        assertEquals(new FrameExtractor.Result(folder, 6, true), FrameExtractor.extract(v, folder, 0, FrameNaming.FIVE_DIGITS, 90));
        try (FrameFolderReader r = FrameFolderReader.open(folder)) {
            assertEquals(FrameNaming.FIVE_DIGITS, r.naming());
            assertTrue(TestVideos.error(r.read(new int[] {3}).get(0), 3) < 4);
        }
    }

    @Test
    void findsVideosRecursivelyInSortedOrder() throws IOException {
        Files.createDirectories(dir.resolve("t/b"));
        Files.writeString(dir.resolve("t/b/2.webm"), "");
        Files.writeString(dir.resolve("t/1.MP4"), "");
        Files.writeString(dir.resolve("t/notes.txt"), "");
        assertEquals(List.of(dir.resolve("t/1.MP4"), dir.resolve("t/b/2.webm")),
                FrameExtractor.findVideos(dir.resolve("t"), FrameExtractor.VIDEO_EXTENSIONS));
    }

    @Test
    void folderWithoutFramesIsRejected() throws IOException {
        Files.createDirectories(dir.resolve("empty"));
        assertEquals(dir.resolve("empty") + ": no first frame found (looked for 00001.jpg, img_00001.jpg, 000001.jpg)",
                assertThrows(VideoDecodeException.class, () -> VideoReader.open(dir.resolve("empty"))).getMessage());
    }
}
