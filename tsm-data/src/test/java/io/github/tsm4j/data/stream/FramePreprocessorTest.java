package io.github.tsm4j.data.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.image.ImageOps;
import io.github.tsm4j.data.image.RgbFrame;
import org.junit.jupiter.api.Test;

class FramePreprocessorTest {

    @Test
    void shortSideGoesToTheScaleSizeLikeTorchvisionResize() {
        assertArrayEquals(new int[] {341, 256}, ImageOps.scaledSize(640, 480, 256));
        assertArrayEquals(new int[] {256, 455}, ImageOps.scaledSize(720, 1280, 256));
        assertArrayEquals(new int[] {256, 256}, ImageOps.scaledSize(100, 100, 256));
    }

    @Test
    void solidColourNormalisesToTheSameValueEverywhere() {
        InputSpec spec = InputSpec.imageNet(1).withSize(8, 10);
        FramePreprocessor p = new FramePreprocessor(spec);
        byte[] rgb = new byte[40 * 30 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) 200;
            rgb[i + 1] = (byte) 100;
            rgb[i + 2] = (byte) 0;
        }
        float[] out = p.apply(new RgbFrame(40, 30, rgb));
        assertEquals(3 * 8 * 8, out.length);
        float[] expected = {(200 / 255f - 0.485f) / 0.229f, (100 / 255f - 0.456f) / 0.224f, (0 - 0.406f) / 0.225f};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 64; i++) {
                assertEquals(expected[c], out[c * 64 + i], 1e-5f, "channel " + c + " pixel " + i);
            }
        }
    }

    @Test
    void centreCropTakesTheMiddleWithoutScalingWhenTheShortSideFits() {
        // 6x4 frame, scale 4 (no resize), crop 2: rows 1..2, columns 2..3 (offsets round((6-2)/2)=2, round(1)=1)
        InputSpec spec = new InputSpec(1, 2, 4, java.util.List.of(0.0, 0.0, 0.0), java.util.List.of(1.0, 1.0, 1.0));
        byte[] rgb = new byte[6 * 4 * 3];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                rgb[(y * 6 + x) * 3] = (byte) (10 * y + x); // red = 10·row + column
            }
        }
        float[] out = new FramePreprocessor(spec).apply(new RgbFrame(6, 4, rgb));
        assertArrayEquals(new float[] {12 / 255f, 13 / 255f, 22 / 255f, 23 / 255f},
                java.util.Arrays.copyOf(out, 4), 1e-7f);
    }

    @Test
    void veryWideFrameScalesItsShortSide() {
        FramePreprocessor p = new FramePreprocessor(InputSpec.imageNet(1).withSize(8, 8));
        assertEquals(3 * 64, p.apply(new RgbFrame(100, 4, new byte[100 * 4 * 3])).length);
    }
}
