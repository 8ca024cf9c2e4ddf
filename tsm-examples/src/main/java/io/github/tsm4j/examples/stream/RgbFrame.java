package io.github.tsm4j.examples.stream;

/**
 * One decoded video frame: packed RGB24 pixels, rows top to bottom without padding.
 *
 * @param index position of the frame in its source, from 0 (gaps in a processed sequence are frames
 *     dropped in real-time mode)
 * @param timestampMicros presentation time in microseconds from the start of the source
 * @param width frame width in pixels
 * @param height frame height in pixels
 * @param rgb {@code height · width · 3} bytes, R, G, B per pixel
 */
public record RgbFrame(long index, long timestampMicros, int width, int height, byte[] rgb) {

    public RgbFrame {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("RgbFrame size must be positive, found " + width + "x" + height);
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("RgbFrame of " + width + "x" + height + " needs "
                    + (width * height * 3) + " bytes (RGB24), found " + rgb.length);
        }
    }
}
