package io.github.tsm4j.examples.spark;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.examples.stream.TestVideos;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.recognize.VideoRecognizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A tiny model zip and tiny generated videos for the distributed recognition tests, and single-JVM references. */
final class RecognitionFixtures {
    private RecognitionFixtures() {}

    static final List<String> LABELS = List.of("alpha", "beta, \"gamma\"", "delta");

    /** A TSM-ResNet-18 of base width 8, T = 4, 32 px, three classes (one label with a comma and quotes). */
    static Path model(Path file) throws IOException {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, LABELS.size())
                .input(InputSpec.imageNet(4).withSize(32, 32)).direction(ShiftDirection.UNIDIRECTIONAL).baseWidth(8)
                .dropout(0).build();
        TsmModel m = TsmModel.create(config, LABELS, TsmNetworks.defaultGlobals().seed(11));
        Files.createDirectories(file.getParent());
        m.save(file, false);
        return file;
    }

    /** {@code n} 40×32 mp4 videos of 8 frames with random colours, named v00.mp4…; returns their paths. */
    static List<Path> videos(Path dir, int n, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[][] colours = new int[8][];
            for (int f = 0; f < 8; f++) {
                colours[f] = new int[] {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
            }
            out.add(TestVideos.write(dir.resolve(String.format("v%02d.mp4", i)), 40, 32, 8, 12, f -> colours[f]));
        }
        return out;
    }

    /** The single-JVM rows (VideoRecognizer.classify on this JVM), keyed by video. */
    static Map<String, VideoRow> reference(Path model, List<Path> videos, RecognitionOptions options)
            throws IOException {
        Map<String, VideoRow> out = new LinkedHashMap<>();
        try (VideoRecognizer r = VideoRecognizer.of(TsmModel.load(model), options)) {
            for (Path v : videos) {
                try {
                    out.put(v.toString(), VideoRow.of(v.toString(), r.classify(v)));
                } catch (IOException e) {
                    out.put(v.toString(), null);
                }
            }
        }
        return out;
    }

    /** Whether two rows agree: same video, labels, indices, frames and error; probabilities within 1e-5. */
    static boolean same(VideoRow a, VideoRow b) {
        if (a == null || b == null || !a.video().equals(b.video()) || a.top().size() != b.top().size()
                || a.clips() != b.clips() || a.crops() != b.crops() || a.frames() != b.frames()
                || a.frameCount() != b.frameCount() || !a.frameIndices().equals(b.frameIndices())
                || (a.error() == null) != (b.error() == null)) {
            return false;
        }
        for (int i = 0; i < a.top().size(); i++) {
            VideoRow.Ranked x = a.top().get(i);
            VideoRow.Ranked y = b.top().get(i);
            if (!x.label().equals(y.label()) || x.index() != y.index()
                    || Math.abs(x.probability() - y.probability()) > 1e-5) {
                return false;
            }
        }
        return true;
    }
}
