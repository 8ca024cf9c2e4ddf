package io.github.tsm4j.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

/**
 * A real Spark standalone cluster: Spark's own Master and Worker classes as separate JVMs on 127.0.0.1
 * ({@link LocalSparkCluster}), this JVM as the driver. {@code tsm train} and {@code tsm predict} with
 * {@code --spark-master spark://127.0.0.1:PORT}, {@code SparkSubmit} with an application jar, and both jobs again
 * with a worker JVM (and its executor) SIGKILLed in the middle of the job: nothing lost, nothing duplicated.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {
    static final int WORKER_MB = 1200;
    static final int TRAIN_MINIBATCHES = 6; // 12 clips, global batch 4 = 2 workers x 2 clips: 3 steps x 2 workers

    @TempDir
    static Path dir;
    static LocalSparkCluster cluster;
    static Path model;
    static Path archive;
    static Path broken;
    static Map<String, VideoRow> reference;
    static TemporalOrderDataset.Layout data;
    static final Map<String, String> PROPERTIES = new LinkedHashMap<>();
    static int threadsBefore;

    @BeforeAll
    static void cluster() throws Exception {
        threadsBefore = Nd4j.getEnvironment().maxThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
        cluster = LocalSparkCluster.start(dir.resolve("cluster"), 2, WORKER_MB);
        model = RecognitionFixtures.model(dir.resolve("model.zip"));
        archive = dir.resolve("archive");
        List<Path> videos = RecognitionFixtures.videos(archive, 39, 9);
        broken = Files.writeString(archive.resolve("v39-broken.mp4"), "this is not a video");
        reference = RecognitionFixtures.reference(model, videos, RecognitionOptions.builder().top(2).build());
        data = TemporalOrderDataset.builder().trainPerClass(2).validationPerClass(1).frames(4).size(32).seed(3)
                .generate(dir.resolve("data"));
        // the driver (this JVM): SparkConf reads spark.* system properties, so tsm train/predict pick these up
        PROPERTIES.put("spark.driver.host", LocalSparkCluster.HOST);
        PROPERTIES.put("spark.driver.bindAddress", LocalSparkCluster.HOST);
        PROPERTIES.put("spark.executor.memory", "640m");
        PROPERTIES.put("spark.executor.cores", "1");
        PROPERTIES.put("spark.cores.max", "2");
        PROPERTIES.put("spark.executor.extraClassPath", cluster.classPath());
        PROPERTIES.put("spark.executor.extraJavaOptions", "-XX:+UseSerialGC -Dorg.bytedeco.javacpp.maxbytes=2G");
        PROPERTIES.put("spark.executorEnv.OMP_NUM_THREADS", "1");
        PROPERTIES.put("spark.extraListeners", ClusterProbe.class.getName());
        // start jobs only when both executors are there, so both workers get tasks
        PROPERTIES.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        PROPERTIES.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s");
        PROPERTIES.forEach(System::setProperty);
    }

    @AfterAll
    static void stop() {
        PROPERTIES.keySet().forEach(System::clearProperty);
        Nd4j.getEnvironment().setMaxThreads(threadsBefore);
        if (cluster != null) {
            cluster.close();
        }
    }

    record Result(int code, String out, String err) {}

    static Result tsm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TsmCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result train(Path out) {
        return tsm("train", "--spark-master", cluster.masterUrl(), "--spark-workers", "2",
                "--labels", data.labelsJson().toString(), "--videos", data.videoDir().toString(),
                "--train", data.trainJson().toString(), "--output", out.toString(), "--backbone", "RESNET18",
                "--direction", "UNIDIRECTIONAL", "--base-width", "8", "--segments", "4", "--size", "32", "--scale",
                "32", "--dropout", "0", "--epochs", "1", "--batch-size", "4", "--lr", "0.01", "--lr-batch", "4",
                "--no-progress");
    }

    static Result predict(Path out) {
        return tsm("predict", archive.toString(), "-m", model.toString(), "--top", "2", "--spark-master",
                cluster.masterUrl(), "--output", out.toString());
    }

    /** Every listed video exactly once, equal to the single-JVM recognizer; the broken one a failed row. */
    static void assertRows(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out);
        assertEquals(40, lines.size(), "one row per video");
        Map<String, VideoRow> rows = ResultFiles.of(out, null).read();
        assertEquals(40, rows.size(), "no video twice");
        for (Map.Entry<String, VideoRow> e : reference.entrySet()) {
            assertTrue(RecognitionFixtures.same(e.getValue(), rows.get(e.getKey())),
                    rows.get(e.getKey()) + " vs single JVM " + e.getValue());
        }
        VideoRow bad = rows.get(broken.toString());
        assertFalse(bad.ok());
        assertTrue(bad.error().startsWith("cannot read video " + broken + ": "), bad.error());
    }

    static void assertModelLoads(Result r) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("model loaded by (\\d+) executor JVMs")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        int loads = Integer.parseInt(m.group(1));
        assertTrue(loads >= 1 && loads <= 2, "once per executor JVM, never per task (4 tasks): " + r.out());
    }

    static LocalSparkCluster.Worker worker(int uiPort) {
        return cluster.workers().stream().filter(w -> w.webUiPort() == uiPort).findFirst().orElseThrow();
    }

    static void killOnceMidJob(int afterTasks) {
        ClusterProbe.killOnce(afterTasks, port -> {
            try {
                cluster.kill(worker(port));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    @Order(1)
    void trainingOnTwoStandaloneWorkersFinishesAndItsCheckpointLoadsInTsmModel() throws IOException {
        ClusterProbe.reset();
        Path out = dir.resolve("train");
        Result r = train(out);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("Spark " + cluster.masterUrl() + ": 2 workers x 2 clips per step"), r.out());
        assertEquals(TRAIN_MINIBATCHES, ClusterProbe.MINIBATCHES.get(), "every clip fitted once");
        assertEquals(2, ClusterProbe.EXECUTOR_UI_PORT.size(), "one executor per worker");
        TsmModel m = TsmModel.load(out.resolve(Trainer.LAST_CHECKPOINT));
        assertEquals(data.train().classNames(), m.labels());
    }

    @Test
    @Order(2)
    void recognitionOnTwoStandaloneWorkersGivesOneRowPerVideoEqualToTheSingleJvmRecognizer() throws IOException {
        ClusterProbe.reset();
        Path out = dir.resolve("predict/results.jsonl");
        Result r = predict(out);
        assertEquals(1, r.code(), "the broken video fails: " + r.out() + r.err());
        assertTrue(r.out().contains("40 videos listed: 0 already done (skipped), 40 classified in 4 partitions"),
                r.out());
        assertTrue(r.out().contains("FAILED " + broken + ": "), r.out());
        assertModelLoads(r);
        assertRows(out);
        assertEquals(List.of(), ClusterProbe.FAILED);
    }

    @Test
    @Order(3)
    void sparkSubmitRunsTsmPredictFromAnApplicationJarOnTheCluster() throws Exception {
        Path jar = cluster.applicationJar();
        Path list = dir.resolve("submit/list.txt");
        Files.createDirectories(list.getParent());
        List<String> names = new ArrayList<>(reference.keySet()).subList(0, 8);
        Files.write(list, names);
        Path out = dir.resolve("submit/results.csv");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseSerialGC"));
        cmd.addAll(ClusterConf.JAVA17_OPENS);
        cmd.addAll(List.of("-cp", cluster.sparkHome().resolve("jars") + "/*", "org.apache.spark.deploy.SparkSubmit",
                "--master", cluster.masterUrl(), "--deploy-mode", "client",
                "--class", "io.github.tsm4j.examples.TsmCli",
                "--conf", "spark.driver.host=" + LocalSparkCluster.HOST,
                "--conf", "spark.driver.bindAddress=" + LocalSparkCluster.HOST,
                "--conf", "spark.executor.memory=640m", "--conf", "spark.cores.max=2",
                "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", ClusterConf.JAVA17_OPENS)
                        + " -XX:+UseSerialGC",
                jar.toString(), "predict", list.toString(), "-m", model.toString(), "--top", "2",
                "--spark-master", "default", "--output", out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("submit/spark-submit.log").toFile());
        LocalSparkCluster.environment(pb.environment(), cluster.sparkHome());
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), "spark-submit did not finish in 240 s");
            String log = LocalSparkCluster.tail(dir.resolve("submit/spark-submit.log"));
            assertEquals(0, p.exitValue(), log);
            assertTrue(log.contains("8 videos listed: 0 already done (skipped), 8 classified"), log);
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        Map<String, VideoRow> rows = ResultFiles.of(out, null).read();
        assertEquals(names, List.copyOf(rows.keySet()));
        for (String n : names) {
            assertTrue(RecognitionFixtures.same(reference.get(n), rows.get(n)), n);
        }
    }

    @Test
    @Order(4)
    void recognitionCompletesOnTheRemainingWorkerWhenAWorkerJvmIsKilledMidJob() throws IOException {
        ClusterProbe.reset();
        killOnceMidJob(1);
        Path out = dir.resolve("predict-kill/results.jsonl");
        Result r = predict(out);
        assertTrue(ClusterProbe.FIRED.get(), "the worker was killed during the job");
        assertFalse(worker(ClusterProbe.killedWorkerUiPort).process().isAlive());
        assertEquals(1, r.code(), "only the broken video fails: " + r.out() + r.err());
        assertTrue(r.out().contains("40 classified in 4 partitions"), r.out());
        assertRows(out);
        assertTrue(ClusterProbe.FAILED.stream().anyMatch(f -> f.contains("ExecutorLostFailure")),
                "a running task was lost with the worker: " + ClusterProbe.FAILED);
    }

    @Test
    @Order(5)
    void trainingCompletesOnTheRemainingWorkerWhenAWorkerJvmIsKilledMidJob() throws Exception {
        cluster.addWorker(WORKER_MB);
        ClusterProbe.reset();
        // after the data count of the first epoch: in the first averaging round
        killOnceMidJob(2);
        Path out = dir.resolve("train-kill");
        Result r = train(out);
        assertTrue(ClusterProbe.FIRED.get(), "the worker was killed during the job");
        assertFalse(worker(ClusterProbe.killedWorkerUiPort).process().isAlive());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(TRAIN_MINIBATCHES, ClusterProbe.MINIBATCHES.get(),
                "every clip fitted once, by the attempts that succeeded: " + ClusterProbe.FAILED);
        assertTrue(ClusterProbe.FAILED.stream().anyMatch(f -> f.contains("ExecutorLostFailure")),
                "a running task was lost with the worker: " + ClusterProbe.FAILED);
        try {
            TsmModel m = TsmModel.load(out.resolve(Trainer.LAST_CHECKPOINT));
            assertEquals(data.train().classNames(), m.labels());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
