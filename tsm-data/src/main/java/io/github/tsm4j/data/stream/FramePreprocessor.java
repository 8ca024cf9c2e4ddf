package io.github.tsm4j.data.stream;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.transform.ClipTensors;
import io.github.tsm4j.data.transform.ClipTransform;
import java.util.List;

/**
 * One frame to one network input, by the clip pipeline itself: {@link ClipTransform#test} with one centre crop
 * (scale the short side to {@code scaleSize}, crop {@code cropSize} at the centre, as the official online demo's
 * {@code GroupScale} + {@code GroupCenterCrop}) and {@link ClipTensors} normalisation. A streamed frame therefore
 * gets exactly the tensor the offline path gives the same picture.
 *
 * <p>Output: {@code [3, S, S]} CHW floats. Thread-safe (stateless apart from the spec).
 */
public final class FramePreprocessor {
    private final InputSpec spec;
    private final ClipTransform transform;

    /** @param spec the model's input description */
    public FramePreprocessor(InputSpec spec) {
        this.spec = spec;
        this.transform = ClipTransform.test(spec, TestCrop.CENTRE);
    }

    /** @return side S of the square output */
    public int cropSize() {
        return spec.cropSize();
    }

    /**
     * @param frame an RGB frame of any size whose short side scaled to {@code scaleSize} still holds the crop
     * @return {@code 3 · S · S} floats, CHW
     */
    public float[] apply(RgbFrame frame) {
        List<RgbFrame> view = transform.apply(List.of(frame), null).get(0);
        float[] out = new float[ClipTensors.frameLength(spec)];
        ClipTensors.write(view, spec, out, 0);
        return out;
    }
}
