package io.github.tsm4j.data.dataset;

import java.nio.file.Path;
import java.util.List;

/**
 * Something-Something V1 (174 classes), as released: {@code something-something-v1-labels.csv} (one
 * class per line, id = line order), {@code something-something-v1-train.csv} /
 * {@code -validation.csv} ({@code id;label}), {@code -test.csv} ({@code id}), and frame folders
 * {@code 20bn-something-something-v1/{id}/{:05d}.jpg}.
 */
public final class SomethingSomethingV1 {
    private SomethingSomethingV1() {}

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
     * @throws AnnotationException naming file and line for malformed rows or unknown labels
     */
    public static VideoDataset read(Path labelsCsv, Path splitCsv, Path frameRoot) {
        return TwentyBnCsv.read("something-something-v1", labelsCsv, splitCsv, frameRoot);
    }
}
