package io.github.tsm4j.data.dataset;

import java.nio.file.Path;
import java.util.List;

/**
 * 20BN Jester (27 hand gestures), as released: {@code jester-v1-labels.csv} (one class per line),
 * {@code jester-v1-train.csv} / {@code -validation.csv} ({@code id;label}), {@code -test.csv}
 * ({@code id}), frame folders {@code 20bn-jester-v1/{id}/{:05d}.jpg}. Do not flip horizontally
 * ("Swiping Left" vs "Swiping Right").
 */
public final class Jester {
    private Jester() {}

    /**
     * @param labelsCsv the labels file
     * @return class names in id order
     */
    public static List<String> readLabels(Path labelsCsv) {
        return TwentyBnCsv.readLabels(labelsCsv);
    }

    /**
     * @param labelsCsv labels file
     * @param splitCsv train, validation or test file
     * @param frameRoot folder holding one frame folder per id
     * @return the dataset
     */
    public static VideoDataset read(Path labelsCsv, Path splitCsv, Path frameRoot) {
        return TwentyBnCsv.read("jester", labelsCsv, splitCsv, frameRoot);
    }
}
