package io.github.tsm4j.data.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CSV format of the 20BN datasets (Something-Something V1, Jester): a labels file with one class
 * name per line (class id = line order), split files with {@code id;label} per line (test files:
 * {@code id} only), frame folders {@code root/{id}/{:05d}.jpg}.
 */
final class TwentyBnCsv {
    private TwentyBnCsv() {}

    static List<String> readLabels(Path labelsCsv) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (TextLines.Line l : TextLines.read(labelsCsv)) {
            String name = l.text();
            Integer before = seen.put(name, names.size());
            if (before != null) {
                throw new AnnotationException(labelsCsv, l.number(), "class '" + name + "' listed twice");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new AnnotationException(labelsCsv, 0, "no class names");
        }
        return names;
    }

    static VideoDataset read(String dataset, Path labelsCsv, Path splitCsv, Path root) {
        List<String> classes = readLabels(labelsCsv);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            ids.put(classes.get(i), i);
        }
        List<VideoSample> samples = new ArrayList<>();
        for (TextLines.Line l : TextLines.read(splitCsv)) {
            List<String> f = TextLines.split(splitCsv, l, ';');
            if (f.size() > 2 || f.get(0).isEmpty()) {
                throw TextLines.malformed(splitCsv, l, "id;label or id");
            }
            int label = VideoSample.UNLABELLED;
            if (f.size() == 2) {
                Integer id = ids.get(f.get(1));
                if (id == null) {
                    throw new AnnotationException(splitCsv, l.number(), "unknown label '" + f.get(1) + "' (not in "
                            + labelsCsv.getFileName() + ")");
                }
                label = id;
            }
            samples.add(new VideoSample(f.get(0), root.resolve(f.get(0)), label));
        }
        return new VideoDataset(dataset + " " + splitCsv.getFileName(), classes, samples);
    }
}
