package io.github.tsm4j.models.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.InputSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a tsm4j ONNX export says about itself, stored in the model's {@code metadata_props} (string → string; the
 * structured values as JSON) next to {@code producer_name = "tsm4j"}. Every runtime can read them (ONNX Runtime:
 * {@code session.getMetadata().getCustomMetadata()} in Java, {@code session.get_modelmeta().custom_metadata_map} in
 * Python).
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><th>key</th><th>value</th></tr>
 *   <tr><td>{@value #KIND}</td><td>{@code offline} or {@code online}</td></tr>
 *   <tr><td>{@value #VERSION}</td><td>the tsm4j version that wrote the file</td></tr>
 *   <tr><td>{@value #LABELS}</td><td>JSON array of the K class labels, index = class</td></tr>
 *   <tr><td>{@value #INPUT}</td><td>JSON {@link InputSpec}: segments, cropSize, scaleSize, mean, std (RGB, of
 *       pixels /255)</td></tr>
 *   <tr><td>{@value #SEGMENTS}</td><td>T the consensus averages over (T/2 with temporal pooling)</td></tr>
 *   <tr><td>{@value #CONFIG}</td><td>JSON of the model's {@code TsmConfig}</td></tr>
 *   <tr><td>{@value #CACHES}</td><td>online only: JSON array of {@link Cache}s, in network order</td></tr>
 * </table>
 *
 * @param kind offline or online
 * @param tsm4jVersion the tsm4j version that wrote the file
 * @param labels the class labels
 * @param input the preprocessing the network expects
 * @param segments frames per clip the consensus averages over
 * @param configJson the {@code TsmConfig} as JSON (for information)
 * @param caches the shift caches of an online model (empty for offline)
 */
public record OnnxMetadata(OnnxModelKind kind, String tsm4jVersion, List<String> labels, InputSpec input,
        int segments, String configJson, List<Cache> caches) {

    /** {@code producer_name} of every tsm4j export. */
    public static final String PRODUCER = "tsm4j";
    /** Key: model kind. */
    public static final String KIND = "tsm4j.kind";
    /** Key: tsm4j version. */
    public static final String VERSION = "tsm4j.version";
    /** Key: labels. */
    public static final String LABELS = "tsm4j.labels";
    /** Key: input spec. */
    public static final String INPUT = "tsm4j.input";
    /** Key: consensus segments. */
    public static final String SEGMENTS = "tsm4j.segments";
    /** Key: network configuration. */
    public static final String CONFIG = "tsm4j.config";
    /** Key: online caches. */
    public static final String CACHES = "tsm4j.caches";
    /** Name of the network input in every export. */
    public static final String INPUT_NAME = "input";
    /** Name of the logits output in every export. */
    public static final String OUTPUT_NAME = "logits";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One online shift cache: the graph input holding the previous frame's first C/foldDiv channels
     * {@code [B, channels, height, width]} (zeros at a stream's start) and the graph output holding the current
     * frame's, to be passed as that input on the next call.
     *
     * @param input graph input name, e.g. {@code shift_cache.0}
     * @param output graph output name, e.g. {@code shift_cache.0.next}
     * @param layer the tsm4j layer it belongs to, e.g. {@code features.3.shift}
     * @param channels C/foldDiv
     * @param height H of the shifted activation
     * @param width W of the shifted activation
     */
    public record Cache(String input, String output, String layer, int channels, int height, int width) {
        public Cache {
            Objects.requireNonNull(input, "Cache.input");
            Objects.requireNonNull(output, "Cache.output");
            Objects.requireNonNull(layer, "Cache.layer");
        }
    }

    public OnnxMetadata {
        Objects.requireNonNull(kind, "OnnxMetadata.kind");
        Objects.requireNonNull(tsm4jVersion, "OnnxMetadata.tsm4jVersion");
        labels = List.copyOf(labels);
        Objects.requireNonNull(input, "OnnxMetadata.input");
        caches = List.copyOf(caches);
        if (segments < 1) {
            throw new IllegalArgumentException("OnnxMetadata.segments must be >= 1, found " + segments);
        }
    }

    /** @return the {@code metadata_props} entries */
    Map<String, String> toProps() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            m.put(KIND, kind.name().toLowerCase(java.util.Locale.ROOT));
            m.put(VERSION, tsm4jVersion);
            m.put(LABELS, JSON.writeValueAsString(labels));
            m.put(INPUT, JSON.writeValueAsString(input));
            m.put(SEGMENTS, Integer.toString(segments));
            m.put(CONFIG, configJson);
            if (kind == OnnxModelKind.ONLINE) {
                m.put(CACHES, JSON.writeValueAsString(caches));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write ONNX metadata as JSON: " + e.getMessage(), e);
        }
        return m;
    }

    /**
     * Reads the metadata of a file.
     *
     * @param producer the file's {@code producer_name}
     * @param props its {@code metadata_props}
     * @param source the file, for messages
     * @return the metadata
     * @throws IllegalArgumentException with one line naming the file and what is missing or malformed
     */
    public static OnnxMetadata fromProps(String producer, Map<String, String> props, String source) {
        if (!PRODUCER.equals(producer) || !props.containsKey(KIND)) {
            throw new IllegalArgumentException(source + " is not a tsm4j ONNX export (producer '" + producer
                    + "', no metadata '" + KIND + "'); export it with 'tsm export MODEL.zip --format onnx'");
        }
        for (String key : List.of(VERSION, LABELS, INPUT, SEGMENTS)) {
            if (!props.containsKey(key)) {
                throw new IllegalArgumentException(source + ": tsm4j ONNX metadata lacks '" + key + "'");
            }
        }
        String kindText = props.get(KIND);
        OnnxModelKind kind = switch (kindText) {
            case "offline" -> OnnxModelKind.OFFLINE;
            case "online" -> OnnxModelKind.ONLINE;
            default -> throw new IllegalArgumentException(source + ": metadata '" + KIND + "' is '" + kindText
                    + "', expected 'offline' or 'online'");
        };
        try {
            List<String> labels = JSON.readValue(props.get(LABELS), new TypeReference<List<String>>() { });
            InputSpec input = JSON.readValue(props.get(INPUT), InputSpec.class);
            int segments = Integer.parseInt(props.get(SEGMENTS));
            List<Cache> caches = kind == OnnxModelKind.ONLINE
                    ? JSON.readValue(props.getOrDefault(CACHES, "null"), new TypeReference<List<Cache>>() { })
                    : List.of();
            if (caches == null) {
                throw new IllegalArgumentException("online model without '" + CACHES + "'");
            }
            return new OnnxMetadata(kind, props.get(VERSION), labels, input, segments,
                    props.getOrDefault(CONFIG, "{}"), caches);
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(source + ": malformed tsm4j ONNX metadata: "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
