package io.github.tsm4j.core.clip;

import java.util.Arrays;
import java.util.List;

/**
 * One video decoded for testing: every view's normalised frames plus what was used to make them.
 *
 * <p>{@link #pixels()} is float32 NCHW {@code [crops, clips, T, 3, side, side]} flattened (crop-major as the
 * official test script orders its views: for each crop, for each clip, its T frames). The arrays returned by the
 * accessors are copies of the internal ones, except {@link #pixels()}, which hands over the decoder's buffer (the
 * recognizer only reads it).
 *
 * @param pixels the normalised frames, {@code crops·clips·T·3·side²} floats
 * @param crops crop views per clip
 * @param clips clips per video
 * @param segments T, frames per clip
 * @param side view side in pixels
 * @param frameCount frames the video has in the index space of {@link #indices()}
 * @param indices 0-based frame indices of the {@code clips·T} sampled frames, clip after clip
 * @param timestampsSeconds presentation time of each sampled frame in seconds ({@code NaN} where unknown)
 */
public record DecodedClip(float[] pixels, int crops, int clips, int segments, int side, int frameCount, int[] indices,
        double[] timestampsSeconds) {

    public DecodedClip {
        long expected = (long) crops * clips * segments * 3L * side * side;
        if (crops < 1 || clips < 1 || segments < 1 || side < 1) {
            throw new IllegalArgumentException("DecodedClip: crops, clips, segments and side must be >= 1, found "
                    + crops + ", " + clips + ", " + segments + ", " + side);
        }
        if (pixels.length != expected) {
            throw new IllegalArgumentException("DecodedClip: expected " + expected + " floats for [" + crops + ", "
                    + clips + ", " + segments + ", 3, " + side + ", " + side + "], found " + pixels.length);
        }
        if (indices.length != clips * segments || timestampsSeconds.length != clips * segments) {
            throw new IllegalArgumentException("DecodedClip: expected " + clips * segments
                    + " frame indices and timestamps, found " + indices.length + " and " + timestampsSeconds.length);
        }
        indices = indices.clone();
        timestampsSeconds = timestampsSeconds.clone();
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public double[] timestampsSeconds() {
        return timestampsSeconds.clone();
    }

    /** @return the sampled frame indices as an immutable list */
    public List<Integer> indexList() {
        return Arrays.stream(indices).boxed().toList();
    }

    /** @return views: crops × clips */
    public int views() {
        return crops * clips;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodedClip d && crops == d.crops && clips == d.clips && segments == d.segments
                && side == d.side && frameCount == d.frameCount && Arrays.equals(pixels, d.pixels)
                && Arrays.equals(indices, d.indices) && Arrays.equals(timestampsSeconds, d.timestampsSeconds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(indices) * 31 + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "DecodedClip[" + crops + " crops x " + clips + " clips x " + segments + " frames, " + side + " px, "
                + "indices " + Arrays.toString(indices) + " of " + frameCount + "]";
    }
}
