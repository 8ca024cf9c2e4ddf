package io.github.tsm4j.data.image;

/**
 * One decoded video frame: 8-bit RGB, interleaved, rows packed without padding (HWC layout,
 * {@code pixels[(y * width + x) * 3 + c]}, c = 0 red, 1 green, 2 blue).
 *
 * <p>The array is owned by the frame; callers must not modify it after construction (the record does
 * not copy it, to keep decoding allocation-free beyond one array per frame).
 *
 * @param width frame width in pixels, at least 1
 * @param height frame height in pixels, at least 1
 * @param pixels {@code width * height * 3} bytes, RGB interleaved
 */
public record RgbFrame(int width, int height, byte[] pixels) {

    public RgbFrame {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("RgbFrame size must be positive, found " + width + "x" + height);
        }
        if (pixels == null || pixels.length != width * height * 3) {
            throw new IllegalArgumentException("RgbFrame pixels must hold width*height*3 = " + (width * height * 3)
                    + " bytes, found " + (pixels == null ? "null" : pixels.length));
        }
    }

    /**
     * A frame filled with one colour.
     *
     * @param width width
     * @param height height
     * @param r red 0..255
     * @param g green 0..255
     * @param b blue 0..255
     * @return the frame
     */
    public static RgbFrame filled(int width, int height, int r, int g, int b) {
        byte[] p = new byte[width * height * 3];
        for (int i = 0; i < p.length; i += 3) {
            p[i] = (byte) r;
            p[i + 1] = (byte) g;
            p[i + 2] = (byte) b;
        }
        return new RgbFrame(width, height, p);
    }

    /**
     * One channel value.
     *
     * @param x column
     * @param y row
     * @param c channel (0 red, 1 green, 2 blue)
     * @return the value 0..255
     */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    /**
     * Mean of one channel over the whole frame.
     *
     * @param c channel
     * @return mean value in [0, 255]
     */
    public double channelMean(int c) {
        long sum = 0;
        for (int i = c; i < pixels.length; i += 3) {
            sum += pixels[i] & 0xFF;
        }
        return sum / (double) (width * height);
    }

    /** @return the shorter side in pixels */
    public int shortSide() {
        return Math.min(width, height);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbFrame f && f.width == width && f.height == height
                && java.util.Arrays.equals(f.pixels, pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + java.util.Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "RgbFrame[" + width + "x" + height + "]";
    }
}
