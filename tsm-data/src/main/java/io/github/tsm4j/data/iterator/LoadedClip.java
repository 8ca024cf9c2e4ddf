package io.github.tsm4j.data.iterator;

/**
 * One video loaded by {@link ClipLoader#loadClip}: the normalised pixels and the frames they came from.
 *
 * @param pixels {@code frames · 3 · H · W} floats, NCHW, view-major (for each crop view, for each clip,
 *     its T frames), exactly what {@link ClipLoader#load(java.nio.file.Path, java.util.random.RandomGenerator)} returns
 * @param frames frames in {@code pixels} ({@code V·T}, V = clips × crop views)
 * @param frameCount the video's frame count the indices were sampled from (constant-rate frames for
 *     video files by default; files for frame folders)
 * @param indices the 0-based frame indices sampled, in sampling order (clip after clip, T each), before
 *     the crop views multiply them
 * @param timestampsSeconds presentation time of each sampled frame in seconds from the start of the
 *     file; {@code NaN} for frame folders
 */
public record LoadedClip(float[] pixels, int frames, int frameCount, int[] indices, double[] timestampsSeconds) {
    public LoadedClip {
        if (pixels == null || indices == null || timestampsSeconds == null) {
            throw new IllegalArgumentException("LoadedClip needs pixels, indices and timestamps");
        }
        if (indices.length != timestampsSeconds.length) {
            throw new IllegalArgumentException("LoadedClip has " + indices.length + " indices but "
                    + timestampsSeconds.length + " timestamps");
        }
        if (frames < 1 || pixels.length % frames != 0) {
            throw new IllegalArgumentException("LoadedClip.frames must divide the " + pixels.length
                    + " pixel values, found " + frames);
        }
    }
}
