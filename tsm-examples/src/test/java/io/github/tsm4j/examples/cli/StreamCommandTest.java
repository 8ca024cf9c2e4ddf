package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.examples.stream.FakeModels;
import io.github.tsm4j.models.engine.FrameEngine;
import io.github.tsm4j.models.recognize.StreamRecognizer;
import io.github.tsm4j.examples.stream.TestVideos;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(300) // a hang guard, not a time limit
class StreamCommandTest {

    @TempDir
    Path dir;

    /** Result of one run: exit code, stdout and stderr. */
    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    /** Runs {@code tsm stream …} with fake models (opened from any existing file) and the given stdin. */
    private Run stream(InputStream stdin, String... args) {
        StreamCommand.Opener opener = (file, streams, options) -> {
            ModelFiles.checkReadable(file);
            FrameEngine engine = file.toString().endsWith(".brightness")
                    ? new FakeModels.Brightness(streams) : new FakeModels.Colour(0, streams);
            return new StreamCommand.Opened(StreamRecognizer.of(engine, FakeModels.SPEC.cropSize(), options),
                    FakeModels.SPEC);
        };
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == StreamCommand.class) {
                    return cls.cast(new StreamCommand(opener, stdin));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TsmCli.commandLine(factory);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 1];
        full[0] = "stream";
        System.arraycopy(args, 0, full, 1, args.length);
        int exit = cli.execute(full);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path model(String name) throws Exception {
        return Files.writeString(dir.resolve(name), "fake");
    }

