package io.github.tsm4j.examples.cli;

import io.github.tsm4j.examples.spark.BatchRecognition;
import io.github.tsm4j.examples.spark.ClusterConf;
import io.github.tsm4j.examples.spark.ResultFiles;
import io.github.tsm4j.examples.spark.RowFormat;
import io.github.tsm4j.examples.spark.VideoList;
import io.github.tsm4j.examples.spark.VideoRow;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.recognize.ScoreAveraging;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;

/**
 * The Spark half of {@code tsm predict --spark-master}: lists the videos, runs {@link BatchRecognition} and prints
 * a summary; only loaded when Spark is on the class path.
 */
final class SparkPredict {
    private SparkPredict() {}

    static int run(PredictCommand cmd, SparkPredictOptions o) throws IOException {
        CommandLine line = cmd.spec.commandLine();
        RecognitionOptions options;
        ResultFiles output;
        try {
            options = RecognitionOptions.builder().sampling(cmd.sampling).clips(cmd.clips == null ? 0 : cmd.clips)
                    .crops(cmd.crops).fullResolution(cmd.fullRes).averaging(switch (cmd.average) {
                        case raw -> ScoreAveraging.RAW_SCORES;
                        case probabilities -> ScoreAveraging.PROBABILITIES;
                    }).top(cmd.top)
                    .batch(cmd.batch).engine(cmd.engine.kind()).build();
            output = ResultFiles.of(o.output, o.format == null ? null : RowFormat.valueOf(o.format.toUpperCase(
                    Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(line, e.getMessage());
        }
        List<String> args = line.getCommandSpec().positionalParameters().get(0).originalStringValues();
        ClusterConf.requireOpens();
        // as typed: a Path would turn hdfs://host/x into hdfs:/host/x
        String modelArg = line.getParseResult().matchedOption("--model").originalStringValues().get(0);
        SparkConf conf = new SparkConf().setAppName("tsm4j-predict");
        if (!"default".equals(o.master)) {
            conf.setMaster(o.master);
        } else if (!conf.contains("spark.master")) {
            throw new IOException("--spark-master default: no spark.master set (run under spark-submit --master URL, "
                    + "or give the URL)");
        }
        ClusterConf.prepare(conf);
        ClusterConf.requireReachable(conf.get("spark.master"));
        FfmpegLogging.configure(line);
        PrintWriter out = line.getOut();
        BatchRecognition.Report r;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            List<String> videos = VideoList.expand(args, sc.hadoopConfiguration());
            if (videos.isEmpty()) {
                throw new IOException("no videos in " + String.join(", ", args));
            }
            BatchRecognition job = BatchRecognition.builder(videos, modelArg, options, output)
                    .partitions(o.partitions == null ? 0 : o.partitions).build();
            r = job.run(sc);
        }
        out.printf(Locale.ROOT, "%d videos listed%s: %d already done (skipped), %d classified in %d partitions on %s"
                + " (%.2f videos/s; model loaded by %d executor JVMs)%n", r.listed(), r.duplicates() > 0 ? " ("
                + r.duplicates() + " repeated entries counted once)" : "", r.skipped(), r.classified(), r.partitions(),
                o.master, r.videosPerSecond(), r.modelLoads());
        if (!r.retried().isEmpty()) {
            out.printf(Locale.ROOT, "retried %d videos that had failed before: %s%n", r.retried().size(),
                    String.join(", ", r.retried()));
        }
        for (VideoRow f : r.failed()) {
            out.printf(Locale.ROOT, "FAILED %s: %s%n", f.video(), f.error());
        }
        out.printf(Locale.ROOT, "rows in %s%n", r.output());
        out.flush();
        if (!r.failed().isEmpty()) {
            throw new IOException(r.failed().size() + " of " + r.classified() + " videos failed (rows in " + r.output()
                    + "; running the same command again retries them): " + r.failed().get(0).error());
        }
        return 0;
    }
}
