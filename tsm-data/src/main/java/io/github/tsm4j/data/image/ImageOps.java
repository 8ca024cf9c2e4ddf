package io.github.tsm4j.data.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ResizeMethod;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Geometry on {@link RgbFrame}s: resizing with a {@link ResizeMethod} ({@link PilResize}, byte-identical
 * to Pillow's bilinear as the official TSM code uses it, the default; or OpenCV {@code INTER_AREA} when
 * shrinking / {@code INTER_LINEAR} when enlarging), flipping (OpenCV {@code flip}), cropping (row copies).
 */
public final class ImageOps {
    private ImageOps() {}

    /**
     * The size a frame gets when its short side is scaled to {@code shortSide}, with torchvision's
     * {@code Resize(int)} rounding (the long side is truncated: {@code int(size * long / short)}).
     *
     * @param width frame width
     * @param height frame height
     * @param shortSide target short side, at least 1
     * @return {@code {newWidth, newHeight}}
     */
    public static int[] scaledSize(int width, int height, int shortSide) {
        if (shortSide < 1) {
            throw new IllegalArgumentException("shortSide must be >= 1, found " + shortSide);
        }
        if (width <= height) {
            return new int[] {shortSide, (int) ((long) shortSide * height / width)};
        }
        return new int[] {(int) ((long) shortSide * width / height), shortSide};
    }

    /**
     * Scales a frame so that its short side is {@code shortSide} (torchvision {@code Resize(int)}).
     *
     * @param frame the frame
     * @param shortSide target short side
     * @return the same frame if already at that size, else a new one
     */
    public static RgbFrame scaleShortSide(RgbFrame frame, int shortSide) {
        return scaleShortSide(frame, shortSide, InputSpec.DEFAULT_RESIZE);
    }

    /**
     * Scales a frame so that its short side is {@code shortSide} (torchvision {@code Resize(int)} sizes).
     *
     * @param frame the frame
     * @param shortSide target short side
     * @param method the resize method
     * @return the same frame if already at that size, else a new one
     */
    public static RgbFrame scaleShortSide(RgbFrame frame, int shortSide, ResizeMethod method) {
        int[] s = scaledSize(frame.width(), frame.height(), shortSide);
        return resize(frame, s[0], s[1], method);
    }

    /**
     * Resizes a frame with the default method ({@link InputSpec#DEFAULT_RESIZE}, Pillow's bilinear).
     *
     * @param frame the frame
     * @param width new width
     * @param height new height
     * @return the same frame if the size is unchanged, else a new one
     */
    public static RgbFrame resize(RgbFrame frame, int width, int height) {
        return resize(frame, width, height, InputSpec.DEFAULT_RESIZE);
    }

