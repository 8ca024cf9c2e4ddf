package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.models.TsmModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SparkTrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void trainsATinyModelOnLocalSparkAndWritesTsmModelCheckpoints() throws Exception {
        CommandLine cli = TsmCli.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("spark-train", "--spark-master", "local[2]", "--data", dir.resolve("data").toString(),
                "--synthetic", "2", "-o", dir.resolve("ckpt").toString(), "--arch", "RESNET18", "--base-width", "8",
                "--segments", "4", "--crop-size", "32", "--scale-size", "36", "--epochs", "1",
                "--batch-size-per-worker", "2", "--workers", "2");
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("epoch 1: loss"), out.toString());
        TsmModel m = TsmModel.load(dir.resolve("ckpt").resolve("last.zip"));
        assertEquals(6, m.config().numClasses());
        assertTrue(Files.exists(dir.resolve("ckpt").resolve("best.zip")));
    }

    @Test
    void aMissingDataFolderIsAUsageError() {
        assertEquals(TsmCli.EXIT_USAGE, TsmCli.run("spark-train", "-o", dir.toString()));
    }
}
