package io.github.tsm4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ShiftDirection;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;

/** Equality, hash, text and JSON of the four parameter-free layer configurations (their shared base class). */
class TemporalLayerConfigTest {

    private static TemporalShiftLayer shift(int segments, ShiftDirection direction) {
        return new TemporalShiftLayer.Builder().segments(segments).foldDiv(4).direction(direction)
                .dataFormat(CNN2DFormat.NHWC).name("layer1.0.shift").build();
    }

    @Test
    void equalSettingsAreEqualWithEqualHashesAndAnySettingOrTheNameMakesADifference() {
        assertEquals(shift(8, ShiftDirection.BIDIRECTIONAL), shift(8, ShiftDirection.BIDIRECTIONAL));
        assertEquals(shift(8, ShiftDirection.BIDIRECTIONAL).hashCode(), shift(8, ShiftDirection.BIDIRECTIONAL).hashCode());
        assertNotEquals(shift(8, ShiftDirection.BIDIRECTIONAL), shift(4, ShiftDirection.BIDIRECTIONAL));
        assertNotEquals(shift(8, ShiftDirection.BIDIRECTIONAL), shift(8, ShiftDirection.UNIDIRECTIONAL));
        assertNotEquals(shift(8, ShiftDirection.BIDIRECTIONAL),
                new TemporalShiftLayer.Builder().segments(8).foldDiv(4).dataFormat(CNN2DFormat.NHWC).name("other")
                        .build());
        assertNotEquals(new TemporalShiftLayer.Builder().segments(8).build(), new TemporalShiftLayer.Builder()
                .segments(8).kernel(io.github.tsm4j.core.TemporalShift.Kernel.VIEWS).build());
        assertNotEquals(new TemporalShiftLayer.Builder().segments(8).build(), new TemporalShiftLayer.Builder()
                .segments(8).shiftThreads(2).build());
        // same settings, different layer types: never equal
        assertNotEquals(new TemporalPoolLayer.Builder().segments(8).build(),
                new SegmentConsensusLayer.Builder().segments(8).build());
        assertNotEquals(new OnlineShiftLayer.Builder().foldDiv(8).build(), new OnlineShiftLayer.Builder().foldDiv(4)
                .build());
        assertNotEquals(new SegmentConsensusLayer.Builder().segments(8).mode(ConsensusMode.MAX).build(),
                new SegmentConsensusLayer.Builder().segments(8).build());
    }

    @Test
    void textNamesTheTypeTheNameAndEverySettingInOrder() {
        assertEquals("TemporalShiftLayer(name=layer1.0.shift, segments=8, foldDiv=4, direction=BIDIRECTIONAL, "
                + "dataFormat=NHWC, kernel=HOST, shiftThreads=1)", shift(8, ShiftDirection.BIDIRECTIONAL).toString());
        assertEquals("OnlineShiftLayer(name=s, foldDiv=8, dataFormat=NCHW)",
                new OnlineShiftLayer.Builder().name("s").build().toString());
        assertEquals("TemporalPoolLayer(name=layer2.tpool, segments=8, dataFormat=NCHW)",
                new TemporalPoolLayer.Builder().segments(8).name("layer2.tpool").build().toString());
        assertEquals("SegmentConsensusLayer(name=null, segments=4, mode=AVG)",
                new SegmentConsensusLayer.Builder().segments(4).build().toString());
    }

    @Test
    void everyConfigurationSurvivesDl4jsJsonRoundTrip() {
        List<Layer> layers = List.of(shift(8, ShiftDirection.UNIDIRECTIONAL),
                new OnlineShiftLayer.Builder().foldDiv(4).dataFormat(CNN2DFormat.NHWC).name("o").build(),
                new TemporalPoolLayer.Builder().segments(6).dataFormat(CNN2DFormat.NHWC).name("p").build(),
                new SegmentConsensusLayer.Builder().segments(3).mode(ConsensusMode.MAX).name("c").build());
        for (Layer layer : layers) {
            NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().layer(layer).build();
            String json = conf.toJson();
            Layer restored = NeuralNetConfiguration.fromJson(json).getLayer();
            assertEquals(layer, restored, json);
            assertEquals(layer.toString(), restored.toString());
        }
    }
}
