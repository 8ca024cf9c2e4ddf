package io.github.tsm4j.examples.stream;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.github.tsm4j.core.InputSpec;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * One frame to one network input, as the official online demo prepares it: scale the short side to
 * {@link InputSpec#scaleSize()} (long side {@code int(scale · long / short)}, as torchvision's
 * {@code Resize(int)}), centre-crop {@link InputSpec#cropSize()} (offsets rounded half to even, as
 * Python's {@code round}), divide by 255, subtract the mean and divide by the std per channel.
 *
 * <p>Output layout: {@code [3, crop, crop]} (CHW, R, G, B planes) as a flat float array, ready for a
 * {@code [1, 3, crop, crop]} INDArray. Scaling uses OpenCV: area averaging when shrinking (close to
 * PIL's antialiased bilinear), bilinear when enlarging. Not thread-safe: one instance per decoder
 * thread (it reuses its native buffers).
 */
public final class FramePreprocessor {

    private final int crop;
    private final int scale;
    private final float[] lut = new float[3 * 256];

    private int srcWidth = -1;
    private int srcHeight = -1;
    private BytePointer srcPixels;
    private Mat src;
    private Mat scaled;
    private int scaledWidth;
    private int scaledHeight;
    private byte[] row;

    /**
     * @param spec the model's input description
     */
    public FramePreprocessor(InputSpec spec) {
        this.crop = spec.cropSize();
        this.scale = spec.scaleSize();
        List<Double> m = spec.mean();
        List<Double> s = spec.std();
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                // in double, rounded once: bit-identical to the data module's ClipTensors
                lut[c * 256 + v] = (float) ((v / 255.0 - m.get(c)) / s.get(c));
            }
        }
    }

    /**
     * Side of the square output.
     *
     * @return crop size in pixels
     */
    public int cropSize() {
        return crop;
    }

    /**
     * Scales, crops and normalises one frame.
     *
     * @param frame an RGB frame of any size
     * @return {@code 3 · crop · crop} floats, CHW
     */
    public float[] apply(RgbFrame frame) {
        prepare(frame.width(), frame.height());
        srcPixels.put(frame.rgb(), 0, frame.rgb().length);
        boolean shrink = scaledWidth < srcWidth || scaledHeight < srcHeight;
        resize(src, scaled, new Size(scaledWidth, scaledHeight), 0, 0, shrink ? INTER_AREA : INTER_LINEAR);
        int top = (int) Math.rint((scaledHeight - crop) / 2.0);
        int left = (int) Math.rint((scaledWidth - crop) / 2.0);
        float[] out = new float[3 * crop * crop];
        int plane = crop * crop;
        BytePointer data = scaled.data();
        long stride = scaled.step();
        for (int y = 0; y < crop; y++) {
            data.position((top + y) * stride + left * 3L).get(row, 0, crop * 3);
            int base = y * crop;
            for (int x = 0; x < crop; x++) {
                out[base + x] = lut[row[3 * x] & 0xff];
                out[plane + base + x] = lut[256 + (row[3 * x + 1] & 0xff)];
                out[2 * plane + base + x] = lut[512 + (row[3 * x + 2] & 0xff)];
            }
        }
        data.position(0);
        return out;
    }

    /**
     * The scaled size for a frame, short side = scale size.
     *
     * @param width frame width
     * @param height frame height
     * @param scale target short side
     * @return {@code {scaledWidth, scaledHeight}}
     */
    static int[] scaledSize(int width, int height, int scale) {
        if (width <= height) {
            return new int[] {scale, (int) ((long) scale * height / width)};
        }
        return new int[] {(int) ((long) scale * width / height), scale};
    }

    private void prepare(int width, int height) {
        if (width == srcWidth && height == srcHeight) {
            return;
        }
        srcWidth = width;
        srcHeight = height;
        srcPixels = new BytePointer((long) width * height * 3);
        src = new Mat(height, width, CV_8UC3, srcPixels);
        int[] size = scaledSize(width, height, scale);
        scaledWidth = size[0];
        scaledHeight = size[1];
        if (scaledWidth < crop || scaledHeight < crop) {
            throw new IllegalArgumentException("frame " + width + "x" + height + " scaled to " + scaledWidth + "x"
                    + scaledHeight + " is smaller than the crop " + crop);
        }
        scaled = new Mat(scaledHeight, scaledWidth, CV_8UC3);
        row = new byte[crop * 3];
    }
}
