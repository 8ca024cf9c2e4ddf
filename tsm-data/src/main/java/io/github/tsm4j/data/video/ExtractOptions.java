package io.github.tsm4j.data.video;

import io.github.tsm4j.core.clip.FrameTiming;
import io.github.tsm4j.core.ResizeMethod;

/**
 * How {@link FrameExtractor} writes a frame folder.
 *
 * <p>The official tools run {@code ffmpeg -i V -threads 1 [-vf scale=-1:N] -q:v 0 img_%05d.jpg}
 * ({@code vid2img_kinetics.py}: N = 331, {@code img_%05d.jpg}; {@code vid2img_sthv2.py}: N = 256,
 * {@code %06d.jpg}); {@link #official()} is the unscaled command. Note that {@code scale=-1:N} sets the
 * <i>height</i> to N, which is the short side for landscape videos; {@code shortSide} here always scales
 * the short side.
 *
 * @param shortSide scale frames so their short side is this, or 0 for the native size
 * @param naming file names (numbered from 1)
 * @param jpegQuality JPEG quality 1..100 (OpenCV's encoder)
 * @param timing which frames: {@link FrameTiming#CONSTANT_RATE} as the unscaled official command,
 *     {@link FrameTiming#CONSTANT_RATE_FILTERED} as the scaled one ({@code -vf} changes ffmpeg's frame
 *     choice next to timestamp gaps), or {@link FrameTiming#DECODE_ORDER} (every decoded frame once)
 * @param resize how frames are scaled when {@code shortSide > 0}
 */
public record ExtractOptions(int shortSide, FrameNaming naming, int jpegQuality, FrameTiming timing, ResizeMethod resize) {

    /** JPEG quality of {@link #official()}. */
    public static final int DEFAULT_JPEG_QUALITY = 95;

    public ExtractOptions {
        if (shortSide < 0) {
            throw new IllegalArgumentException("ExtractOptions.shortSide must be >= 0, found " + shortSide);
        }
        if (naming == null) {
            throw new IllegalArgumentException("ExtractOptions.naming must not be null");
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("ExtractOptions.jpegQuality must be in 1..100, found " + jpegQuality);
        }
        if (timing == null) {
            throw new IllegalArgumentException("ExtractOptions.timing must not be null");
        }
        if (resize == null) {
            throw new IllegalArgumentException("ExtractOptions.resize must not be null");
        }
    }

    /** @return native size, {@code img_%05d.jpg}, quality 95, constant-rate frames, Pillow resize */
    public static ExtractOptions official() {
        return new ExtractOptions(0, FrameNaming.IMG_FIVE_DIGITS, DEFAULT_JPEG_QUALITY, FrameTiming.CONSTANT_RATE,
                ResizeMethod.PIL_BILINEAR);
    }

    /**
     * A copy with a short-side pre-scale and the frame timing that matches it: the official tools scale
     * through a video filter, so {@code shortSide > 0} selects {@link FrameTiming#CONSTANT_RATE_FILTERED}
     * (and 0 {@link FrameTiming#CONSTANT_RATE}) unless this copy is in {@link FrameTiming#DECODE_ORDER}.
     *
     * @param side the short side, or 0
     * @return the copy
     */
    public ExtractOptions withShortSide(int side) {
        FrameTiming t = timing == FrameTiming.DECODE_ORDER ? timing
                : side > 0 ? FrameTiming.CONSTANT_RATE_FILTERED : FrameTiming.CONSTANT_RATE;
        return new ExtractOptions(side, naming, jpegQuality, t, resize);
    }

    /** @param n file names @return a copy */
    public ExtractOptions withNaming(FrameNaming n) {
        return new ExtractOptions(shortSide, n, jpegQuality, timing, resize);
    }

    /** @param q JPEG quality 1..100 @return a copy */
    public ExtractOptions withJpegQuality(int q) {
        return new ExtractOptions(shortSide, naming, q, timing, resize);
    }

    /** @param t frame timing @return a copy */
    public ExtractOptions withTiming(FrameTiming t) {
        return new ExtractOptions(shortSide, naming, jpegQuality, t, resize);
    }

    /** @param r resize method @return a copy */
    public ExtractOptions withResize(ResizeMethod r) {
        return new ExtractOptions(shortSide, naming, jpegQuality, timing, r);
    }
}
