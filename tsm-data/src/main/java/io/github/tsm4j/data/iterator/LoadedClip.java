package io.github.tsm4j.data.iterator;

/**
 * One video loaded by {@link ClipLoader#loadClip}: the normalised pixels and the frames they came from.
 *
 * @param pixels float32 NCHW frames, view-major ({@link ClipLoader#lengthPerVideo()} floats)
 * @param frames frames in {@code pixels} (views × clips × T)
 * @param frameCount frames of the video in the index space of {@code indices}
 * @param indices 0-based indices of the sampled frames, clip after clip
 * @param timestampsSeconds presentation time of each sampled frame in seconds ({@code NaN} where unknown)
 */
public record LoadedClip(float[] pixels, int frames, int frameCount, int[] indices, double[] timestampsSeconds) {
}
