package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.engine.ClipEngine;
import io.github.tsm4j.models.engine.FrameEngine;
import io.github.tsm4j.models.onnx.OrtEngines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tsm export} on a tiny model: offline and online files that ONNX Runtime runs, --check, --force. */
class ExportCommandTest {

    @TempDir
    static Path dir;
    static Path model;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void tinyModel() throws Exception {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 3)
                .input(InputSpec.imageNet(4).withSize(32, 32))
                .baseWidth(8)
                .direction(ShiftDirection.UNIDIRECTIONAL)
                .build();
        model = dir.resolve("tiny.zip");
        TsmModel.create(config, List.of("a", "b", "c")).save(model, false);
    }

    static Run tsm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TsmCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void exportsOfflineAndOnlineFilesThatOnnxRuntimeRuns() throws Exception {
        Path offline = dir.resolve("tiny.onnx");
        Run r = tsm("export", model.toString(), "--format", "onnx", "--out", offline.toString(), "--check");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("wrote " + offline + " ("), r.out());
        assertTrue(r.out().contains("RESNET18 offline, opset 17, 3 classes, input [N*4, 3, 32, 32]"), r.out());
        assertTrue(r.out().contains("check: ONNX Runtime offline logits equal tsm4j's within "), r.out());
        try (ClipEngine e = OrtEngines.offline(offline, 1)) {
            assertEquals(List.of("a", "b", "c"), e.labels());
            assertEquals(4, e.segments());
        }

        Path online = dir.resolve("tiny_online.onnx");
        Run o = tsm("export", model.toString(), "--format", "onnx", "--online", "--opset", "13", "--out",
                online.toString(), "--check");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().contains("RESNET18 online, opset 13"), o.out());
        assertTrue(o.out().contains("check: ONNX Runtime online (4 frames streamed) logits equal tsm4j's within "),
                o.out());
        try (FrameEngine e = OrtEngines.online(online, 3, 1)) {
            assertEquals(3, e.streams());
        }
    }

    @Test
    void existingFileNeedsForceAndBadOptionsFailWithOneLine() throws Exception {
        Path file = dir.resolve("exists.onnx");
        Files.writeString(file, "keep");
        Run r = tsm("export", model.toString(), "--format", "onnx", "--out", file.toString());
        assertEquals(TsmCli.EXIT_FAILURE, r.exit());
        assertEquals(List.of("tsm export: " + file + " exists; pass --force to replace it"), r.err().lines().toList());
        assertEquals("keep", Files.readString(file));
        assertEquals(0, tsm("export", model.toString(), "--format", "onnx", "--out", file.toString(), "--force")
                .exit());
        assertTrue(Files.size(file) > 1000);

        Run format = tsm("export", model.toString(), "--format", "tflite", "--out", dir.resolve("x").toString());
        assertEquals(List.of("tsm export: --format must be onnx, found 'tflite'"), format.err().lines().toList());
        Run opset = tsm("export", model.toString(), "--format", "onnx", "--opset", "9", "--out",
                dir.resolve("y.onnx").toString());
        assertEquals(List.of("tsm export: OnnxExportOptions.opset must be in [13, 21], found 9"),
                opset.err().lines().toList());
        assertTrue(Files.notExists(dir.resolve("y.onnx")));
    }
}
