package io.github.tsm4j.data.transform;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.image.RgbFrame;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Normalises RGB frames into float32 NCHW: value {@code (v / 255 − mean[c]) / std[c]} with the
 * {@link InputSpec}'s mean and std, frames one after another ({@code [F, 3, H, W]}). Computed in float32
 * in the official pipeline's order ({@code float(v) / 255}, minus {@code float(mean)}, divided by
 * {@code float(std)}), so the values are bit-identical to PyTorch's ({@code OfficialPipelineParityTest}).
 */
public final class ClipTensors {
    private ClipTensors() {}

    /**
     * Writes frames into a float array in NCHW order.
     *
     * @param frames square frames, all {@code cropSize} or all {@code scaleSize} on a side (the
     *     full-resolution test crops)
     * @param spec normalisation and size
     * @param dest destination
     * @param offset first element written
     * @return the offset after the last element written
     */
    public static int write(List<RgbFrame> frames, InputSpec spec, float[] dest, int offset) {
        float[][] lut = lookup(spec);
        int o = offset;
        int side = frames.isEmpty() ? spec.cropSize() : frames.get(0).width();
        if (side != spec.cropSize() && side != spec.scaleSize()) {
            side = spec.cropSize();
        }
        int plane = side * side;
        for (RgbFrame f : frames) {
            if (f.width() != side || f.height() != side) {
                throw new IllegalArgumentException("frame is " + f.width() + "x" + f.height() + ", expected cropSize "
                        + spec.cropSize() + "x" + spec.cropSize() + (spec.scaleSize() == spec.cropSize() ? ""
                        : " or (full resolution) scaleSize " + spec.scaleSize() + "x" + spec.scaleSize())
                        + (side == spec.cropSize() ? "" : " like the clip's first frame"));
            }
            byte[] p = f.pixels();
            for (int c = 0; c < 3; c++) {
                float[] t = lut[c];
                int base = o + c * plane;
                for (int i = 0, s = c; i < plane; i++, s += 3) {
                    dest[base + i] = t[p[s] & 0xFF];
                }
            }
            o += 3 * plane;
        }
        return o;
    }

    /**
     * Views of a clip as one tensor.
     *
     * @param views views (each a list of frames), as {@link ClipTransform#apply} returns them
     * @param spec normalisation and size
     * @return {@code [V·F, 3, S, S]} float32, view after view, S = the frames' side (cropSize or scaleSize)
     */
    public static INDArray toTensor(List<List<RgbFrame>> views, InputSpec spec) {
        int frames = 0;
        for (List<RgbFrame> v : views) {
            frames += v.size();
        }
        int side = frames == 0 ? spec.cropSize() : views.get(0).get(0).width();
        float[] data = new float[frames * 3 * side * side];
        int o = 0;
        for (List<RgbFrame> v : views) {
            o = write(v, spec, data, o);
        }
        return Nd4j.create(data, new long[] {frames, 3, side, side}, DataType.FLOAT);
    }

    /**
     * Elements of one normalised frame.
     *
     * @param spec the spec
     * @return {@code 3 · cropSize²}
     */
    public static int frameLength(InputSpec spec) {
        return 3 * spec.cropSize() * spec.cropSize();
    }

    /**
     * Elements of one normalised frame of a given side.
     *
     * @param side frame side (cropSize, or scaleSize for full-resolution crops)
     * @return {@code 3 · side²}
     */
    public static int frameLength(int side) {
        return 3 * side * side;
    }

    private static float[][] lookup(InputSpec spec) {
        float[][] lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            double m = spec.mean().get(c);
            double s = spec.std().get(c);
            float mf = (float) m;
            float sf = (float) s;
            for (int v = 0; v < 256; v++) {
                // float32 steps in PyTorch's order (ToTorchFormatTensor: float().div(255); GroupNormalize:
                // sub_(mean).div_(std)): bit-identical to the official pipeline's tensors
                lut[c][v] = ((float) v / 255f - mf) / sf;
            }
        }
        return lut;
    }
}
