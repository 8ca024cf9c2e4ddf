package io.github.tsm4j.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ResizeMethod;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PilResize} against Pillow 9.4's {@code Image.resize(size, BILINEAR)} (scripts/make_resize_fixtures.py). */
class PilResizeTest {

    record Case(RgbFrame in, RgbFrame expected) {}

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        try (InputStream s = PilResizeTest.class.getResourceAsStream("/pil-resize/cases.bin");
                DataInputStream d = new DataInputStream(s)) {
            while (true) {
                int w = d.readInt();
                int h = d.readInt();
                int ow = d.readInt();
                int oh = d.readInt();
                if (w == 0) {
                    return out;
                }
                byte[] in = new byte[w * h * 3];
                d.readFully(in);
                byte[] exp = new byte[ow * oh * 3];
                d.readFully(exp);
                out.add(new Case(new RgbFrame(w, h, in), new RgbFrame(ow, oh, exp)));
            }
        }
    }

    @Test
    void everyGoldenCaseIsByteIdenticalToPillow() throws IOException {
        List<Case> cases = cases();
        assertEquals(23, cases.size());
        for (Case c : cases) {
            RgbFrame got = PilResize.resize(c.in(), c.expected().width(), c.expected().height());
            String what = c.in() + " -> " + c.expected();
            assertArrayEquals(c.expected().pixels(), got.pixels(), what);
            assertArrayEquals(c.expected().pixels(),
                    ImageOps.resize(c.in(), c.expected().width(), c.expected().height(), ResizeMethod.PIL_BILINEAR).pixels(), what);
        }
    }

    @Test
    void shortSideScalingUsesTorchvisionSizesAndPillowPixels() throws IOException {
        // the last five golden cases are torchvision Resize(int) targets
        List<Case> cases = cases();
        int[] sides = {28, 28, 23, 40, 40};
        for (int i = 0; i < sides.length; i++) {
            Case c = cases.get(cases.size() - sides.length + i);
            assertEquals(c.expected(), ImageOps.scaleShortSide(c.in(), sides[i], ResizeMethod.PIL_BILINEAR));
        }
    }

    @Test
    void openCvIsANamedDifferentMethod() throws IOException {
        Case c = cases().get(0); // 45x27 noise -> 20x12: INTER_AREA is not Pillow's triangle filter
        RgbFrame cv = ImageOps.resize(c.in(), 20, 12, ResizeMethod.OPENCV);
        assertNotEquals(c.expected(), cv);
        int max = 0;
        for (int i = 0; i < cv.pixels().length; i++) {
            max = Math.max(max, Math.abs((cv.pixels()[i] & 0xFF) - (c.expected().pixels()[i] & 0xFF)));
        }
        assertTrue(max > 5, "OpenCV and Pillow differ by " + max);
    }

    @Test
    void sameSizeReturnsTheFrameAndBadSizesAreRefused() {
        RgbFrame f = RgbFrame.filled(3, 2, 1, 2, 3);
        assertSame(f, PilResize.resize(f, 3, 2));
        assertEquals("resize target must be positive, found 0x2",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> PilResize.resize(f, 0, 2)).getMessage());
    }
}
