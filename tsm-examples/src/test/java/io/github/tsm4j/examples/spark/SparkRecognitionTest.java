package io.github.tsm4j.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

/**
 * Distributed batch recognition in {@code local[2]}: {@code tsm predict --spark-master} and
 * {@link SparkRecognition}, rows equal to the single-JVM recognizer's, failed videos as rows, resume, bad input.
 * The standalone cluster version is {@code StandaloneClusterTest}.
 */
class SparkRecognitionTest {
    @TempDir
    static Path dir;
    static Path model;
    static List<Path> videos;
    static Path broken;
    static Map<String, VideoRow> reference;
    static int threadsBefore;

    @BeforeAll
    static void fixtures() throws IOException {
        threadsBefore = Nd4j.getEnvironment().maxThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
        model = RecognitionFixtures.model(dir.resolve("model.zip"));
        videos = RecognitionFixtures.videos(dir.resolve("videos"), 6, 5);
        reference = RecognitionFixtures.reference(model, videos, RecognitionOptions.builder().top(2).build());
    }

    @AfterAll
    static void threads() {
        Nd4j.getEnvironment().setMaxThreads(threadsBefore);
    }

    static Result tsm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TsmCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    record Result(int code, String out, String err) {}

    @Test
    void predictOnSparkWritesOneRowPerVideoEqualToTheSingleJvmRecognizerKeepsFailuresAsRowsAndResumes()
            throws IOException {
        Path in = Files.createDirectories(dir.resolve("archive"));
        for (Path v : videos) {
            Files.copy(v, in.resolve(v.getFileName()));
        }
        Path bad = Files.writeString(in.resolve("zz-broken.mp4"), "not a video");
        Path out = dir.resolve("out/results.jsonl");
        Result r = tsm("predict", in.toString(), "-m", model.toString(), "--top", "2", "--spark-master", "local[2]",
                "--output", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("7 videos listed: 0 already done (skipped), 7 classified"), r.out());
        assertTrue(r.out().contains("FAILED " + bad + ": "), r.out());
        assertTrue(r.err().contains("1 of 7 videos failed"), r.err());
        ResultFiles files = ResultFiles.of(out, null);
        Map<String, VideoRow> rows = files.read();
        assertEquals(7, rows.size());
        assertEquals(7, Files.readAllLines(out).size(), "exactly one row per video");
        for (Path v : videos) {
            String name = in.resolve(v.getFileName()).toString();
            VideoRow single = renamed(reference.get(v.toString()), name);
            assertTrue(RecognitionFixtures.same(rows.get(name), single), rows.get(name) + " vs " + single);
        }
        VideoRow failed = rows.get(bad.toString());
        assertFalse(failed.ok());
        assertTrue(failed.error().contains(bad.toString()), failed.error());
        assertFalse(Files.exists(files.parts()), "parts merged and removed");

        // the broken video is replaced: the second run classifies only it and lists it as retried
        Files.copy(videos.get(0), bad, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Result again = tsm("predict", in.toString(), "-m", model.toString(), "--top", "2", "--spark-master",
                "local[2]", "--output", out.toString());
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("7 videos listed: 6 already done (skipped), 1 classified"), again.out());
        assertTrue(again.out().contains("retried 1 videos that had failed before: " + bad), again.out());
        Map<String, VideoRow> after = files.read();
        assertEquals(7, after.size());
        assertEquals(7, Files.readAllLines(out).size());
        assertTrue(after.get(bad.toString()).ok());
        for (Path v : videos) {
            String name = in.resolve(v.getFileName()).toString();
            assertEquals(rows.get(name), after.get(name), "skipped rows are kept as they were");
        }
    }

    static VideoRow renamed(VideoRow r, String video) {
        return new VideoRow(video, r.top(), r.clips(), r.crops(), r.frames(), r.frameCount(), r.frameIndices(),
                r.error());
    }

