package io.github.tsm4j.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.engine.ClipEngine;
import io.github.tsm4j.models.engine.EngineKind;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every backbone and placement tsm-models builds, exported offline and run by ONNX Runtime (full graph
 * optimisation): the logits equal tsm4j's (double precision reference) within 1e-5 of the largest logit.
 */
class OnnxExportParityTest {

    private static final int T = 4;
    private static final int SIZE = 32;
    private static final int K = 5;

    private static TsmConfig.Builder tiny(Backbone backbone) {
        return TsmConfig.builder(backbone, K).segments(T).inputSize(SIZE, SIZE)
                .baseWidth(backbone.isResNet() ? 8 : TsmConfig.DEFAULT_BASE_WIDTH);
    }

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("R18 residual", tiny(Backbone.RESNET18).build(), OnnxShiftForm.SPLIT_CHANNELS, 17),
                Arguments.of("R18 residual frame-slice", tiny(Backbone.RESNET18).build(), OnnxShiftForm.FRAME_SLICE,
                        17),
                Arguments.of("R18 residual slice-concat", tiny(Backbone.RESNET18).build(), OnnxShiftForm.SLICE_CONCAT,
                        17),
                Arguments.of("R18 width 32 fold 1/2 (every fold cut out)", tiny(Backbone.RESNET18).baseWidth(32)
                        .foldDiv(2).build(), OnnxShiftForm.SPLIT_CHANNELS, 17),
                Arguments.of("R34 in-place width 32 fold 1/2", tiny(Backbone.RESNET34).baseWidth(32).foldDiv(2)
                        .placement(ShiftPlacement.IN_PLACE).build(), OnnxShiftForm.SPLIT_CHANNELS, 17),
                Arguments.of("MobileNetV2 fold 1/2 (cut out from 32 channels)", tiny(Backbone.MOBILENET_V2).foldDiv(2)
                        .build(), OnnxShiftForm.SPLIT_CHANNELS, 17),
                Arguments.of("R34 in-place", tiny(Backbone.RESNET34).placement(ShiftPlacement.IN_PLACE).build(),
                        OnnxShiftForm.SLICE_CONCAT, 17),
                Arguments.of("R50 residual", tiny(Backbone.RESNET50).build(), OnnxShiftForm.SPLIT_CHANNELS, 17),
                Arguments.of("R50 residual slice-concat", tiny(Backbone.RESNET50).build(), OnnxShiftForm.SLICE_CONCAT,
                        17),
                Arguments.of("R50 residual gather", tiny(Backbone.RESNET50).build(), OnnxShiftForm.GATHER, 17),
                Arguments.of("R50 in-place NHWC opset 13", tiny(Backbone.RESNET50).placement(ShiftPlacement.IN_PLACE)
                        .dataFormat(CNN2DFormat.NHWC).build(), OnnxShiftForm.SPLIT_CHANNELS, 13),
                Arguments.of("R50 temporal pool opset 21", tiny(Backbone.RESNET50).temporalPool(true).build(),
                        OnnxShiftForm.SPLIT_CHANNELS, 21),
                Arguments.of("R50 temporal pool slice-concat", tiny(Backbone.RESNET50).temporalPool(true).build(),
                        OnnxShiftForm.SLICE_CONCAT, 17),
                Arguments.of("R50 TSN", tiny(Backbone.RESNET50).placement(ShiftPlacement.NONE).build(),
                        OnnxShiftForm.SLICE_CONCAT, 17),
                Arguments.of("R50 unidirectional max consensus opset 18", tiny(Backbone.RESNET50)
                        .direction(ShiftDirection.UNIDIRECTIONAL).consensus(ConsensusMode.MAX).build(),
                        OnnxShiftForm.GATHER, 18),
                Arguments.of("R50 unidirectional split", tiny(Backbone.RESNET50)
                        .direction(ShiftDirection.UNIDIRECTIONAL).build(), OnnxShiftForm.SPLIT_CHANNELS, 17),
                Arguments.of("R50 unidirectional frame-slice", tiny(Backbone.RESNET50)
                        .direction(ShiftDirection.UNIDIRECTIONAL).build(), OnnxShiftForm.FRAME_SLICE, 17),
                Arguments.of("R50 in-place frame-slice dynamic", tiny(Backbone.RESNET50)
                        .placement(ShiftPlacement.IN_PLACE).build(), OnnxShiftForm.FRAME_SLICE, 17),
                Arguments.of("R50 one segment", tiny(Backbone.RESNET50).segments(1).build(), OnnxShiftForm.SPLIT_CHANNELS,
                        17),
                Arguments.of("R101 residual (sparse shift)", tiny(Backbone.RESNET101).build(),
                        OnnxShiftForm.SPLIT_CHANNELS, 17),
                Arguments.of("R152 residual (sparse shift)", tiny(Backbone.RESNET152).build(),
                        OnnxShiftForm.SPLIT_CHANNELS, 17),
                Arguments.of("MobileNetV2", tiny(Backbone.MOBILENET_V2).build(), OnnxShiftForm.SPLIT_CHANNELS, 17),
                Arguments.of("MobileNetV2 frame-slice", tiny(Backbone.MOBILENET_V2).build(),
                        OnnxShiftForm.FRAME_SLICE, 17),
                Arguments.of("MobileNetV2 slice-concat", tiny(Backbone.MOBILENET_V2).build(),
                        OnnxShiftForm.SLICE_CONCAT, 17),
                Arguments.of("MobileNetV2 gather identity consensus", tiny(Backbone.MOBILENET_V2)
                        .consensus(ConsensusMode.IDENTITY).build(), OnnxShiftForm.GATHER, 17));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void ortLogitsEqualTsm4j(String name, TsmConfig config, OnnxShiftForm form, int opset) {
        TsmModel model = OnnxTestModels.model(config, 3);
        Nd4j.getRandom().setSeed(7);
        int videos = 2;
        int t = config.segments();
        INDArray clips = Nd4j.randn(DataType.DOUBLE, videos * t, 3, SIZE, SIZE);
        double[][] expected = model.logits(clips).toDoubleMatrix();
        OnnxExportOptions options = OnnxExportOptions.offline().withShiftForm(form).withOpset(opset);
        try (ClipEngine ort = OrtEngines.offline(model, options, 1)) {
            assertEquals(EngineKind.ONNX_RUNTIME, ort.kind());
            assertEquals(t, ort.segments());
            assertEquals(model.labels(), ort.labels());
            float[][] actual = ort.logits(clips.castTo(DataType.FLOAT));
            assertEquals(expected.length, actual.length);
            assertEquals(expected[0].length, actual[0].length);
            double err = OnnxTestModels.relativeError(expected, actual);
            assertTrue(err < 1e-5, name + ": relative error " + err);
            // N·T is dynamic: one clip
            INDArray one = clips.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, t));
            float[][] single = ort.logits(one.castTo(DataType.FLOAT));
            assertTrue(OnnxTestModels.relativeError(new double[][] {expected[0]}, new float[][] {single[0]}) < 1e-5);
            // another frame size runs on the dynamic-size export (full-resolution protocol)
            INDArray larger = Nd4j.randn(DataType.DOUBLE, t, 3, SIZE + 16, SIZE + 16);
            double[][] expectedLarger = model.graph().output(java.util.List.of(
                    io.github.tsm4j.models.TsmNetworks.CONSENSUS), false, new INDArray[] {larger}, null)[0]
                    .toDoubleMatrix();
            double errLarger = OnnxTestModels.relativeError(expectedLarger, ort.logits(larger.castTo(DataType.FLOAT)));
            assertTrue(errLarger < 1e-5, name + " at " + (SIZE + 16) + " px: relative error " + errLarger);
        }
    }
}
