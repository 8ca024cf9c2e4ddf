package io.github.tsm4j.examples.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.transform.ClipTensors;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.data.transform.TestCrop;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Streaming preprocessing is the data module's test transform (one description of preprocessing). */
class PreprocessingParityTest {

    private static void assertSameAsDataModule(InputSpec pilSpec, int width, int height, long seed) {
        // FramePreprocessor resizes with OpenCV: compare with the data module's named OpenCV method
        InputSpec spec = pilSpec.withResizeMethod(io.github.tsm4j.core.ResizeMethod.OPENCV);
        byte[] rgb = new byte[width * height * 3];
        new Random(seed).nextBytes(rgb);
        float[] stream = new FramePreprocessor(spec).apply(new RgbFrame(0, 0, width, height, rgb));
        List<List<io.github.tsm4j.data.image.RgbFrame>> views = ClipTransform.test(spec, TestCrop.CENTRE)
                .apply(List.of(new io.github.tsm4j.data.image.RgbFrame(width, height, rgb)), new SplittableRandom(0));
        float[] data = new float[ClipTensors.frameLength(spec)];
        ClipTensors.write(views.get(0), spec, data, 0);
        assertArrayEquals(data, stream, 0f, width + "x" + height);
    }

    @Test
    void shrinkingCroppingAndNormalisingMatchExactly() {
        assertSameAsDataModule(InputSpec.imageNet(1).withSize(24, 28), 50, 37, 1);
        assertSameAsDataModule(InputSpec.imageNet(1).withSize(24, 28), 37, 50, 2);
    }

    @Test
    void enlargingMatchesExactly() {
        assertSameAsDataModule(InputSpec.imageNet(1).withSize(32, 40), 20, 16, 3);
    }

    @Test
    void noScalingMatchesExactly() {
        assertSameAsDataModule(InputSpec.imageNet(1).withSize(16, 20), 30, 20, 4);
    }
}
