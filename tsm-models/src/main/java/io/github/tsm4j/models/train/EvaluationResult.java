package io.github.tsm4j.models.train;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Video-level evaluation results.
 *
 * @param videos number of videos evaluated
 * @param top1 fraction of videos whose arg-max class is the label, in [0, 1]
 * @param top5 fraction whose label is among the 5 highest scores (all classes when K &lt; 5)
 * @param meanClassAccuracy mean over classes that occur of per-class top-1 accuracy
 * @param confusion {@code confusion[true][predicted]} video counts, K × K
 * @param labels class names (index order), or class indices as text when unknown
 * @param predictions one entry per video, in order of first appearance
 */
public record EvaluationResult(int videos, double top1, double top5, double meanClassAccuracy, long[][] confusion,
        List<String> labels, List<VideoPrediction> predictions) {

    public EvaluationResult {
        labels = List.copyOf(labels);
        predictions = List.copyOf(predictions);
    }

    /**
     * Writes one CSV row per video: {@code video,label,predicted,correct,score,top5} where {@code score}
     * is the averaged probability of the predicted class and {@code top5} lists class names
     * separated by {@code |}.
     *
     * @param file CSV file to create or replace
     * @throws IOException when the file cannot be written
     */
    public void writePredictionsCsv(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("video,label,predicted,correct,score,views,top5\n");
            for (VideoPrediction p : predictions) {
                StringBuilder top = new StringBuilder();
                for (int c : p.topK(5)) {
                    if (top.length() > 0) {
                        top.append('|');
                    }
                    top.append(labels.get(c));
                }
                w.write(String.format(Locale.ROOT, "%s,%s,%s,%d,%.6f,%d,%s%n", csv(p.videoId()),
                        csv(labels.get(p.label())), csv(labels.get(p.predicted())), p.label() == p.predicted() ? 1 : 0,
                        p.scores().get(p.predicted()), p.views(), csv(top.toString())));
            }
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