    @Test
    void streamsAFileAndPrintsLabelsAndTheSummary() throws Exception {
        Path video = TestVideos.write(dir.resolve("red.mp4"), 32, 32, 5, 25, i -> new int[] {230, 10, 10});
        Run r = stream(null, video.toString(), "--model", model("m.zip").toString(), "--every", "2");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out()); // frames 0, 2, 4 and the summary
        assertTrue(lines.get(0).startsWith("frame 0  red  p="), lines.get(0));
        assertTrue(lines.get(2).startsWith("frame 4  red"), lines.get(2));
        assertTrue(lines.get(3).startsWith(video + ": 5 frames processed of 5 decoded, 0 dropped; latency median"),
                lines.get(3));
        assertTrue(lines.get(3).contains(" p99 "), lines.get(3));
    }

    @Test
    void severalSourcesShareOneModelWithOwnStatesAndNumberedOutputs() throws Exception {
        Path up = TestVideos.write(dir.resolve("up.mp4"), 32, 32, 6, 25, i -> grey(40 + 30 * i));
        Path down = TestVideos.write(dir.resolve("down.webm"), 32, 32, 6, 25, i -> grey(220 - 30 * i));
        Path png = dir.resolve("plot.png");
        Path annotated = dir.resolve("annotated.mp4");
        Run r = stream(null, up.toString(), down.toString(), "-m", model("m.brightness").toString(),
                "--timeline", png.toString(), "--out", annotated.toString());
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(out.contains(up + ": frame 5  brighter"), out);
        assertTrue(out.contains(down + ": frame 5  darker"), out);
        assertFalse(out.contains(up + ": frame 5  darker"), out);
        for (int i = 1; i <= 2; i++) {
            java.awt.image.BufferedImage chart = javax.imageio.ImageIO.read(dir.resolve("plot-" + i + ".png").toFile());
            assertEquals(900, chart.getWidth());
            assertEquals(400, chart.getHeight());
            Path video = dir.resolve("annotated-" + i + ".mp4");
            assertEquals(6, TestVideos.countFrames(video));
            try (org.bytedeco.javacv.FFmpegFrameGrabber g = new org.bytedeco.javacv.FFmpegFrameGrabber(
                    video.toString())) {
                g.start();
                assertEquals(32, g.getImageWidth());
                assertEquals(32 + 24, g.getImageHeight(), "frame plus the label band");
            }
        }
        assertFalse(Files.exists(png));
        assertFalse(Files.exists(annotated));
    }

    @Test
    void readsRawFramesFromStdin() throws Exception {
        byte[] raw = TestVideos.raw(16, 8, 3, i -> new int[] {0, 0, 250});
        Run r = stream(new ByteArrayInputStream(raw), "-", "--size", "16x8", "-m", model("m.zip").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("frame 2  blue"), r.out());
        assertTrue(r.out().contains("-: 3 frames processed of 3 decoded"), r.out());
    }

    @Test
    void stdinEndingInsideAFrameIsAnError() throws Exception {
        byte[] raw = TestVideos.raw(16, 8, 2, i -> new int[] {0, 0, 250});
        byte[] cut = java.util.Arrays.copyOf(raw, raw.length - 10);
        Run r = stream(new ByteArrayInputStream(cut), "-", "--size", "16x8", "-m", model("m.zip").toString());
        assertEquals(1, r.exit());
        assertEquals(List.of("tsm stream: - ended inside frame 1: got 374 of 384 bytes (16x8 RGB24); check --size"),
                r.errLines());
    }

    @Test
    void missingVideoIsOneLineAndExitOne() throws Exception {
        Run r = stream(null, dir.resolve("nope.mp4").toString(), "-m", model("m.zip").toString());
        assertEquals(1, r.exit());
        assertEquals(List.of("tsm stream: video " + dir.resolve("nope.mp4") + " not found"), r.errLines());
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        Run r = stream(null, dir.resolve("nope.mp4").toString(), "-m", model("m.zip").toString(), "-v");
        assertEquals(1, r.exit());
        assertTrue(r.errLines().size() > 1);
        assertTrue(r.err().contains("\tat io.github.tsm4j.data.stream.FrameSources.create"), r.err());
    }

    @Test
    void missingModelIsOneLine() throws Exception {
        Path video = TestVideos.write(dir.resolve("red.mp4"), 32, 32, 2, 25, i -> new int[] {230, 10, 10});
        Run r = stream(null, video.toString(), "-m", dir.resolve("none.zip").toString());
        assertEquals(1, r.exit());
        assertEquals(List.of("tsm stream: model " + dir.resolve("none.zip") + " not found"), r.errLines());
    }

    @Test
    void aFileThatIsNotAVideoIsOneLine() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a video");
        Run r = stream(null, text.toString(), "-m", model("m.zip").toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("tsm stream: cannot open video " + text + ": "), r.err());
    }

    @Test
    void unsupportedSourcesAreOneLine() throws Exception {
        String m = model("m.zip").toString();
        Run r = stream(null, "ftp://example.org/a.mp4", "-m", m);
        assertEquals(1, r.exit());
        assertEquals(List.of("tsm stream: unsupported source ftp://example.org/a.mp4: expected a video file, "
                + "/dev/videoN, '-', or an rtsp/rtmp/http/https/udp/tcp URL"), r.errLines());
        r = stream(null, "/dev/video97", "-m", m);
        assertEquals(1, r.exit());
        assertEquals(List.of("tsm stream: camera /dev/video97 not found (no such device; is a camera attached and "
                + "readable by this user?)"), r.errLines());
        r = stream(null, dir.toString(), "-m", m);
        assertEquals(List.of("tsm stream: unsupported source " + dir + ": not a regular file"), r.errLines());
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        String m = model("m.zip").toString();
        Run r = stream(null, "-", "-m", m);
        assertEquals(2, r.exit());
        assertEquals("tsm: source '-' (raw RGB24 frames on stdin) needs --size WxH", r.errLines().get(0));
        assertEquals("Try 'tsm stream --help' for usage.", r.errLines().get(1));
        r = stream(null, "-", "--size", "16by8", "-m", m);
        assertEquals(2, r.exit());
        r = stream(null, "-", "-", "--size", "16x8", "-m", m);
        assertEquals(2, r.exit());
        assertEquals("tsm: source '-' (stdin) can be given only once", r.errLines().get(0));
        r = stream(null, "a.mp4");
        assertEquals(2, r.exit());
        assertEquals("tsm: Missing required option: '--model=MODEL'", r.errLines().get(0));
    }

    @Test
    void modelThreadsLeaveACoreToTheDecoderUnlessToldOtherwise() throws Exception {
        assertEquals(1, StreamCommand.modelThreads(0, 2, null));
        assertEquals(7, StreamCommand.modelThreads(0, 8, ""));
        assertEquals(1, StreamCommand.modelThreads(0, 1, null));
        assertEquals(0, StreamCommand.modelThreads(0, 8, "4"), "OMP_NUM_THREADS is respected");
        assertEquals(3, StreamCommand.modelThreads(3, 2, "4"), "--threads wins");
        Run r = stream(null, "a.mp4", "-m", model("m.zip").toString(), "--threads", "-1");
        assertEquals(2, r.exit());
        assertEquals("tsm: --threads must be >= 0 (0 = automatic), found -1", r.errLines().get(0));
    }

    @Test
    void numberedOutputsKeepTheExtension() {
        assertEquals(Path.of("out/a-2.mp4"), StreamCommand.numbered(Path.of("out/a.mp4"), 1, 3));
        assertEquals(Path.of("plot"), StreamCommand.numbered(Path.of("plot"), 0, 1));
        assertEquals(Path.of("plot-1"), StreamCommand.numbered(Path.of("plot"), 0, 2));
    }

    private static int[] grey(int v) {
        return new int[] {v, v, v};
    }
}
