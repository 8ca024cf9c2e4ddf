package io.github.tsm4j.core.stream;

/**
 * One frame of a {@link FrameSource}: where it is in the source, the decoded picture, and the network input made
 * from it.
 *
 * <p>{@code rgb} is 8-bit RGB interleaved, rows packed ({@code (y · width + x) · 3 + c}); {@code input} is the
 * normalised {@code [3, S, S]} float32 CHW network input (S = the model's crop size). Both arrays are owned by the
 * frame and must not be modified (not copied, to keep decoding to one allocation per frame).
 *
 * @param index 0-based index in decoding order (gaps never: dropped frames are counted by the reader)
 * @param timestampMicros presentation time in microseconds
 * @param width picture width, at least 1
 * @param height picture height, at least 1
 * @param rgb {@code width · height · 3} bytes
 * @param input {@code 3 · S · S} floats
 */
public record SourceFrame(long index, long timestampMicros, int width, int height, byte[] rgb, float[] input) {

    public SourceFrame {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("SourceFrame size must be positive, found " + width + "x" + height);
        }
        if (rgb == null || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("SourceFrame rgb must hold width*height*3 = " + width * height * 3
                    + " bytes, found " + (rgb == null ? "null" : rgb.length));
        }
        if (input == null || input.length == 0 || input.length % 3 != 0) {
            throw new IllegalArgumentException("SourceFrame input must hold 3·S·S floats, found "
                    + (input == null ? "null" : input.length));
        }
    }
}
