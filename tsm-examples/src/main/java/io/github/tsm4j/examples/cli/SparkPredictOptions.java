package io.github.tsm4j.examples.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The flags of {@code tsm predict --spark-master} (distributed batch recognition, {@link SparkPredict}), kept out
 * of {@link PredictCommand} as a picocli mixin. This class does not touch Spark, so {@code tsm predict} loads
 * without it.
 */
public final class SparkPredictOptions {

    @Option(names = "--spark-master", paramLabel = "URL", order = 100,
            description = {"Classify on Apache Spark: spark://host:7077, local[N], yarn, k8s://…, or 'default' for "
                    + "spark-submit's master. VIDEO may then also be a folder of videos, a list file (.txt/.list, one "
                    + "video per line) or a Hadoop URI (hdfs://, s3a://…); executors decode their own videos; one row "
                    + "per video goes to --output, and running the same command again resumes "
                    + "(docs/distributed.md)."})
    String master;

    @Option(names = "--output", paramLabel = "FILE|DIR", order = 101,
            description = "With --spark-master: results.jsonl / results.csv, or a folder (FOLDER/results.jsonl).")
    Path output;

    @Option(names = "--format", paramLabel = "FORMAT", order = 102,
            description = "With --spark-master: jsonl or csv (default: from --output's extension, else jsonl).")
    String format;

    @Option(names = "--spark-partitions", paramLabel = "N", order = 103,
            description = "With --spark-master: tasks (default: at least twice the cluster's cores, at most 64 "
                    + "videos each).")
    Integer partitions;

    /**
     * The branch at the top of {@code tsm predict}: distributed when {@code --spark-master} is given.
     *
     * @param cmd the predict command (its protocol flags are used as they are)
     * @return the exit code of the distributed run, or null to predict on this JVM
     * @throws IOException when the distributed run fails
     */
    Integer route(PredictCommand cmd) throws IOException {
        CommandLine line = cmd.spec.commandLine();
        if (master == null) {
            for (String flag : List.of("--output", "--format", "--spark-partitions")) {
                if (line.getParseResult().hasMatchedOption(flag)) {
                    throw new CommandLine.ParameterException(line, flag + " applies to distributed prediction only: "
                            + "add --spark-master URL");
                }
            }
            return null;
        }
        if (output == null) {
            throw new CommandLine.ParameterException(line, "--spark-master needs --output FILE|DIR (one row per "
                    + "video; running the same command again resumes)");
        }
        if (format != null && !format.equals("jsonl") && !format.equals("csv")) {
            throw new CommandLine.ParameterException(line, "--format must be jsonl or csv, found " + format);
        }
        if (partitions != null && partitions < 1) {
            throw new CommandLine.ParameterException(line, "--spark-partitions must be >= 1, found " + partitions);
        }
        SparkTraining.requireSpark();
        return SparkPredict.run(cmd, this);
    }
}
