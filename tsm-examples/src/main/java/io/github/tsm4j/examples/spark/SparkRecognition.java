package io.github.tsm4j.examples.spark;

import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * Distributed video recognition for your own Spark jobs: a function from an RDD of videos (local paths readable
 * on every executor, or any Hadoop-readable URI) to an RDD of {@link VideoRow}s, one per video, in the same order.
 *
 * <pre>{@code
 * JavaRDD<String> videos = sc.textFile("hdfs:///archive/list.txt");
 * JavaRDD<VideoRow> rows = SparkRecognition.classify(sc, videos, "hdfs:///models/kinetics.zip",
 *         RecognitionOptions.builder().top(3).build());
 * rows.filter(VideoRow::ok).map(r -> r.video() + "\t" + r.top().get(0).label()).saveAsTextFile("hdfs:///out");
 * }</pre>
 *
 * <p>The driver reads the model once (checking that it loads), ships the zip with {@code SparkContext.addFile}
 * (each executor fetches it once), and every executor JVM loads it once, keyed by its SHA-256
 * ({@link ExecutorModels}); each executor then decodes and classifies its own videos with tsm-models'
 * {@code VideoRecognizer}, so nothing decoded passes through the driver. A video that fails gives a row with
 * {@link VideoRow#error()} set. For a whole archive with an output file and resume, use {@link BatchRecognition}.
 */
public final class SparkRecognition {
    private static final Map<String, Path> STAGED = new ConcurrentHashMap<>();

    private SparkRecognition() {}

    /**
     * @param sc the Spark context
     * @param videos videos (paths or URIs)
     * @param model the model zip (a local path or a Hadoop URI, read by the driver)
     * @param options the recognition protocol (as {@code VideoRecognizer} takes it)
     * @return one row per video (lazy: computed when an action runs)
     * @throws IOException when the model cannot be read or loaded
     */
    public static JavaRDD<VideoRow> classify(JavaSparkContext sc, JavaRDD<String> videos, String model,
            RecognitionOptions options) throws IOException {
        return videos.mapPartitions(function(sc, ship(sc, model), options, null));
    }

    /**
     * @param sc the Spark context
     * @param videos videos (paths or URIs)
     * @param modelZip the model zip on the driver
     * @param options the recognition protocol
     * @return one row per video (lazy)
     * @throws IOException when the model cannot be read or loaded
     */
    public static JavaRDD<VideoRow> classify(JavaSparkContext sc, JavaRDD<String> videos, Path modelZip,
            RecognitionOptions options) throws IOException {
        return classify(sc, videos, modelZip.toString(), options);
    }

    static RecognizeFunction function(JavaSparkContext sc, ShippedModel model, RecognitionOptions options,
            LongAccumulator loads) {
        Objects.requireNonNull(options, "options");
        HashMap<String, String> conf = new HashMap<>();
        for (Map.Entry<String, String> e : sc.hadoopConfiguration()) {
            conf.put(e.getKey(), e.getValue());
        }
        Broadcast<HashMap<String, String>> hadoop = sc.broadcast(conf);
        return new RecognizeFunction(model, options, hadoop,
                loads != null ? loads : sc.sc().longAccumulator("tsm4j model loads"));
    }

    /**
     * Reads the model on the driver (a Hadoop URI is copied to a local file), checks that it loads, and ships it.
     *
     * @param sc the context
     * @param model path or URI of the model zip
     * @return what the executors need to find it
     * @throws IOException "model X not found", "cannot read model X: …", "cannot load model X: …"
     */
    static ShippedModel ship(JavaSparkContext sc, String model) throws IOException {
        Objects.requireNonNull(model, "model");
        Path local;
        Path copy = null;
        if (VideoLocations.isLocal(model)) {
            local = VideoLocations.localPath(model);
            if (!Files.isRegularFile(local)) {
                throw new IOException("model " + model + " not found");
            }
        } else {
            Configuration conf = sc.hadoopConfiguration();
            try {
                copy = VideoLocations.copyToLocal(model, conf, "tsm4j-model-");
            } catch (IOException e) {
                throw new IOException("cannot read model " + VideoLocations.oneLine(e).replaceFirst("^cannot read ",
                        ""), e);
            }
            local = copy;
        }
        try {
            String sha = ExecutorModels.sha256(local);
            TsmModel m;
            try {
                m = TsmModel.load(local);
            } catch (IOException | RuntimeException e) {
                throw new IOException("cannot load model " + model + ": " + VideoLocations.oneLine(e), e);
            }
            Path staged = STAGED.get(sha);
            if (staged == null || !Files.isRegularFile(staged)) {
                // one fixed path per content: Spark's file server refuses one name under two paths
                Path dir = Files.createTempDirectory("tsm4j-shipped-");
                dir.toFile().deleteOnExit();
                staged = dir.resolve("tsm4j-model-" + sha + ".zip");
                Files.copy(local, staged, StandardCopyOption.REPLACE_EXISTING);
                staged.toFile().deleteOnExit();
                STAGED.put(sha, staged);
            }
            sc.addFile(staged.toString());
            return new ShippedModel(model, staged.getFileName().toString(), sha, m.labels());
        } finally {
            if (copy != null) {
                Files.deleteIfExists(copy);
            }
        }
    }
}
