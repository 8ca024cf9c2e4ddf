package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.video.FrameExtractor;
import io.github.tsm4j.data.video.VideoWriter;
import io.github.tsm4j.examples.TsmCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExtractFramesCommandTest {
    @TempDir
    Path dir;

    private static List<RgbFrame> frames(int n) {
        List<RgbFrame> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(RgbFrame.filled(64, 48, 20 * i, 50, 90));
        }
        return out;
    }

    @Test
    void extractsATreeAndSkipsFinishedFoldersOnTheSecondRun() throws Exception {
        VideoWriter.write(dir.resolve("in/x/a.webm"), frames(5), 12, VideoWriter.Codec.VP9);
        VideoWriter.write(dir.resolve("in/b.mp4"), frames(7), 12, VideoWriter.Codec.MPEG4_MP4);
        CommandLine cli = TsmCli.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        String[] args = {"extract-frames", dir.resolve("in").toString(), "-o", dir.resolve("out").toString(),
            "--short-side", "32", "--template", "img_{:05d}.jpg", "-j", "2"};
        assertEquals(0, cli.execute(args));
        assertTrue(out.toString().contains("2 video(s): 2 extracted, 0 already complete, 12 frames"), out.toString());
        assertTrue(Files.isRegularFile(dir.resolve("out/x/a/img_00005.jpg")));
        assertEquals(7, FrameExtractor.completedFrames(dir.resolve("out/b")));
        out.getBuffer().setLength(0);
        assertEquals(0, cli.execute(args));
        assertTrue(out.toString().contains("2 video(s): 0 extracted, 2 already complete"), out.toString());
    }

    @Test
    void videosSharingAStemAreBothExtractedAndAChangedSourceIsExtractedAgain() throws Exception {
        VideoWriter.write(dir.resolve("in/movie-hello.avi"), frames(4), 12, VideoWriter.Codec.MPEG4_AVI);
        VideoWriter.write(dir.resolve("in/movie-hello.mp4"), frames(6), 12, VideoWriter.Codec.MPEG4_MP4);
        CommandLine cli = TsmCli.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        String[] args = {"extract-frames", dir.resolve("in").toString(), "-o", dir.resolve("out").toString(), "--no-progress"};
        assertEquals(0, cli.execute(args));
        assertTrue(out.toString().contains("2 video(s): 2 extracted, 0 already complete, 10 frames"), out.toString());
        assertEquals(4, FrameExtractor.completedFrames(dir.resolve("out/movie-hello.avi")));
        assertEquals(6, FrameExtractor.completedFrames(dir.resolve("out/movie-hello.mp4")));
        assertTrue(Files.isRegularFile(dir.resolve("out/movie-hello.mp4/img_00006.jpg")));
        try (java.util.stream.Stream<Path> s = Files.list(dir.resolve("out/movie-hello.mp4"))) {
            assertEquals(6, s.count(), "no marker inside the frame folder");
        }
        // the mp4 is replaced by a longer video: only it is extracted again
        VideoWriter.write(dir.resolve("in/movie-hello.mp4"), frames(9), 12, VideoWriter.Codec.MPEG4_MP4);
        Files.setLastModifiedTime(dir.resolve("in/movie-hello.mp4"), java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(dir.resolve("in/movie-hello.mp4")).toMillis() + 5000));
        out.getBuffer().setLength(0);
        assertEquals(0, cli.execute(args));
        assertTrue(out.toString().contains("2 video(s): 1 extracted, 1 already complete, 9 frames"), out.toString());
        assertEquals(9, FrameExtractor.completedFrames(dir.resolve("out/movie-hello.mp4")));
    }

    @Test
    void badTemplateFailsWithExitCodeOne() {
        StringWriter err = new StringWriter();
        CommandLine cli = TsmCli.commandLine();
        cli.setErr(new PrintWriter(err));
        assertEquals(TsmCli.EXIT_FAILURE, cli.execute("extract-frames", dir.toString(), "-o", dir.resolve("o").toString(),
                "--template", "%05d.png", "--no-progress"));
        assertTrue(err.toString().contains("unknown frame template '%05d.png'"), err.toString());
        assertEquals(TsmCli.EXIT_USAGE, TsmCli.run("extract-frames", dir.toString()));
    }
}
