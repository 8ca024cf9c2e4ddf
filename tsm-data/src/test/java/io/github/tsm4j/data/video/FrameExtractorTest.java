package io.github.tsm4j.data.video;

import io.github.tsm4j.core.clip.FrameTiming;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.tsm4j.core.ResizeMethod;
import io.github.tsm4j.data.TestVideos;
import io.github.tsm4j.data.image.RgbFrame;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameExtractorTest {
    @TempDir
    Path dir;

    @Test
    void extractsEveryFrameNumberedFromOneAndEachFileIsExactlyItsFrame() {
        Path v = TestVideos.writeCoded(dir.resolve("in/a/clip.webm"), 12, 64, 48, VideoWriter.Codec.VP9);
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
            List<RgbFrame> frames = fr.read(IntStream.range(0, 12).toArray());
            for (int i = 0; i < 12; i++) {
                assertEquals(i, TestVideos.code(frames.get(i)), "img_" + (i + 1));
            }
            assertEquals(folder + ": frame 12 requested but the video has only 12 decodable frame(s)",
                    assertThrows(VideoDecodeException.class, () -> fr.read(new int[] {12})).getMessage());
        }
    }

    @Test
    void writesTheConstantRateFramesOfFfmpegAndTheManifestOutsideTheFolder() throws IOException {
        JsonNode e = ConstantRateTimelineTest.expected().get("videos").get("gap.mp4");
        Path v = dir.resolve("gap.mp4");
        try (InputStream in = getClass().getResourceAsStream("/timing/gap.mp4")) {
            Files.copy(in, v);
        }
        Path folder = dir.resolve("out/gap");
        FrameExtractor.Result r = FrameExtractor.extract(v, folder, ExtractOptions.official());
        int[] want = ConstantRateTimelineTest.ints(e.get("constant_rate"));
        assertEquals(want.length, r.frames());
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(want.length, files.count(), "only frames in the folder (gen_label counts files)");
        }
        try (VideoReader fr = VideoReader.open(folder)) {
            List<RgbFrame> frames = fr.read(IntStream.range(0, want.length).toArray());
            int[] got = frames.stream().mapToInt(TestVideos::code).toArray();
            assertArrayEquals(want, got);
        }
        Path manifest = dir.resolve("out/.tsm-extract/gap.json");
        assertEquals(manifest, FrameExtractor.manifestFor(folder));
        FrameExtractor.Manifest m = FrameExtractor.readManifest(manifest).orElseThrow();
        assertEquals(new FrameExtractor.Manifest(v.toAbsolutePath().normalize().toString(), Files.size(v),
                Files.getLastModifiedTime(v).toMillis(), want.length, 0, FrameNaming.IMG_FIVE_DIGITS, 95,
                FrameTiming.CONSTANT_RATE, ResizeMethod.PIL_BILINEAR), m);
        // scaled as the official tools do it (-vf scale): ffmpeg's filtered rule
        FrameExtractor.Result scaled = FrameExtractor.extract(v, dir.resolve("out/gap-scaled"),
                ExtractOptions.official().withShortSide(24));
        int[] filtered = ConstantRateTimelineTest.ints(e.get("constant_rate_filtered"));
        try (VideoReader fr = VideoReader.open(scaled.folder())) {
            assertEquals(24, fr.height());
            assertArrayEquals(filtered, fr.read(IntStream.range(0, filtered.length).toArray()).stream()
                    .mapToInt(TestVideos::code).toArray());
        }
    }

    @Test
    void finishedFoldersAreSkippedUnfinishedOnesRedoneAndChangedSourcesReextracted() throws IOException {
        Path v = TestVideos.writeCoded(dir.resolve("c.mp4"), 6, 32, 24, VideoWriter.Codec.MPEG4_MP4);
        Path folder = dir.resolve("frames/c");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("00001.jpg"), "half-written");
        Files.writeString(folder.resolve("00009.jpg"), "stale");
        assertEquals(6, FrameExtractor.extract(v, folder, 0, FrameNaming.FIVE_DIGITS, 90).frames());
        assertFalse(Files.exists(folder.resolve("00009.jpg")));
        assertEquals(6, FrameExtractor.completedFrames(folder));
        assertEquals(new FrameExtractor.Result(folder, 6, true), FrameExtractor.extract(v, folder, 0, FrameNaming.FIVE_DIGITS, 90));
        // other options: not the same folder content
        assertFalse(FrameExtractor.extract(v, folder, 0, FrameNaming.FIVE_DIGITS, 80).skipped());
        // the source changes (new content, same path): extracted again, new frames
        TestVideos.writeCoded(v, 9, 32, 24, VideoWriter.Codec.MPEG4_MP4);
        Files.setLastModifiedTime(v, FileTime.fromMillis(Files.getLastModifiedTime(v).toMillis() + 5000));
        FrameExtractor.Result again = FrameExtractor.extract(v, folder, 0, FrameNaming.FIVE_DIGITS, 80);
        assertEquals(new FrameExtractor.Result(folder, 9, false), again);
        try (FrameFolderReader r = FrameFolderReader.open(folder)) {
            assertEquals(FrameNaming.FIVE_DIGITS, r.naming());
            assertEquals(8, TestVideos.code(r.read(new int[] {8}).get(0)));
        }
        // only touched (same size, new time): also redone, since the manifest no longer matches
        Files.setLastModifiedTime(v, FileTime.fromMillis(Files.getLastModifiedTime(v).toMillis() + 5000));
        assertFalse(FrameExtractor.extract(v, folder, 0, FrameNaming.FIVE_DIGITS, 80).skipped());
        // a folder whose frames were deleted is not complete
        Files.delete(folder.resolve("00009.jpg"));
        assertFalse(FrameExtractor.extract(v, folder, 0, FrameNaming.FIVE_DIGITS, 80).skipped());
    }

    @Test
    void videosSharingAStemGetTheirOwnFolders() {
        Path avi = TestVideos.writeCoded(dir.resolve("in/movie-hello.avi"), 4, 32, 24, VideoWriter.Codec.MPEG4_AVI);
        Path mp4 = TestVideos.writeCoded(dir.resolve("in/movie-hello.mp4"), 7, 32, 24, VideoWriter.Codec.MPEG4_MP4);
        Path solo = TestVideos.writeCoded(dir.resolve("in/sub/movie-hello.webm"), 3, 32, 24, VideoWriter.Codec.VP8);
        List<Path> videos = FrameExtractor.findVideos(dir.resolve("in"), FrameExtractor.VIDEO_EXTENSIONS);
        Map<Path, Path> folders = FrameExtractor.assignFolders(videos, dir.resolve("in"), dir.resolve("out"));
        assertEquals(Map.of(avi, dir.resolve("out/movie-hello.avi"), mp4, dir.resolve("out/movie-hello.mp4"),
                solo, dir.resolve("out/sub/movie-hello")), folders);
        assertEquals(dir.resolve("out/movie-hello.avi"), FrameExtractor.folderFor(avi, dir.resolve("in"), dir.resolve("out")));
        assertEquals(4, FrameExtractor.extract(avi, folders.get(avi), ExtractOptions.official()).frames());
        FrameExtractor.Result r = FrameExtractor.extract(mp4, folders.get(mp4), ExtractOptions.official());
        assertEquals(new FrameExtractor.Result(folders.get(mp4), 7, false), r);
        assertEquals(4, FrameExtractor.completedFrames(folders.get(avi)));
        // the old single-folder layout would have made the second one "already complete" on the first one's frames
        assertFalse(FrameExtractor.extract(mp4, folders.get(avi), ExtractOptions.official()).skipped());
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