    /**
     * Resizes a frame.
     *
     * @param frame the frame
     * @param width new width
     * @param height new height
     * @param method {@link ResizeMethod#PIL_BILINEAR} ({@link PilResize}) or {@link ResizeMethod#OPENCV}
     * @return the same frame if the size is unchanged, else a new one
     */
    public static RgbFrame resize(RgbFrame frame, int width, int height, ResizeMethod method) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("resize target must be positive, found " + width + "x" + height);
        }
        if (width == frame.width() && height == frame.height()) {
            return frame;
        }
        if (method == null) {
            throw new IllegalArgumentException("resize method must not be null");
        }
        return switch (method) {
            case PIL_BILINEAR -> PilResize.resize(frame, width, height);
            case OPENCV -> resizeOpenCv(frame, width, height);
        };
    }

    private static RgbFrame resizeOpenCv(RgbFrame frame, int width, int height) {
        try (BytePointer src = new BytePointer(frame.pixels());
                Mat in = new Mat(frame.height(), frame.width(), CV_8UC3, src)) {
            return resizeMat(in, width, height);
        }
    }

    /**
     * Copies (and optionally resizes) a packed-or-padded RGB24 buffer, as JavaCV's grabber returns it,
     * into a new frame. Rows are read with the real stride.
     *
     * @param buffer the pixel buffer (direct, as FFmpeg fills it)
     * @param width width in pixels
     * @param height height in pixels
     * @param strideBytes bytes per row in {@code buffer} (at least {@code width * 3})
     * @param shortSide if positive, scale the short side to this while copying (default method)
     * @return a frame owning its pixels
     */
    public static RgbFrame fromStridedRgb(ByteBuffer buffer, int width, int height, int strideBytes, int shortSide) {
        return fromStridedRgb(buffer, width, height, strideBytes, shortSide, InputSpec.DEFAULT_RESIZE);
    }

    /**
     * Copies (and optionally resizes) a packed-or-padded RGB24 buffer, as JavaCV's grabber returns it,
     * into a new frame. Rows are read with the real stride.
     *
     * @param buffer the pixel buffer (direct, as FFmpeg fills it)
     * @param width width in pixels
     * @param height height in pixels
     * @param strideBytes bytes per row in {@code buffer} (at least {@code width * 3})
     * @param shortSide if positive, scale the short side to this while copying
     * @param method the resize method
     * @return a frame owning its pixels
     */
    public static RgbFrame fromStridedRgb(ByteBuffer buffer, int width, int height, int strideBytes, int shortSide,
            ResizeMethod method) {
        if (strideBytes < width * 3) {
            throw new IllegalArgumentException("stride " + strideBytes + " is smaller than width*3 = " + width * 3);
        }
        if (shortSide > 0 && method == ResizeMethod.OPENCV) {
            int[] s = scaledSize(width, height, shortSide);
            if (s[0] != width || s[1] != height) {
                try (BytePointer p = new BytePointer(buffer);
                        Mat in = new Mat(height, width, CV_8UC3, p, strideBytes)) {
                    return resizeMat(in, s[0], s[1]);
                }
            }
        }
        byte[] out = new byte[width * height * 3];
        int row = width * 3;
        ByteBuffer b = buffer.duplicate();
        for (int y = 0; y < height; y++) {
            b.position(y * strideBytes);
            b.get(out, y * row, row);
        }
        RgbFrame f = new RgbFrame(width, height, out);
        return shortSide > 0 ? scaleShortSide(f, shortSide, method) : f;
    }

    /**
     * Copies a rectangle out of a frame.
     *
     * @param frame the frame
     * @param x left column
     * @param y top row
     * @param width crop width
     * @param height crop height
     * @return the crop (the same frame when the rectangle is the whole frame)
     */
    public static RgbFrame crop(RgbFrame frame, int x, int y, int width, int height) {
        if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > frame.width() || y + height > frame.height()) {
            throw new IllegalArgumentException("crop (" + x + "," + y + " " + width + "x" + height
                    + ") does not fit a " + frame.width() + "x" + frame.height() + " frame");
        }
        if (x == 0 && y == 0 && width == frame.width() && height == frame.height()) {
            return frame;
        }
        byte[] out = new byte[width * height * 3];
        for (int r = 0; r < height; r++) {
            System.arraycopy(frame.pixels(), ((y + r) * frame.width() + x) * 3, out, r * width * 3, width * 3);
        }
        return new RgbFrame(width, height, out);
    }

    /**
     * Mirrors a frame left-right with OpenCV.
     *
     * @param frame the frame
     * @return the mirrored frame
     */
    public static RgbFrame flipHorizontal(RgbFrame frame) {
        try (BytePointer src = new BytePointer(frame.pixels());
                Mat in = new Mat(frame.height(), frame.width(), CV_8UC3, src);
                Mat out = new Mat()) {
            opencv_core.flip(in, out, 1);
            return toFrame(out);
        }
    }

    /**
     * Copies a continuous or strided 8-bit 3-channel OpenCV matrix (RGB order) into a frame.
     *
     * @param mat the matrix, type {@code CV_8UC3}
     * @return the frame
     */
    public static RgbFrame toFrame(Mat mat) {
        if (mat.type() != CV_8UC3) {
            throw new IllegalArgumentException("expected a CV_8UC3 matrix, found type " + mat.type());
        }
        int w = mat.cols();
        int h = mat.rows();
        byte[] out = new byte[w * h * 3];
        BytePointer data = mat.data();
        long step = mat.step();
        if (step == (long) w * 3) {
            data.get(out);
        } else {
            for (int y = 0; y < h; y++) {
                data.position(y * step).get(out, y * w * 3, w * 3);
            }
            data.position(0);
        }
        return new RgbFrame(w, h, out);
    }

    private static RgbFrame resizeMat(Mat in, int width, int height) {
        boolean shrink = width < in.cols() || height < in.rows();
        try (Mat out = new Mat(); Size size = new Size(width, height)) {
            opencv_imgproc.resize(in, out, size, 0, 0, shrink ? INTER_AREA : INTER_LINEAR);
            return toFrame(out);
        }
    }
}
