package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;

class TsmConfigTest {

    private static String error(TsmConfig.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void defaultsAreThePapersTsmResNet50() {
        TsmConfig c = TsmConfig.builder(Backbone.RESNET50, 174).build();
        assertEquals(InputSpec.imageNet(8), c.input());
        assertEquals(8, c.segments());
        assertEquals(ShiftPlacement.RESIDUAL, c.placement());
        assertEquals(8, c.foldDiv());
        assertEquals(ShiftDirection.BIDIRECTIONAL, c.direction());
        assertFalse(c.temporalPool());
        assertEquals(0.5, c.dropout());
        assertEquals(ConsensusMode.AVG, c.consensus());
        assertEquals(CNN2DFormat.NCHW, c.dataFormat());
        assertEquals(64, c.baseWidth());
        assertTrue(c.shifted());
        assertEquals(8, c.consensusSegments());
        assertEquals(4, c.toBuilder().temporalPool(true).build().consensusSegments());
    }

    @Test
    void invalidValuesAreRejectedWithTheFieldAndValue() {
        assertEquals("TsmConfig.numClasses must be >= 1, found 0", error(TsmConfig.builder(Backbone.RESNET18, 0)));
        assertEquals("TsmConfig.dropout must be in [0, 1), found 1.0",
                error(TsmConfig.builder(Backbone.RESNET18, 2).dropout(1.0)));
        assertEquals("TsmConfig.foldDiv must be in [2, 64] (the smallest shifted channel count of RESNET50), found 1",
                error(TsmConfig.builder(Backbone.RESNET50, 2).foldDiv(1)));
        assertEquals("TsmConfig.foldDiv must be in [2, 24] (the smallest shifted channel count of MOBILENET_V2), "
                + "found 32", error(TsmConfig.builder(Backbone.MOBILENET_V2, 2).foldDiv(32)));
        assertEquals("TsmConfig.placement IN_PLACE is defined for ResNet backbones only, found backbone MOBILENET_V2",
                error(TsmConfig.builder(Backbone.MOBILENET_V2, 2).placement(ShiftPlacement.IN_PLACE)));
        assertEquals("TsmConfig.temporalPool is defined for ResNet backbones only, found backbone MOBILENET_V2",
                error(TsmConfig.builder(Backbone.MOBILENET_V2, 2).temporalPool(true)));
        assertEquals("TsmConfig.temporalPool needs an even number of segments >= 2, found segments = 3",
                error(TsmConfig.builder(Backbone.RESNET50, 2).segments(3).temporalPool(true)));
        assertEquals("TsmConfig.baseWidth applies to ResNet backbones only; MOBILENET_V2 needs 64, found 16",
                error(TsmConfig.builder(Backbone.MOBILENET_V2, 2).baseWidth(16)));
        assertEquals("TsmConfig.backbone must not be null", error(TsmConfig.builder(null, 2)));
        assertEquals("InputSpec.segments must be >= 1, found 0",
                assertThrows(IllegalArgumentException.class,
                        () -> TsmConfig.builder(Backbone.RESNET50, 2).segments(0)).getMessage());
    }

    @Test
    void backboneNamesResolveAndUnknownNamesAreListed() {
        assertEquals(Backbone.RESNET50, Backbone.fromName("resnet50"));
        assertEquals(Backbone.MOBILENET_V2, Backbone.fromName("mobilenetv2"));
        assertEquals(Backbone.MOBILENET_V2, Backbone.fromName("MobileNet_V2"));
        assertEquals(Backbone.RESNET101, Backbone.fromName("RESNET101"));
        assertEquals("Unknown backbone 'resnet51', expected one of resnet18, resnet34, resnet50, resnet101, "
                + "resnet152, mobilenetv2",
                assertThrows(IllegalArgumentException.class, () -> Backbone.fromName("resnet51")).getMessage());
    }

    @Test
    void jsonRoundTripGivesAnEqualConfig() throws Exception {
        TsmConfig c = TsmConfig.builder(Backbone.RESNET101, 27).segments(16).inputSize(112, 128)
                .placement(ShiftPlacement.IN_PLACE).foldDiv(4).direction(ShiftDirection.UNIDIRECTIONAL)
                .temporalPool(true).dropout(0.25).consensus(ConsensusMode.MAX).dataFormat(CNN2DFormat.NHWC)
                .baseWidth(32).build();
        ObjectMapper json = new ObjectMapper();
        assertEquals(c, json.readValue(json.writeValueAsString(c), TsmConfig.class));
    }
}
