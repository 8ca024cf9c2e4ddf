package io.github.tsm4j.data.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GroupCropsTest {
    private static String str(List<int[]> pairs) {
        return pairs.stream().map(p -> p[0] + "x" + p[1]).collect(Collectors.joining(" "));
    }

    @Test
    void multiScaleSizesFollowTheOfficialScalesSnapAndDistortion() {
        // short side 256: int(256 * {1, .875, .75, .66}) = 256, 224, 192, 168; pairs (w, h) with |i - j| <= 1
        assertEquals("256x256 224x256 256x224 224x224 192x224 224x192 192x192 168x192 192x168 168x168",
                str(GroupCrops.multiScaleSizes(340, 256, 224)));
        // 226 * .875 = 197 -> no snap; 226 -> within 3 of 224 -> 224
        assertEquals("224x224 197x224 224x197 197x197 169x197 197x169 169x169 149x169 169x149 149x149",
                str(GroupCrops.multiScaleSizes(226, 300, 224)));
    }

    @Test
    void thirteenFixedOffsetsInOfficialOrder() {
        // w_step = (340 - 224) // 4 = 29, h_step = (256 - 224) // 4 = 8
        List<int[]> o = GroupCrops.fixedOffsets(true, 340, 256, 224, 224);
        assertEquals(13, o.size());
        assertEquals("0x0 116x0 0x32 116x32 58x16 0x16 116x16 58x32 58x0 29x8 87x8 29x24 87x24", str(o));
        assertEquals(5, GroupCrops.fixedOffsets(false, 340, 256, 224, 224).size());
    }

    @Test
    void centreCropRoundsHalfToEvenAsPython() {
        assertEquals(new CropBox(16, 38, 224, 224), GroupCrops.centre(257, 300, 224, 224)); // 16.5 -> 16
        assertEquals(new CropBox(18, 0, 224, 224), GroupCrops.centre(259, 224, 224, 224)); // 17.5 -> 18
    }

    @Test
    void threeCropsAreLeftRightCentreAtTheMiddleRow() {
        // w_step = (298 - 224) // 4 = 18, h_step = (256 - 224) // 4 = 8
        assertEquals(List.of(new CropBox(0, 16, 224, 224), new CropBox(72, 16, 224, 224), new CropBox(36, 16, 224, 224)),
                GroupCrops.threeCrops(298, 256, 224));
    }
}
