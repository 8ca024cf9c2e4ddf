package io.github.tsm4j.examples.spark;

import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.recognize.VideoRecognizer;
import io.github.tsm4j.models.train.EpochRecord;
import io.github.tsm4j.models.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recognition videos/s and training clips/s on a standalone cluster ({@link LocalSparkCluster}) with 1 and 2
 * workers against the single JVM on the same data (docs/distributed.md). Off by default; run with
 * {@code -Dbench=true -Dtest=StandaloneScalingBenchmark}. Prints lines starting with "STANDALONE".
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class StandaloneScalingBenchmark {
    @TempDir
    Path dir;

    static String load() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }

    /** ND4J work off the JVM's main thread (much slower there on this VM under load), as Spark's executors. */
    static <T> T inThread(Callable<T> c) throws Exception {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Exception> err = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                out.set(c.call());
            } catch (Exception e) {
                err.set(e);
            }
        });
        t.start();
        t.join();
        if (err.get() != null) {
            throw err.get();
        }
        return out.get();
    }

    static double epoch2ClipsPerSecond(Path out) throws Exception {
        List<EpochRecord> log = Trainer.readLog(out.resolve(Trainer.LOG_FILE));
        return log.get(log.size() - 1).clipsPerSecond();
    }

    static String[] trainArgs(TemporalOrderDataset.Layout l, Path out, int size, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--labels", l.labelsJson().toString(), "--videos",
                l.videoDir().toString(), "--train", l.trainJson().toString(), "--output", out.toString(),
                "--backbone", "RESNET18", "--base-width", "16", "--segments", "8", "--size", Integer.toString(size),
                "--scale", Integer.toString(size + size / 8), "--dropout", "0", "--epochs", "2", "--lr", "0.01",
                "--no-progress"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void videosAndClipsPerSecondAtOneAndTwoStandaloneWorkersAndOnOneJvm() throws Exception {
        int size = Integer.getInteger("bench.size", 64);
        int perClass = Integer.getInteger("bench.perClass", 8);
        boolean training = !"false".equals(System.getProperty("bench.train"));
        System.out.println("STANDALONE load at start: " + load());
        TemporalOrderDataset.Layout l = TemporalOrderDataset.builder().trainPerClass(perClass).validationPerClass(0)
                .frames(16).size(size + size / 8).seed(5).generate(dir.resolve("data"));
        List<String> classes = l.train().classNames();
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, classes.size()).segments(8)
                .inputSize(size, size + size / 8).baseWidth(16).dropout(0).build();
        Path model = dir.resolve("model.zip");
        TsmModel.create(config, classes, TsmNetworks.defaultGlobals().seed(5)).save(model, false);
        List<Path> videos;
        try (Stream<Path> s = Files.list(l.videoDir())) {
            videos = s.sorted().toList();
        }
        RecognitionOptions options = RecognitionOptions.defaults();
        // one JVM: VideoRecognizer.classifyAll, as tsm predict (warm-up pass, then timed)
        double single = inThread(() -> {
            try (VideoRecognizer r = VideoRecognizer.of(TsmModel.load(model), options)) {
                r.classifyAll(videos);
                long t0 = System.nanoTime();
                r.classifyAll(videos);
                return videos.size() / ((System.nanoTime() - t0) / 1e9);
            }
        });
        System.out.printf("STANDALONE recognition, one JVM (tsm predict's VideoRecognizer): %d videos, %.2f videos/s%n",
                videos.size(), single);
        Path singleOut = dir.resolve("train-single");
        if (training) {
        int code = inThread(() -> TsmCli.run(trainArgs(l, singleOut, size, "--batch-size", "4", "--workers", "1")));
        System.out.printf("STANDALONE training, one JVM (tsm train, batch 4): exit %d, epoch 2 %.2f clips/s%n", code,
                epoch2ClipsPerSecond(singleOut));
        }
        try (LocalSparkCluster cluster = LocalSparkCluster.start(dir.resolve("cluster"), 2, 1500)) {
            for (int n : new int[] {1, 2}) {
                System.setProperty("spark.driver.host", LocalSparkCluster.HOST);
                System.setProperty("spark.driver.bindAddress", LocalSparkCluster.HOST);
                System.setProperty("spark.executor.memory", "800m");
                System.setProperty("spark.cores.max", Integer.toString(n));
                System.setProperty("spark.executor.extraClassPath", cluster.classPath());
                System.setProperty("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=2G");
                System.setProperty("spark.scheduler.minRegisteredResourcesRatio", "1.0");
                SparkConf conf = ClusterConf.prepare(new SparkConf().setMaster(cluster.masterUrl())
                        .setAppName("bench-" + n));
                List<String> names = videos.stream().map(Path::toString).toList();
                try (JavaSparkContext sc = new JavaSparkContext(conf)) {
                    BatchRecognition.Report warm = BatchRecognition.builder(names, model.toString(), options,
                            ResultFiles.of(dir.resolve("warm-" + n + ".jsonl"), null)).build().run(sc);
                    BatchRecognition.Report r = BatchRecognition.builder(names, model.toString(), options,
                            ResultFiles.of(dir.resolve("rec-" + n + ".jsonl"), null)).build().run(sc);
                    System.out.printf("STANDALONE recognition, %d worker(s): %d videos in %d partitions, first job "
                            + "%.1f s (executors load the model), second %.1f s = %.2f videos/s%n", n,
                            r.classified(), r.partitions(), warm.seconds(), r.seconds(), r.videosPerSecond());
                }
                if (!training) {
                    continue;
                }
                Path out = dir.resolve("train-" + n);
                long t0 = System.nanoTime();
                int c = inThread(() -> TsmCli.run(trainArgs(l, out, size, "--spark-master", cluster.masterUrl(),
                        "--spark-workers", Integer.toString(n), "--batch-size", Integer.toString(4 * n))));
                System.out.printf("STANDALONE training, %d worker(s) (batch %d = %d x 4): exit %d, epoch 2 %.2f "
                        + "clips/s (%.1f s for 2 epochs with Spark start)%n", n, 4 * n, n, c,
                        epoch2ClipsPerSecond(out), (System.nanoTime() - t0) / 1e9);
                Path out4 = dir.resolve("train-f4-" + n);
                int c4 = inThread(() -> TsmCli.run(trainArgs(l, out4, size, "--spark-master", cluster.masterUrl(),
                        "--spark-workers", Integer.toString(n), "--batch-size", Integer.toString(4 * n),
                        "--averaging-frequency", "4")));
                System.out.printf("STANDALONE training, %d worker(s), averaging every 4 steps: exit %d, epoch 2 %.2f "
                        + "clips/s%n", n, c4, epoch2ClipsPerSecond(out4));
            }
        } finally {
            for (String p : List.of("spark.driver.host", "spark.driver.bindAddress", "spark.executor.memory",
                    "spark.cores.max", "spark.executor.extraClassPath", "spark.executor.extraJavaOptions",
                    "spark.scheduler.minRegisteredResourcesRatio")) {
                System.clearProperty(p);
            }
        }
        System.out.println("STANDALONE load at end: " + load());
    }
}
