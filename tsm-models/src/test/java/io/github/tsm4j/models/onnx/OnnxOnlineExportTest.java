package io.github.tsm4j.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmStreamingModel;
import io.github.tsm4j.models.engine.EngineKind;
import io.github.tsm4j.models.engine.FrameEngine;
import java.nio.file.Path;
import java.util.List;
import onnx.Onnx;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The online export streamed frame by frame by ONNX Runtime, caches carried between calls, equals
 * {@link TsmStreamingModel} (double precision reference) within 1e-5 of the largest logit, for two streams, across a
 * {@code reset} of one of them.
 */
class OnnxOnlineExportTest {

    @org.junit.jupiter.api.io.TempDir
    Path dir;

    private static final int SIZE = 32;
    private static final int K = 5;
    private static final int FRAMES = 5;

    @ParameterizedTest
    @CsvSource({"RESNET50, 8", "MOBILENET_V2, 8", "MOBILENET_V2, 2"})
    void streamedOrtEqualsStreamingModel(Backbone backbone, int foldDiv) throws java.io.IOException {
        TsmConfig config = TsmConfig.builder(backbone, K).segments(4).inputSize(SIZE, SIZE)
                .baseWidth(backbone.isResNet() ? 8 : TsmConfig.DEFAULT_BASE_WIDTH).foldDiv(foldDiv)
                .direction(ShiftDirection.UNIDIRECTIONAL).build();
        TsmModel model = OnnxTestModels.model(config, 4);
        int expectedCaches = backbone == Backbone.MOBILENET_V2 ? 10 : 16;

        Onnx.ModelProto proto = OnnxExporter.toProto(model, OnnxExportOptions.online());
        List<String> inputs = proto.getGraph().getInputList().stream().map(Onnx.ValueInfoProto::getName).toList();
        assertEquals(1 + expectedCaches, inputs.size());
        assertEquals("input", inputs.get(0));
        assertEquals("shift_cache.0", inputs.get(1));
        assertEquals(1 + expectedCaches, proto.getGraph().getOutputCount());

        TsmStreamingModel reference = TsmStreamingModel.of(model, 2);
        assertEquals(expectedCaches, reference.shiftLayers());
        // a file with a dynamic stream count and the caches cut out of the activations by Slice/Concat
        Path file = dir.resolve("online.onnx");
        OnnxExporter.write(model, OnnxExportOptions.online().withShiftForm(OnnxShiftForm.FRAME_SLICE), file, false);
        try (FrameEngine ort = OrtEngines.online(model, 2, 1); FrameEngine fromFile = OrtEngines.online(file, 2, 1)) {
            assertEquals(EngineKind.ONNX_RUNTIME, ort.kind());
            assertEquals(2, ort.streams());
            assertEquals(expectedCaches, ((OrtFrameEngine) ort).caches());
            Nd4j.getRandom().setSeed(9);
            float[][] actual = new float[2][K];
            double worst = 0;
            for (int f = 0; f < FRAMES; f++) {
                if (f == 3) {
                    // stream 1 starts a new video; stream 0 goes on
                    reference.reset(1);
                    ort.reset(1);
                    fromFile.reset(1);
                }
                INDArray frames = Nd4j.randn(DataType.DOUBLE, 2, 3, SIZE, SIZE);
                double[][] expected = reference.step(frames).toDoubleMatrix();
                ort.step(frames.castTo(DataType.FLOAT), actual);
                double err = OnnxTestModels.relativeError(expected, actual);
                worst = Math.max(worst, err);
                assertTrue(err < 1e-5, backbone + " frame " + f + ": relative error " + err);
                fromFile.step(frames.castTo(DataType.FLOAT), actual);
                double errFile = OnnxTestModels.relativeError(expected, actual);
                assertTrue(errFile < 1e-5, backbone + " frame " + f + " (file): relative error " + errFile);
            }
            // the caches matter: restarting every stream changes the next logits
            INDArray frames = Nd4j.randn(DataType.DOUBLE, 2, 3, SIZE, SIZE);
            float[][] carried = new float[2][K];
            ort.step(frames.castTo(DataType.FLOAT), carried);
            double[][] expected = reference.step(frames).toDoubleMatrix();
            assertTrue(OnnxTestModels.relativeError(expected, carried) < 1e-5);
            reference.reset();
            ort.reset();
            float[][] fresh = new float[2][K];
            ort.step(frames.castTo(DataType.FLOAT), fresh);
            assertTrue(OnnxTestModels.relativeError(reference.step(frames).toDoubleMatrix(), fresh) < 1e-5);
            assertTrue(Math.abs(fresh[0][0] - carried[0][0]) > 1e-4, "caches had no effect");
        }
    }
}
