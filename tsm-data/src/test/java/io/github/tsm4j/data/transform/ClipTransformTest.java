package io.github.tsm4j.data.transform;

import io.github.tsm4j.core.clip.TestCrop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.image.ImageOps;
import io.github.tsm4j.data.image.RgbFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ClipTransformTest {
    /** red = 10·x, green = 10·y, blue = b. */
    static RgbFrame ramp(int w, int h, int b) {
        byte[] p = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                p[i] = (byte) (10 * x);
                p[i + 1] = (byte) (10 * y);
                p[i + 2] = (byte) b;
            }
        }
        return new RgbFrame(w, h, p);
    }

    static final InputSpec SMALL = new InputSpec(2, 2, 4, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD);

    @Test
    void centreCropTakesTheMiddleOfTheScaledFrame() {
        List<List<RgbFrame>> v = ClipTransform.test(SMALL, TestCrop.CENTRE).apply(List.of(ramp(6, 4, 0), ramp(6, 4, 9)), null);
        assertEquals(1, v.size());
        RgbFrame f = v.get(0).get(1);
        assertEquals(2, f.width());
        assertEquals(20, f.get(0, 0, 0)); // x = rint((6 - 2) / 2) = 2
        assertEquals(10, f.get(0, 0, 1)); // y = 1
        assertEquals(9, f.get(0, 0, 2));
    }

    @Test
    void tenCropAlternatesPlainAndMirroredViewsOfFiveCrops() {
        List<List<RgbFrame>> v = ClipTransform.test(SMALL, TestCrop.TEN).apply(List.of(ramp(6, 4, 0)), null);
        assertEquals(10, v.size());
        RgbFrame plain = v.get(0).get(0);   // upper left
        RgbFrame mirror = v.get(1).get(0);
        assertEquals(0, plain.get(0, 0, 0));
        assertEquals(10, plain.get(1, 0, 0));
        assertEquals(10, mirror.get(0, 0, 0));
        assertEquals(0, mirror.get(1, 0, 0));
        RgbFrame upperRight = v.get(2).get(0); // x = 4 * ((6 - 2) // 4) = 4
        assertEquals(40, upperRight.get(0, 0, 0));
    }

    @Test
    void scalesShortSideBeforeCropping() {
        InputSpec spec = new InputSpec(1, 8, 8, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD);
        RgbFrame big = RgbFrame.filled(32, 16, 10, 20, 30);
        List<List<RgbFrame>> v = ClipTransform.test(spec, TestCrop.THREE).apply(List.of(big), null);
        assertEquals(3, v.size());
        assertEquals(8, v.get(2).get(0).width());
        assertArrayEquals(new int[] {16, 8}, ImageOps.scaledSize(32, 16, 8));
        assertArrayEquals(new int[] {8, 14}, ImageOps.scaledSize(9, 16, 8)); // int(8 * 16 / 9) = 14
    }

    @Test
    void trainingAppliesOneRandomCropToEveryFrameOfTheClip() {
        InputSpec spec = new InputSpec(4, 16, 32, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD);
        List<RgbFrame> clip = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            clip.add(ramp(24, 24, 50 * t)); // scaled to 32 px, then cropped
        }
        ClipTransform tr = ClipTransform.train(spec, true);
        for (long seed = 0; seed < 20; seed++) {
            List<RgbFrame> out = tr.apply(clip, new SplittableRandom(seed)).get(0);
            for (int t = 1; t < 4; t++) {
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        assertEquals(out.get(0).get(x, y, 0), out.get(t).get(x, y, 0));
                        assertEquals(out.get(0).get(x, y, 1), out.get(t).get(x, y, 1));
                    }
                }
            }
        }
        List<RgbFrame> a = tr.apply(clip, new SplittableRandom(3)).get(0);
        assertEquals(a, tr.apply(clip, new SplittableRandom(3)).get(0));
    }

    @Test
    void flipIsNeverAppliedWhenThePolicyForbidsIt() {
        InputSpec spec = new InputSpec(1, 4, 4, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD);
        RgbFrame f = ramp(4, 4, 0);
        boolean sawFlip = false;
        for (long seed = 0; seed < 40; seed++) {
            RgbFrame noFlip = ClipTransform.train(spec, false).apply(List.of(f), new SplittableRandom(seed)).get(0).get(0);
            assertEquals(true, noFlip.get(0, 0, 0) <= noFlip.get(3, 0, 0), "seed " + seed);
            RgbFrame maybe = ClipTransform.train(spec, true).apply(List.of(f), new SplittableRandom(seed)).get(0).get(0);
            sawFlip |= maybe.get(0, 0, 0) > maybe.get(3, 0, 0);
        }
        assertEquals(true, sawFlip);
    }

    @Test
    void tensorIsNchwNormalisedWithTheSpec() {
        INDArray t = ClipTensors.toTensor(List.of(List.of(RgbFrame.filled(2, 2, 255, 0, 51), ramp(2, 2, 0))), SMALL);
        assertArrayEquals(new long[] {2, 3, 2, 2}, t.shape());
        assertEquals((1 - 0.485) / 0.229, t.getDouble(0, 0, 1, 1), 1e-6);
        assertEquals((0 - 0.456) / 0.224, t.getDouble(0, 1, 0, 0), 1e-6);
        assertEquals((0.2 - 0.406) / 0.225, t.getDouble(0, 2, 1, 0), 1e-6);
        assertEquals((10 / 255.0 - 0.485) / 0.229, t.getDouble(1, 0, 0, 1), 1e-6); // red = 10·x at x = 1
        assertNotEquals(t.getDouble(1, 1, 0, 0), t.getDouble(1, 1, 1, 0));      // green varies with y
    }

    @Test
    void fullResolutionThreeCropIsGroupFullResSampleWithScaleSizeCrops() {
        InputSpec spec = new InputSpec(1, 8, 12, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD);
        RgbFrame f = ramp(20, 12, 7); // short side already 12: no resize, so the pixels are the ramp's
        ClipTransform t = ClipTransform.test(spec, TestCrop.FULL_RES_THREE);
        assertEquals(12, t.outputSide());
        List<List<RgbFrame>> v = t.apply(List.of(f), null);
        assertEquals(3, v.size());
        // wStep = (20 - 12) // 4 = 2, hStep = 0: left x = 0, right x = 4·2 = 8, centre x = 2·2 = 4
        int[] left = {0, 8, 4};
        for (int i = 0; i < 3; i++) {
            RgbFrame c = v.get(i).get(0);
            assertEquals(12, c.width());
            assertEquals(12, c.height());
            assertEquals(ImageOps.crop(f, left[i], 0, 12, 12), c);
        }
        RgbFrame centre = ClipTransform.test(spec, TestCrop.FULL_RES_CENTRE).apply(List.of(f), null).get(0).get(0);
        assertEquals(ImageOps.crop(f, 4, 0, 12, 12), centre);
        INDArray tensor = ClipTensors.toTensor(v, spec);
        assertArrayEquals(new long[] {3, 3, 12, 12}, tensor.shape());
        assertEquals((80 / 255.0 - 0.485) / 0.229, tensor.getDouble(1, 0, 0, 0), 1e-6); // right crop starts at x = 8
        assertEquals("frame is 8x8, expected cropSize 8x8 or (full resolution) scaleSize 12x12 like the clip's first frame",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> ClipTensors.write(List.of(v.get(0).get(0), RgbFrame.filled(8, 8, 0, 0, 0)), spec,
                                new float[2 * 3 * 144], 0)).getMessage());
    }
}
