package io.github.tsm4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tsm info MODEL}: what a saved model is: its configuration, labels, trainable parameter count
 * (DL4J's {@code numParams()} also counts BatchNorm running statistics, reported apart) and provenance:
 * when the network was saved, and every other {@code tsm4j-*.json} entry in the zip, above all
 * {@value io.github.tsm4j.models.TsmModel#PROVENANCE_ENTRY} (tsm4j, DL4J, ND4J and Java versions, time, and
 * the source of the weights: imported checkpoint and its SHA-256, or dataset, recipe and epoch); files
 * written before tsm4j recorded it say so.
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Show a saved model: configuration, labels, parameter count (trainable) and provenance.",
        footer = {"", "Examples:", "  tsm info model.zip", "  tsm info model.zip --json"})
public final class InfoCommand implements Callable<Integer> {

    /** Labels listed without {@code --labels}. */
    public static final int LABELS_SHOWN = 20;

    /** Parameter names of BatchNorm running statistics in DL4J (not trained by gradient descent). */
    private static final Set<String> BN_STATISTICS = Set.of("mean", "var", "log10stdev");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Saved model (.zip).")
    Path model;

    @Option(names = "--labels", description = "List every label (default: the first " + LABELS_SHOWN + ").")
    boolean allLabels;

    @Option(names = "--json", description = "Machine-readable output (one JSON document).")
    boolean json;

    /**
     * Parameter counts.
     *
     * @param trainable weights and biases (and BatchNorm gamma/beta)
     * @param statistics BatchNorm running mean and variance
     */
    record ParamCounts(long trainable, long statistics) {}

    @Override
    public Integer call() throws IOException {
        TsmModel m = Models.load(model);
        ParamCounts params = countParams(m.graph());
        Map<String, JsonNode> provenance = provenance(model);
        String saved = savedAt(model);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode doc = mapper.createObjectNode();
            doc.put("model", model.toString());
            doc.set("config", mapper.valueToTree(m.config()));
            doc.set("labels", mapper.valueToTree(m.labels()));
            doc.put("trainableParameters", params.trainable());
            doc.put("batchNormStatistics", params.statistics());
            doc.set("provenance", mapper.valueToTree(provenance));
            doc.put("saved", saved);
            out.println(mapper.writeValueAsString(doc));
            out.flush();
            return 0;
        }
        out.println("Model: " + model);
        out.println("Configuration:");
        JsonNode config = mapper.valueToTree(m.config());
        config.fields().forEachRemaining(e -> out.println("  " + e.getKey() + ": " + compact(e.getValue())));
        List<String> labels = m.labels();
        out.println("Labels: " + labels.size());
        int shown = allLabels ? labels.size() : Math.min(LABELS_SHOWN, labels.size());
        for (int i = 0; i < shown; i++) {
            out.printf(Locale.ROOT, "  %4d  %s%n", i, labels.get(i));
        }
        if (shown < labels.size()) {
            out.println("  … " + (labels.size() - shown) + " more (--labels lists all)");
        }
        out.printf(Locale.ROOT, "Parameters: %,d trainable (+ %,d BatchNorm running statistics)%n",
                params.trainable(), params.statistics());
        out.println("Provenance:");
        out.println("  saved: " + saved);
        if (provenance.isEmpty()) {
            out.println("  (no library version or source recorded in this file)");
        }
        for (Map.Entry<String, JsonNode> e : provenance.entrySet()) {
            JsonNode node = e.getValue();
            if (node.isObject()) {
                node.fields().forEachRemaining(f -> print(out, "  ", f.getKey(), f.getValue()));
            } else {
                out.println("  " + e.getKey() + ": " + compact(node));
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Trainable parameters and BatchNorm statistics of a graph.
     *
     * @param graph the network
     * @return the counts
     */
    static ParamCounts countParams(ComputationGraph graph) {
        long trainable = 0;
        long statistics = 0;
        for (Layer layer : graph.getLayers()) {
            boolean bn = layer instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization;
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                if (bn && BN_STATISTICS.contains(p.getKey())) {
                    statistics += p.getValue().length();
                } else {
                    trainable += p.getValue().length();
                }
            }
        }
        return new ParamCounts(trainable, statistics);
    }

    /** Every {@code tsm4j-*.json} entry other than the configuration and the labels, parsed. */
    private static Map<String, JsonNode> provenance(Path file) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        List<String> entries = new ArrayList<>(ModelSerializer.listObjectsInFile(file.toFile()));
        for (String name : entries) {
            if (!name.startsWith("tsm4j-") || name.equals(TsmModel.CONFIG_ENTRY) || name.equals(TsmModel.LABELS_ENTRY)) {
                continue;
            }
            Object value = ModelSerializer.getObjectFromFile(file.toFile(), name);
            JsonNode node;
            try {
                node = value instanceof String s ? mapper.readTree(s) : mapper.valueToTree(value);
            } catch (IOException e) {
                node = mapper.getNodeFactory().textNode(String.valueOf(value));
            }
            out.put(name, node);
        }
        return out;
    }

    /** When the network entry of the zip was written (ISO-8601, UTC), or "unknown". */
    private static String savedAt(Path file) throws IOException {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            java.util.zip.ZipEntry e = zip.getEntry("configuration.json");
            if (e == null || e.getLastModifiedTime() == null) {
                return "unknown";
            }
            return e.getLastModifiedTime().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        }
    }

    /** One field; objects (e.g. a provenance's source) one field per line, indented, up to two levels deep. */
    private static void print(PrintWriter out, String indent, String key, JsonNode value) {
        if (value.isObject() && !value.isEmpty() && indent.length() <= 4) {
            out.println(indent + key + ":");
            value.fields().forEachRemaining(f -> print(out, indent + "  ", f.getKey(), f.getValue()));
        } else {
            out.println(indent + key + ": " + compact(value));
        }
    }

    private static String compact(JsonNode node) {
        return node.isTextual() ? node.asText() : node.toString();
    }
}
