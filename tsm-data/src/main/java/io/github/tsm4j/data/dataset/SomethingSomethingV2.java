package io.github.tsm4j.data.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Something-Something V2 (Goyal et al. 2017; 174 classes) in its native annotation format.
 *
 * <ul>
 * <li>Labels file {@code something-something-v2-labels.json}: an object {@code {"Approaching something
 * with your camera": "0", ...}} from template (without brackets) to class id (a string or number).</li>
 * <li>Split files {@code something-something-v2-train.json} / {@code -validation.json}: an array of
 * {@code {"id": "78687", "label": "holding potato next to vicks vaporub bottle", "template": "Holding
 * [something] next to [something]", "placeholders": ["potato", "vicks vaporub bottle"]}}; the class is
 * the template with {@code [} and {@code ]} removed (as the official {@code process_dataset.py}).</li>
 * <li>Test file {@code something-something-v2-test.json}: an array of {@code {"id": "1420"}}
 * (samples are {@link VideoSample#UNLABELLED}).</li>
 * <li>Videos {@code {id}.webm} (VP9) in one folder, or frame folders {@code {id}/} if extracted.</li>
 * </ul>
 */
public final class SomethingSomethingV2 {
    private SomethingSomethingV2() {}

    /** File extension of the released videos. */
    public static final String VIDEO_EXTENSION = ".webm";

    /** One element of a split file. */
    public record Entry(String id, String label, String template, List<String> placeholders) {
        public Entry {
            placeholders = List.copyOf(placeholders);
        }
    }

    /**
     * The template without brackets: {@code "Holding [something] next to [something]"} becomes
     * {@code "Holding something next to something"}.
     *
     * @param template a template
     * @return the class name
     */
    public static String stripBrackets(String template) {
        return template.replace("[", "").replace("]", "");
    }

    /**
     * Reads the labels JSON.
     *
     * @param labelsJson the file
     * @return class names in id order
     * @throws AnnotationException on malformed JSON, non-integer or duplicate ids, or gaps in 0..K−1
     */
    public static List<String> readLabels(Path labelsJson) {
        List<Json.Field> fields = Json.readObjectFields(labelsJson);
        String[] names = new String[fields.size()];
        for (Json.Field f : fields) {
            int id;
            JsonNode v = f.value();
            try {
                id = v.isNumber() ? v.intValue() : Integer.parseInt(v.asText().trim());
            } catch (NumberFormatException e) {
                throw new AnnotationException(labelsJson, f.line(), "class id of '" + f.name()
                        + "' must be an integer, found " + v);
            }
            if (id < 0 || id >= names.length) {
                throw new AnnotationException(labelsJson, f.line(), "class id " + id + " of '" + f.name()
                        + "' is outside 0.." + (names.length - 1));
            }
            if (names[id] != null) {
                throw new AnnotationException(labelsJson, f.line(), "class id " + id + " given to both '"
                        + names[id] + "' and '" + f.name() + "'");
            }
            names[id] = f.name();
        }
        return Arrays.asList(names);
    }

    /**
     * Reads a split, videos {@code {id}.webm} in {@code videoDir}.
     *
     * @param labelsJson labels file
     * @param splitJson train, validation or test file
     * @param videoDir folder holding the videos (or frame folders named by id)
     * @return the dataset
     */
    public static VideoDataset read(Path labelsJson, Path splitJson, Path videoDir) {
        return read(labelsJson, splitJson, videoDir, VIDEO_EXTENSION);
    }

    /**
     * Reads a split.
     *
     * @param labelsJson labels file
     * @param splitJson train, validation or test file
     * @param videoDir folder holding the videos
     * @param extension video file extension with its dot ({@code ".webm"}), or {@code ""} for frame folders
     * @return the dataset
     * @throws AnnotationException on malformed JSON, a missing id, or a template not in the labels file
     */
    public static VideoDataset read(Path labelsJson, Path splitJson, Path videoDir, String extension) {
        List<String> classes = readLabels(labelsJson);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            ids.put(classes.get(i), i);
        }
        List<VideoSample> samples = new ArrayList<>();
        for (Json.Located e : Json.readArray(splitJson)) {
            JsonNode n = e.node();
            if (!n.isObject() || !n.hasNonNull("id")) {
                throw new AnnotationException(splitJson, e.line(), "expected an object with an \"id\", found " + n);
            }
            String id = n.get("id").asText();
            int label = VideoSample.UNLABELLED;
            if (n.hasNonNull("template")) {
                String name = stripBrackets(n.get("template").asText());
                Integer l = ids.get(name);
                if (l == null) {
                    throw new AnnotationException(splitJson, e.line(), "unknown label '" + name + "' of video " + id
                            + " (not in " + labelsJson.getFileName() + ")");
                }
                label = l;
            }
            samples.add(new VideoSample(id, videoDir.resolve(id + extension), label));
        }
        return new VideoDataset("something-something-v2 " + splitJson.getFileName(), classes, samples);
    }

    /**
     * Writes a labels JSON (template → id as a string, as released).
     *
     * @param file destination
     * @param classNames class names in id order
     */
    public static void writeLabels(Path file, List<String> classNames) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < classNames.size(); i++) {
            m.put(classNames.get(i), Integer.toString(i));
        }
        write(file, Json.MAPPER.valueToTree(m));
    }

    /**
     * Writes a split JSON; entries with a null template are written with the id only (test format).
     *
     * @param file destination
     * @param entries the entries
     */
    public static void writeSplit(Path file, List<Entry> entries) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (Entry e : entries) {
            ObjectNode o = arr.addObject();
            o.put("id", e.id());
            if (e.template() != null) {
                o.put("label", e.label());
                o.put("template", e.template());
                ArrayNode p = o.putArray("placeholders");
                e.placeholders().forEach(p::add);
            }
        }
        write(file, arr);
    }

    private static void write(Path file, JsonNode node) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), node);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
