package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmStreamingModel;
import io.github.tsm4j.models.engine.ClipEngine;
import io.github.tsm4j.models.engine.FrameEngine;
import io.github.tsm4j.models.onnx.OnnxExportOptions;
import io.github.tsm4j.models.onnx.OnnxExporter;
import io.github.tsm4j.models.onnx.OnnxModelKind;
import io.github.tsm4j.models.onnx.OnnxShiftForm;
import io.github.tsm4j.models.onnx.OrtEngines;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tsm export MODEL.zip --format onnx --out model.onnx [--online] [--opset N] [--force] [--check]}: writes the
 * model as a standard ONNX graph (docs/export.md) and, with {@code --check}, runs the written file in ONNX Runtime
 * against tsm4j's engine on random input.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Export a tsm4j model to ONNX: the offline network (clips [N*T,3,H,W] -> logits [N,K]) or, with --online, the "
                    + "streaming one (one frame per stream plus every shift cache as an input and an output).",
            "BatchNorm is folded, the shift is written with standard operators; labels, input spec and version go into "
                    + "the metadata. See docs/export.md.",
        },
        footer = {
            "",
            "Examples:",
            "  tsm export tsm_r50_kinetics.zip --format onnx --out tsm_r50.onnx",
            "  tsm export jester_online.zip --format onnx --online --out jester_online.onnx --check",
        })
public final class ExportCommand implements Callable<Integer> {

    /** Relative error (of the largest logit) above which {@code --check} fails. */
    static final double CHECK_TOLERANCE = 1e-4;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "tsm4j model zip.")
    Path model;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "Export format: onnx.")
    String format;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "File to write.")
    Path out;

    @Option(names = "--online", description = "Export the online (streaming) network with its shift caches.")
    boolean online;

    @Option(names = "--opset", paramLabel = "N", description = "ONNX opset, 13..21. Default: ${DEFAULT-VALUE}.")
    int opset = OnnxExportOptions.DEFAULT_OPSET;

    @Option(names = "--shift-form", paramLabel = "FORM", description = "How the offline shift is written: "
            + "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    OnnxShiftForm shiftForm = OnnxExportOptions.offline().shiftForm();

    @Option(names = "--dynamic-size", description = "Offline: make the frame size a dynamic dimension (any H, W, e.g. "
            + "full-resolution inference) instead of the model's cropSize (which ONNX Runtime optimises better).")
    boolean dynamicSize;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Option(names = "--check", description = "Run the written file in ONNX Runtime and compare its logits with tsm4j's "
            + "on random input (fails above " + CHECK_TOLERANCE + " of the largest logit).")
    boolean check;

    @Override
    public Integer call() throws IOException {
        if (!format.equalsIgnoreCase("onnx")) {
            throw new IllegalArgumentException("--format must be onnx, found '" + format + "'");
        }
        if (!force && out.toFile().exists()) {
            throw new FileAlreadyExistsException(out + " exists; pass --force to replace it");
        }
        TsmModel m = Models.load(model);
        OnnxExportOptions options = new OnnxExportOptions(online ? OnnxModelKind.ONLINE : OnnxModelKind.OFFLINE,
                opset, shiftForm, dynamicSize && !online, 0);
        long bytes;
        try {
            bytes = OnnxExporter.write(m, options, out, force);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(out + " exists; pass --force to replace it");
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s (%.1f MB): %s %s, opset %d, %d classes, input %s%n", out, bytes / 1e6,
                m.config().backbone(), online ? "online" : "offline", opset, m.config().numClasses(),
                online ? "[B, 3, " + m.config().input().cropSize() + ", " + m.config().input().cropSize() + "] + caches"
                        : "[N*" + m.config().segments() + ", 3, " + (dynamicSize ? "H, W]"
                                : m.config().input().cropSize() + ", " + m.config().input().cropSize() + "]"));
        w.flush();
        if (check) {
            double err = online ? checkOnline(m) : checkOffline(m);
            w.printf(Locale.ROOT, "check: ONNX Runtime %s logits equal tsm4j's within %.2e of the largest logit%n",
                    online ? "online (4 frames streamed)" : "offline", err);
            w.flush();
            if (!(err <= CHECK_TOLERANCE)) {
                throw new IllegalStateException("check failed: relative error " + err + " > " + CHECK_TOLERANCE);
            }
        }
        return 0;
    }

    private double checkOffline(TsmModel m) throws IOException {
        int size = m.config().input().cropSize();
        Nd4j.getRandom().setSeed(1);
        INDArray clip = Nd4j.randn(DataType.FLOAT, m.config().segments(), 3, size, size);
        double[][] expected = m.forInference().logits(clip).toDoubleMatrix();
        try (ClipEngine ort = OrtEngines.offline(out, 2)) {
            return relativeError(expected, ort.logits(clip));
        }
    }

    private double checkOnline(TsmModel m) throws IOException {
        int size = m.config().input().cropSize();
        TsmStreamingModel reference = TsmStreamingModel.of(m, 1);
        double worst = 0;
        try (FrameEngine ort = OrtEngines.online(out, 1, 2)) {
            float[][] actual = new float[1][m.config().numClasses()];
            Nd4j.getRandom().setSeed(1);
            for (int f = 0; f < 4; f++) {
                INDArray frame = Nd4j.randn(DataType.FLOAT, 1, 3, size, size);
                double[][] expected = reference.step(frame).toDoubleMatrix();
                ort.step(frame, actual);
                worst = Math.max(worst, relativeError(expected, actual));
            }
        }
        return worst;
    }

    static double relativeError(double[][] expected, float[][] actual) {
        double max = 0;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                max = Math.max(max, Math.abs(expected[i][j]));
                diff = Math.max(diff, Math.abs(expected[i][j] - actual[i][j]));
            }
        }
        return max == 0 ? diff : diff / max;
    }
}
