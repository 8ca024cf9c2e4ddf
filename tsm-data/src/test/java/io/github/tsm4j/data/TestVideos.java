package io.github.tsm4j.data;

import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.video.VideoWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test videos whose frames are known: frame t is a flat colour that encodes t. */
public final class TestVideos {
    private TestVideos() {}

    /** Colour of frame t: red = 8·t + 20 (mod 240), green 100, blue 200 − 4·t. */
    public static int[] colour(int t) {
        return new int[] {(8 * t + 20) % 240, 100, Math.max(0, 200 - 4 * t)};
    }

    /** Flat-colour frames. */
    public static List<RgbFrame> flatFrames(int n, int width, int height) {
        List<RgbFrame> out = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int[] c = colour(t);
            out.add(RgbFrame.filled(width, height, c[0], c[1], c[2]));
        }
        return out;
    }

    /** Writes a flat-colour video whose frame t has colour(t + shift). */
    public static Path write(Path file, int n, int width, int height, VideoWriter.Codec codec, int shift) {
        List<RgbFrame> frames = flatFrames(n + shift, width, height).subList(shift, n + shift);
        VideoWriter.write(file, frames, 12, codec);
        return file;
    }

    /** Writes a flat-colour video. */
    public static Path write(Path file, int n, int width, int height, VideoWriter.Codec codec) {
        VideoWriter.write(file, flatFrames(n, width, height), 12, codec);
        return file;
    }

    /** Mean absolute difference of a frame from the flat colour of frame t. */
    public static double error(RgbFrame f, int t) {
        int[] c = colour(t);
        double e = 0;
        for (int ch = 0; ch < 3; ch++) {
            e += Math.abs(f.channelMean(ch) - c[ch]);
        }
        return e / 3;
    }

    /** Side of the blocks of a {@link #coded} frame's number pattern. */
    public static final int CODE_BLOCK = 16;

    /**
     * A frame that shows the number {@code k} (0..4095) as 12 bits in a 4×3 grid of black/white blocks
     * (bit b at column b % 4, row b / 4, white = 1), the pattern of scripts/make_timing_fixtures.py:
     * neighbouring numbers differ by at least one whole block (255 grey levels), so a decoded frame
     * names itself far beyond any codec error.
     *
     * @param width frame width (4 blocks)
     * @param height frame height (3 blocks)
     * @param k the number
     * @return the frame
     */
    public static RgbFrame coded(int width, int height, int k) {
        byte[] p = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int b = (y * 3 / height) * 4 + (x * 4 / width);
                if (((k >> b) & 1) != 0) {
                    int o = (y * width + x) * 3;
                    p[o] = (byte) 255;
                    p[o + 1] = (byte) 255;
                    p[o + 2] = (byte) 255;
                }
            }
        }
        return new RgbFrame(width, height, p);
    }

    /** {@link #coded} frames 0..n−1. */
    public static List<RgbFrame> codedFrames(int n, int width, int height) {
        List<RgbFrame> out = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            out.add(coded(width, height, t));
        }
        return out;
    }

    /**
     * Reads the number a {@link #coded} frame shows (any size: the centre half of each block is averaged).
     *
     * @param f the frame
     * @return the number
     * @throws AssertionError when a block is neither clearly black nor clearly white
     */
    public static int code(RgbFrame f) {
        int k = 0;
        for (int b = 0; b < 12; b++) {
            double bw = f.width() / 4.0;
            double bh = f.height() / 3.0;
            int x0 = (int) ((b % 4) * bw + bw / 4);
            int y0 = (int) ((b / 4) * bh + bh / 4);
            int x1 = Math.max(x0 + 1, (int) ((b % 4) * bw + 3 * bw / 4));
            int y1 = Math.max(y0 + 1, (int) ((b / 4) * bh + 3 * bh / 4));
            double sum = 0;
            int n = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    for (int c = 0; c < 3; c++) {
                        sum += f.get(x, y, c);
                        n++;
                    }
                }
            }
            double m = sum / n;
            if (m > 60 && m < 195) {
                throw new AssertionError("block " + b + " of " + f + " is ambiguous: mean " + m);
            }
            if (m > 128) {
                k |= 1 << b;
            }
        }
        return k;
    }

    /** Writes a video of {@link #coded} frames 0..n−1 at 12 fps. */
    public static Path writeCoded(Path file, int n, int width, int height, VideoWriter.Codec codec) {
        VideoWriter.write(file, codedFrames(n, width, height), 12, codec);
        return file;
    }

    /**
     * Undoes {@code ClipTensors}' normalisation of one frame (rounded to the nearest grey level).
     *
     * @param data NCHW floats
     * @param frame which frame
     * @param side frame side
     * @param spec the normalisation
     * @return the frame
     */
    public static RgbFrame denormalise(float[] data, int frame, int side, io.github.tsm4j.core.InputSpec spec) {
        byte[] p = new byte[side * side * 3];
        int base = frame * 3 * side * side;
        for (int c = 0; c < 3; c++) {
            double m = spec.mean().get(c);
            double s = spec.std().get(c);
            for (int i = 0; i < side * side; i++) {
                long v = Math.round((data[base + c * side * side + i] * s + m) * 255);
                p[i * 3 + c] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return new RgbFrame(side, side, p);
    }
}
