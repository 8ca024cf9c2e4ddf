package io.github.tsm4j.examples.spark;

import io.github.tsm4j.models.recognize.RecognitionOptions;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Recognises a list of videos on Spark into a result file, one row per video, resumably ({@code tsm predict
 * --spark-master}). Videos that already have a good row in the output are skipped; failed ones are retried; the
 * executors classify with {@link SparkRecognition}'s function (model shipped once, loaded once per executor JVM).
 * Each finished partition's rows reach the driver with its task result and are written at once as an atomic part
 * file ({@link ResultFiles}); when every partition is done the parts are merged into the result file. A lost
 * executor's tasks are re-run by Spark elsewhere (a partition's rows are written once, from the attempt that
 * succeeded); a lost driver leaves every completed partition readable, and the next run resumes from them.
 */
public final class BatchRecognition {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRecognition.class);
    /** Most videos per partition by default (a partition is the unit of retry and of output). */
    public static final int MAX_VIDEOS_PER_PARTITION = 64;

    private final List<String> videos;
    private final String model;
    private final RecognitionOptions options;
    private final ResultFiles output;
    private final int partitions;
    private final int duplicates;

    private BatchRecognition(Builder b) {
        Set<String> unique = new LinkedHashSet<>(b.videos);
        this.videos = List.copyOf(unique);
        this.duplicates = b.videos.size() - unique.size();
        this.model = b.model;
        this.options = b.options;
        this.output = b.output;
        this.partitions = b.partitions;
    }

    /**
     * @param videos the videos (paths or Hadoop URIs), at least one; repeated entries count once
     * @param model the model zip (path or Hadoop URI)
     * @param options the recognition protocol
     * @param output where the rows go
     * @return a builder
     */
    public static Builder builder(List<String> videos, String model, RecognitionOptions options, ResultFiles output) {
        return new Builder(videos, model, options, output);
    }

    /**
     * What a run did.
     *
     * @param output the result file
     * @param listed distinct videos listed
     * @param duplicates repeated entries in the list (counted once)
     * @param skipped videos that already had a good row
     * @param retried videos that had a failed row and were tried again
     * @param classified videos classified by this run
     * @param failed this run's failed rows
     * @param partitions Spark partitions (tasks) of this run
     * @param modelLoads model loads in executor JVMs during this run (0 when they had it from an earlier job)
     * @param seconds wall time of the Spark job
     */
    public record Report(java.nio.file.Path output, int listed, int duplicates, int skipped, List<String> retried,
            int classified, List<VideoRow> failed, int partitions, long modelLoads, double seconds) {
        /** @return videos per second of the Spark job (NaN when nothing ran) */
        public double videosPerSecond() {
            return classified == 0 ? Double.NaN : classified / seconds;
        }
    }

    /**
     * Runs the job on this context.
     *
     * @param sc the Spark context
     * @return the report
     * @throws IOException when the model or the output cannot be read or written, or the job failed (the rows of
     *     finished partitions are kept in the part files)
     */
    public Report run(JavaSparkContext sc) throws IOException {
        Map<String, VideoRow> previous = output.read();
        List<String> todo = new ArrayList<>();
        List<String> retried = new ArrayList<>();
        for (String v : videos) {
            VideoRow r = previous.get(v);
            if (r == null) {
                todo.add(v);
            } else if (!r.ok()) {
                todo.add(v);
                retried.add(v);
            }
        }
        int skipped = videos.size() - todo.size();
        LOG.info("{} videos listed, {} already done, {} to classify ({} retried)", videos.size(), skipped, todo.size(),
                retried.size());
        Map<String, VideoRow> fresh = new HashMap<>();
        int n = 0;
        double seconds = 0;
        long loads = 0;
        if (!todo.isEmpty()) {
            ShippedModel shipped = SparkRecognition.ship(sc, model);
            n = partitions > 0 ? Math.min(partitions, todo.size()) : Math.min(todo.size(),
                    Math.max(2 * sc.defaultParallelism(), ceilDiv(todo.size(), MAX_VIDEOS_PER_PARTITION)));
            LongAccumulator loadCount = sc.sc().longAccumulator("tsm4j model loads");
            RecognizeFunction f = SparkRecognition.function(sc, shipped, options, loadCount);
            JavaRDD<String> rdd = sc.parallelize(todo, n);
            String run = String.format(Locale.ROOT, "%013d", System.currentTimeMillis());
            AtomicInteger done = new AtomicInteger();
            Map<Integer, List<VideoRow>> byPartition = Collections.synchronizedMap(new HashMap<>());
            List<Object> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(i);
            }
            int total = n;
            long t0 = System.nanoTime();
            try {
                ClassTag<ArrayList<VideoRow>> tag = ClassTag$.MODULE$.apply(ArrayList.class);
                sc.sc().runJob(rdd.rdd(), new PartitionTask(f), JavaConverters.asScalaBuffer(all).toSeq(),
                        new PartitionDone(output, run, byPartition, done, total), tag);
            } catch (RuntimeException e) {
                throw new IOException("Spark job failed after " + done.get() + " of " + total + " partitions (their "
                        + "rows are in " + output.parts() + "; run the same command again to resume): "
                        + VideoLocations.oneLine(e), e);
            }
            seconds = (System.nanoTime() - t0) / 1e9;
            loads = loadCount.value();
            for (List<VideoRow> rows : byPartition.values()) {
                for (VideoRow r : rows) {
                    if (fresh.put(r.video(), r) != null) {
                        throw new IllegalStateException("video " + r.video() + " got two rows in one run");
                    }
                }
            }
            if (fresh.size() != todo.size() || !fresh.keySet().containsAll(todo)) {
                throw new IllegalStateException("the job returned rows for " + fresh.size() + " videos, expected "
                        + todo.size());
            }
        }
        // merge: listed videos in list order, then rows of earlier runs for videos not listed now
        Map<String, VideoRow> merged = new LinkedHashMap<>();
        for (String v : videos) {
            merged.put(v, fresh.containsKey(v) ? fresh.get(v) : previous.get(v));
        }
        previous.forEach(merged::putIfAbsent);
        output.commit(new ArrayList<>(merged.values()));
        List<VideoRow> failed = todo.stream().map(fresh::get).filter(r -> !r.ok()).toList();
        return new Report(output.file(), videos.size(), duplicates, skipped, List.copyOf(retried),
                todo.size(), failed, n, loads, seconds);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Runs on the executors: one partition's rows. */
    private static final class PartitionTask
            extends AbstractFunction2<TaskContext, scala.collection.Iterator<String>, ArrayList<VideoRow>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final RecognizeFunction f;

        PartitionTask(RecognizeFunction f) {
            this.f = f;
        }

        @Override
        public ArrayList<VideoRow> apply(TaskContext context, scala.collection.Iterator<String> videos) {
            return new ArrayList<>(f.classify(JavaConverters.asJavaIterator(videos)));
        }
    }

    /** Runs on the driver as each task succeeds: writes its part file at once. */
    private static final class PartitionDone extends AbstractFunction2<Object, ArrayList<VideoRow>, BoxedUnit>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final transient ResultFiles output;
        private final String run;
        private final transient Map<Integer, List<VideoRow>> byPartition;
        private final transient AtomicInteger done;
        private final int total;

        PartitionDone(ResultFiles output, String run, Map<Integer, List<VideoRow>> byPartition, AtomicInteger done,
                int total) {
            this.output = output;
            this.run = run;
            this.byPartition = byPartition;
            this.done = done;
            this.total = total;
        }

        @Override
        public BoxedUnit apply(Object partition, ArrayList<VideoRow> rows) {
            int p = (Integer) partition;
            try {
                output.writePart(run, p, rows);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the rows of partition " + p + " to " + output.parts()
                        + ": " + e.getMessage(), e);
            }
            if (byPartition.put(p, rows) != null) {
                throw new IllegalStateException("partition " + p + " reported twice");
            }
            LOG.info("partition {} done: {} rows ({} of {} partitions)", p, rows.size(), done.incrementAndGet(), total);
            return BoxedUnit.UNIT;
        }
    }

    /** Builder; the output layout and the options are required, the partition count defaults. */
    public static final class Builder {
        private final List<String> videos;
        private final String model;
        private final RecognitionOptions options;
        private final ResultFiles output;
        private int partitions;

        private Builder(List<String> videos, String model, RecognitionOptions options, ResultFiles output) {
            this.videos = List.copyOf(Objects.requireNonNull(videos, "videos"));
            if (videos.isEmpty()) {
                throw new IllegalArgumentException("BatchRecognition: no videos listed");
            }
            for (String v : videos) {
                if (v == null || v.isBlank()) {
                    throw new IllegalArgumentException("BatchRecognition: a listed video is empty");
                }
            }
            this.model = Objects.requireNonNull(model, "model");
            this.options = Objects.requireNonNull(options, "options");
            this.output = Objects.requireNonNull(output, "output");
        }

        /**
         * @param v Spark partitions (tasks), at least 1; 0 (default) = at least twice the default parallelism
         *     and at most {@value #MAX_VIDEOS_PER_PARTITION} videos each
         * @return this
         */
        public Builder partitions(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("BatchRecognition.partitions must be >= 0 (0 = automatic), found "
                        + v);
            }
            partitions = v;
            return this;
        }

        /** @return the job */
        public BatchRecognition build() {
            return new BatchRecognition(this);
        }
    }
}
