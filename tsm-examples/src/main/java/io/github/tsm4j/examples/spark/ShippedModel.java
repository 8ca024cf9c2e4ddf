package io.github.tsm4j.examples.spark;

import java.io.Serializable;
import java.util.List;

/**
 * A model zip shipped to the executors with {@code SparkContext.addFile}: every executor fetches it once per
 * application and loads it once per JVM ({@link ExecutorModels}).
 *
 * @param source the model as given (path or URI)
 * @param fileName the name executors find it under ({@code SparkFiles.get})
 * @param sha256 the zip's SHA-256 (hex), the executors' cache key
 * @param labels the model's class labels (checked on the driver)
 */
record ShippedModel(String source, String fileName, String sha256, List<String> labels) implements Serializable {
    private static final long serialVersionUID = 1L;
}
