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
}
