package io.github.tsm4j.models.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.models.ShiftPlacement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Layout detection and the renaming of every published key scheme to torchvision module paths (names only). */
class KeyLayoutTest {

    /** Renames keys; the tensors are irrelevant here (null). */
    private static CanonicalStateDict rename(KeyLayout layout, String... keys) {
        Map<String, TorchTensor> sd = new LinkedHashMap<>();
        for (String k : keys) {
            sd.put(k, null);
        }
        assertEquals(layout, KeyLayout.detect(sd.keySet()));
        return CanonicalStateDict.of(layout, sd);
    }

    @Test
    void officialResNetResidualShift() {
        CanonicalStateDict c = rename(KeyLayout.OFFICIAL_TSM, "base_model.conv1.weight", "base_model.bn1.running_var",
                "base_model.layer1.0.conv1.net.weight", "base_model.layer1.0.bn1.weight", "base_model.layer1.0.downsample.0.weight",
                "base_model.layer3.2.conv1.net.weight", "new_fc.weight", "new_fc.bias");
        assertEquals(List.of("conv1.weight", "bn1.running_var", "layer1.0.conv1.weight", "layer1.0.bn1.weight",
                "layer1.0.downsample.0.weight", "layer3.2.conv1.weight", "fc.weight", "fc.bias"), List.copyOf(c.tensors().keySet()));
        assertEquals(Set.of("layer1.0", "layer3.2"), c.residualShifts());
        assertTrue(c.inPlaceShifts().isEmpty());
        assertEquals("base_model.layer1.0.conv1.net.weight", c.originalKeys().get("layer1.0.conv1.weight"));
    }

    @Test
    void officialInPlaceShiftWithTemporalPool() {
        CanonicalStateDict c = rename(KeyLayout.OFFICIAL_TSM, "base_model.conv1.weight", "base_model.layer1.0.net.conv1.weight",
                "base_model.layer2.net.0.net.downsample.1.running_mean", "new_fc.weight");
        assertEquals(List.of("conv1.weight", "layer1.0.conv1.weight", "layer2.0.downsample.1.running_mean", "fc.weight"),
                List.copyOf(c.tensors().keySet()));
        assertEquals(Set.of("layer1.0", "layer2.0"), c.inPlaceShifts());
        assertTrue(c.temporalPool());
    }

    @Test
    void officialFlatMobileNetV2() {
        CanonicalStateDict c = rename(KeyLayout.OFFICIAL_TSM, "base_model.features.0.0.weight", "base_model.features.0.1.bias",
                "base_model.features.1.conv.0.weight", "base_model.features.1.conv.1.weight", "base_model.features.1.conv.3.weight",
                "base_model.features.1.conv.4.running_var", "base_model.features.3.conv.0.net.weight",
                "base_model.features.3.conv.1.weight", "base_model.features.3.conv.3.weight", "base_model.features.3.conv.4.bias",
                "base_model.features.3.conv.6.weight", "base_model.features.3.conv.7.running_mean",
                "base_model.features.18.0.weight", "new_fc.weight");
        assertEquals(List.of("features.0.0.weight", "features.0.1.bias", "features.1.conv.0.0.weight", "features.1.conv.0.1.weight",
                "features.1.conv.1.weight", "features.1.conv.2.running_var", "features.3.conv.0.0.weight",
                "features.3.conv.0.1.weight", "features.3.conv.1.0.weight", "features.3.conv.1.1.bias", "features.3.conv.2.weight",
                "features.3.conv.3.running_mean", "features.18.0.weight", "fc.weight"), List.copyOf(c.tensors().keySet()));
        assertEquals(Set.of("features.3"), c.residualShifts());
    }

    @Test
    void onlineDemoAndTorchvisionMobileNetV2() {
        CanonicalStateDict online = rename(KeyLayout.ONLINE_DEMO, "features.0.0.weight", "features.2.conv.0.weight",
                "features.2.conv.6.weight", "features.2.conv.7.bias", "classifier.weight");
        assertEquals(List.of("features.0.0.weight", "features.2.conv.0.0.weight", "features.2.conv.2.weight",
                "features.2.conv.3.bias", "fc.weight"), List.copyOf(online.tensors().keySet()));
        CanonicalStateDict tv = rename(KeyLayout.TORCHVISION, "features.0.0.weight", "features.1.conv.0.0.weight",
                "features.2.conv.1.1.running_var", "classifier.1.weight", "classifier.1.bias");
        assertEquals(List.of("features.0.0.weight", "features.1.conv.0.0.weight", "features.2.conv.1.1.running_var",
                "fc.weight", "fc.bias"), List.copyOf(tv.tensors().keySet()));
    }

    @Test
    void mmaction2ConvModules() {
        CanonicalStateDict c = rename(KeyLayout.MMACTION2, "backbone.conv1.conv.weight", "backbone.conv1.bn.running_var",
                "backbone.layer1.0.conv1.conv.net.weight", "backbone.layer1.0.conv1.bn.weight", "backbone.layer1.0.conv3.conv.weight",
                "backbone.layer2.0.downsample.conv.weight", "backbone.layer2.0.downsample.bn.bias", "cls_head.fc_cls.weight");
        assertEquals(List.of("conv1.weight", "bn1.running_var", "layer1.0.conv1.weight", "layer1.0.bn1.weight",
                "layer1.0.conv3.weight", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.bias", "fc.weight"),
                List.copyOf(c.tensors().keySet()));
        assertEquals(Set.of("layer1.0"), c.residualShifts());
    }

    @Test
    void aNetWrapperAnywhereElseIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rename(KeyLayout.OFFICIAL_TSM, "base_model.conv1.net.weight", "new_fc.weight"));
        assertEquals("checkpoint key 'base_model.conv1.net.weight' wraps 'conv1' in a .net (shift/pool) module, "
                + "which no TSM variant does", e.getMessage());
    }

    @Test
    void fileNameHints() {
        CheckpointHint h = CheckpointHint.parse("TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e50.pth").orElseThrow();
        assertEquals(new CheckpointHint("kinetics", "resnet50", Optional.of(8), ShiftPlacement.RESIDUAL, false, 8), h);
        CheckpointHint d = CheckpointHint.parse("TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e100_dense_nl.pth").orElseThrow();
        assertEquals(8, d.segments());
        CheckpointHint t = CheckpointHint.parse("TSM_something_RGB_resnet50_shift8_block_tpool_avg_segment8_e45.pth").orElseThrow();
        assertEquals(ShiftPlacement.IN_PLACE, t.placement());
        assertTrue(t.temporalPool());
        CheckpointHint tsn = CheckpointHint.parse("TSN_kinetics_RGB_resnet50_avg_segment5_e50.pth").orElseThrow();
        assertEquals(ShiftPlacement.NONE, tsn.placement());
        assertEquals(Optional.empty(), tsn.foldDiv());
        assertEquals(Optional.empty(), CheckpointHint.parse("mobilenetv2_jester_online.pth.tar"));
    }
}