    @Test
    void partsLeftByALostDriverAreReadAndTheirVideosSkippedAndCsvRoundTrips() throws IOException {
        Path out = dir.resolve("lost/results.csv");
        ResultFiles files = ResultFiles.of(out, null);
        assertEquals(RowFormat.CSV, files.format());
        // a driver that died after two partitions: their part files, no result file
        List<VideoRow> done = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            done.add(reference.get(videos.get(i).toString()));
        }
        files.writePart("0000000000001", 0, done.subList(0, 2));
        files.writePart("0000000000001", 3, done.subList(2, 3));
        Path list = dir.resolve("lost/list.txt");
        List<String> lines = new ArrayList<>(List.of("# the archive", ""));
        videos.forEach(v -> lines.add(v.toString()));
        Files.write(list, lines);
        Result r = tsm("predict", list.toString(), "-m", model.toString(), "--top", "2", "--spark-master",
                "local[2]", "--output", out.toString(), "--spark-partitions", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("6 videos listed: 3 already done (skipped), 3 classified in 2 partitions"),
                r.out());
        Map<String, VideoRow> rows = files.read();
        assertEquals(List.copyOf(reference.keySet()), List.copyOf(rows.keySet()), "list order");
        for (Path v : videos) {
            assertTrue(RecognitionFixtures.same(reference.get(v.toString()), rows.get(v.toString())), v.toString());
        }
        assertEquals(RowFormat.CSV_HEADER, Files.readAllLines(out).get(0));
        assertEquals(7, Files.readAllLines(out).size());
    }

    @Test
    void hadoopUrisAreListedOnTheDriverAndCopiedOnTheExecutorsAndUnreadableOnesAreRows() throws IOException {
        SparkConf conf = ClusterConf.prepare(new SparkConf().setMaster("local[2]").setAppName("uris"))
                .set("spark.hadoop.fs.loop.impl", LoopbackFileSystem.class.getName());
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            Path folder = Files.createDirectories(dir.resolve("remote"));
            for (Path v : videos.subList(0, 3)) {
                Files.copy(v, folder.resolve(v.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            List<String> listed = VideoList.expand(List.of("loop://" + folder), sc.hadoopConfiguration());
            assertEquals(List.of("loop:" + folder.resolve("v00.mp4"), "loop:" + folder.resolve("v01.mp4"),
                    "loop:" + folder.resolve("v02.mp4")), listed);
            List<String> names = new ArrayList<>(listed);
            names.add("loop://" + dir.resolve("nowhere.mp4"));
            Path out = dir.resolve("remote-out/results.jsonl");
            BatchRecognition.Report r = BatchRecognition.builder(names, "loop://" + model, RecognitionOptions.builder()
                    .top(2).build(), ResultFiles.of(out, null)).partitions(2).build().run(sc);
            assertEquals(4, r.classified());
            Map<String, VideoRow> rows = ResultFiles.of(out, null).read();
            for (int i = 0; i < 3; i++) {
                assertTrue(RecognitionFixtures.same(renamed(reference.get(videos.get(i).toString()), names.get(i)),
                        rows.get(names.get(i))), names.get(i));
            }
            VideoRow missing = rows.get(names.get(3));
            assertFalse(missing.ok());
            assertTrue(missing.error().startsWith("cannot read " + names.get(3) + ": "), missing.error());
            assertEquals(List.of(missing), r.failed());
        }
    }

    @Test
    void theJavaEntryPointGivesOneRowPerVideoAndLoadsTheModelOncePerJvm() throws IOException {
        SparkConf conf = ClusterConf.prepare(new SparkConf().setMaster("local[2]").setAppName("api"));
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            List<String> names = new ArrayList<>();
            videos.forEach(v -> names.add(v.toString()));
            names.add(dir.resolve("missing.mp4").toString());
            int before = ExecutorModels.loads();
            List<VideoRow> rows = SparkRecognition.classify(sc, sc.parallelize(names, 4), model,
                    RecognitionOptions.builder().top(2).build()).collect();
            assertEquals(names.size(), rows.size());
            for (int i = 0; i < videos.size(); i++) {
                assertTrue(RecognitionFixtures.same(reference.get(names.get(i)), rows.get(i)), names.get(i));
            }
            assertFalse(rows.get(6).ok());
            assertTrue(rows.get(6).error().contains("missing.mp4"), rows.get(6).error());
            assertTrue(ExecutorModels.loads() - before <= 1, "one load per JVM at most (4 tasks, one JVM)");
        }
    }

    @Test
    void aDriverKilledMidJobLeavesTheFinishedPartitionsReadableAndTheNextRunResumesFromThem() throws Exception {
        Path work = Files.createDirectories(dir.resolve("lost-driver"));
        Path list = work.resolve("list.txt");
        List<String> lines = new ArrayList<>();
        videos.forEach(v -> lines.add(v.toString()));
        // the last partition holds a video whose read never returns: the driver is killed while that task runs
        lines.add("block:///forever.mp4");
        Files.write(list, lines);
        Path out = work.resolve("results.jsonl");
        ResultFiles files = ResultFiles.of(out, null);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseSerialGC", "-Dspark.hadoop.fs.block.impl=" + BlockingFileSystem.class.getName()));
        cmd.addAll(ClusterConf.JAVA17_OPENS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TsmCli.class.getName(), "predict",
                list.toString(), "-m", model.toString(), "--top", "2", "--spark-master", "local[1]", "--output",
                out.toString(), "--spark-partitions", "4"));
        Process driver = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve("driver.log").toFile()).start();
        try {
            // partitions 0-2 (5 videos) finish; partition 3 (video 6 and the blocked one) never does
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(180);
            while (files.partFiles().size() < 3 && driver.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(3, files.partFiles().size(), LocalSparkCluster.tail(work.resolve("driver.log")));
        } finally {
            driver.destroyForcibly();
            driver.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertFalse(Files.exists(out), "no result file: the run never finished");
        Map<String, VideoRow> left = files.read();
        assertEquals(videos.subList(0, 5).stream().map(Path::toString).toList(), List.copyOf(left.keySet()),
                "the finished partitions' rows, readable");
        for (VideoRow r : left.values()) {
            assertTrue(RecognitionFixtures.same(reference.get(r.video()), r), r.video());
        }
        lines.remove(lines.size() - 1);
        Files.write(list, lines);
        Result r = tsm("predict", list.toString(), "-m", model.toString(), "--top", "2", "--spark-master",
                "local[1]", "--output", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("6 videos listed: 5 already done (skipped), 1 classified"), r.out());
        assertEquals(6, Files.readAllLines(out).size());
        assertFalse(Files.exists(files.parts()));
    }

    @Test
    void badModelsAndAMissingMasterGiveOneClearLine() throws IOException {
        String v = videos.get(0).toString();
        Result missing = tsm("predict", v, "-m", dir.resolve("nope.zip").toString(), "--spark-master", "local[1]",
                "--output", dir.resolve("o1.jsonl").toString());
        assertEquals(1, missing.code());
        assertEquals("tsm predict: model " + dir.resolve("nope.zip") + " not found", missing.err().strip());
        Result scheme = tsm("predict", v, "-m", "nosuch://host/model.zip", "--spark-master", "local[1]",
                "--output", dir.resolve("o2.jsonl").toString());
        assertEquals(1, scheme.code());
        assertTrue(scheme.err().startsWith("tsm predict: cannot read model nosuch://host/model.zip: "), scheme.err());
        Path notZip = Files.writeString(dir.resolve("notzip.zip"), "x");
        Result corrupt = tsm("predict", v, "-m", notZip.toString(), "--spark-master", "local[1]",
                "--output", dir.resolve("o3.jsonl").toString());
        assertEquals(1, corrupt.code());
        assertTrue(corrupt.err().startsWith("tsm predict: cannot load model " + notZip + ": "), corrupt.err());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result master = tsm("predict", v, "-m", model.toString(), "--spark-master", "spark://127.0.0.1:" + port,
                "--output", dir.resolve("o4.jsonl").toString());
        assertEquals(1, master.code());
        assertEquals("tsm predict: no Spark master at spark://127.0.0.1:" + port + " (127.0.0.1:" + port
                + ": Connection refused): start one, or check the URL", master.err().strip());
        Result usage = tsm("predict", v, "-m", model.toString(), "--output", "x.jsonl");
        assertEquals(2, usage.code());
        assertTrue(usage.err().startsWith("tsm: --output applies to distributed prediction only: add --spark-master "
                + "URL"), usage.err());
        Result noOutput = tsm("predict", v, "-m", model.toString(), "--spark-master", "local[1]");
        assertEquals(2, noOutput.code());
        assertTrue(noOutput.err().startsWith("tsm: --spark-master needs --output FILE|DIR"), noOutput.err());
    }
}
