package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The zip entries that make a training checkpoint loadable with {@link TsmModel#load}: exactly those
 * {@link TsmModel#save} writes besides DL4J's own (configuration and labels), taken from a real save so
 * the two formats cannot drift apart.
 */
final class ModelEntries {
    private ModelEntries() {}

    /**
     * @param graph the network (only its configuration is used for the temporary save)
     * @param config its TSM configuration
     * @param labels class names
     * @return entry name → bytes
     * @throws IOException when the temporary file cannot be written or read
     */
    static Map<String, byte[]> of(ComputationGraph graph, TsmConfig config, List<String> labels) throws IOException {
        return of(graph, config, labels, Map.of());
    }

    /**
     * @param graph the network (only its configuration is used for the temporary save)
     * @param config its TSM configuration
     * @param labels class names
     * @param source what the model is trained from, for its {@link io.github.tsm4j.models.Provenance} (the
     *     trainer adds epoch and recipe to every checkpoint)
     * @return entry name → bytes
     * @throws IOException when the temporary file cannot be written or read
     */
    static Map<String, byte[]> of(ComputationGraph graph, TsmConfig config, List<String> labels, Map<String, ?> source)
            throws IOException {
        Path tmp = Files.createTempFile("tsm-entries", ".zip");
        try {
            TsmModel.wrap(graph, config, labels).withSource(source).save(tmp, false);
            Map<String, byte[]> entries = new LinkedHashMap<>();
            try (ZipFile zip = new ZipFile(tmp.toFile())) {
                Enumeration<? extends ZipEntry> all = zip.entries();
                while (all.hasMoreElements()) {
                    ZipEntry e = all.nextElement();
                    if (e.getName().startsWith("objects/")) {
                        try (InputStream is = zip.getInputStream(e)) {
                            entries.put(e.getName(), is.readAllBytes());
                        }
                    }
                }
            }
            if (entries.isEmpty()) {
                throw new IOException("TsmModel.save wrote no configuration/label entries to " + tmp);
            }
            return entries;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The provenance source of a {@code tsm train} run (for {@link #of(ComputationGraph, TsmConfig, List, Map)}).
     *
     * @param labels labels.json
     * @param videos video folder
     * @param trainSplit training split
     * @param valSplit validation split or null
     * @param init the model zip training starts from, or null
     * @param initModel that model (its own recorded source is kept), or null
     * @return {@code command, dataset {labels, videos, train, val}, init {file, source}}
     */
    static Map<String, Object> trainingSource(Path labels, Path videos, Path trainSplit, Path valSplit, Path init,
            TsmModel initModel) {
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("labels", String.valueOf(labels));
        dataset.put("videos", String.valueOf(videos));
        dataset.put("train", String.valueOf(trainSplit));
        if (valSplit != null) {
            dataset.put("val", valSplit.toString());
        }
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("command", "tsm train");
        source.put("dataset", dataset);
        if (init != null || initModel != null) {
            Map<String, Object> from = new LinkedHashMap<>();
            if (init != null) {
                from.put("file", init.toString());
            }
            if (initModel != null && !initModel.source().isEmpty()) {
                from.put("source", initModel.source());
            }
            source.put("init", from);
        }
        return source;
    }
}
