package io.github.tsm4j.examples.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link VideoRow}s are written: one JSON object per line, or CSV with a header. Both read back exactly (the
 * resume of {@link BatchRecognition} reads them). In CSV the list-valued cells ({@code top_labels},
 * {@code top_indices}, {@code top_probabilities}, {@code frame_indices}) hold JSON arrays, quoted per RFC 4180,
 * so labels may contain any character.
 */
public enum RowFormat {
    /** JSON lines: {@code {"video":…,"top":[{"label":…,"index":…,"probability":…}],…,"error":null}}. */
    JSONL("jsonl"),
    /** CSV: {@value #CSV_HEADER}. */
    CSV("csv");

    /** The CSV header line. */
    public static final String CSV_HEADER = "video,status,error,top_labels,top_indices,top_probabilities,clips,crops,"
            + "frames,frame_count,frame_indices";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String extension;

    RowFormat(String extension) {
        this.extension = extension;
    }

    /** @return the file extension without the dot */
    public String extension() {
        return extension;
    }

    /** @return the header line, or null (JSON lines have none) */
    public String header() {
        return switch (this) {
            case JSONL -> null;
            case CSV -> CSV_HEADER;
        };
    }

    /**
     * @param row a row
     * @return its line (no line break)
     */
    public String write(VideoRow row) {
        try {
            return switch (this) {
                case JSONL -> JSON.writeValueAsString(row);
                case CSV -> String.join(",", quote(row.video()), row.ok() ? "ok" : "failed",
                        row.ok() ? "" : quote(row.error()),
                        quote(JSON.writeValueAsString(row.top().stream().map(VideoRow.Ranked::label).toList())),
                        quote(JSON.writeValueAsString(row.top().stream().map(VideoRow.Ranked::index).toList())),
                        quote(JSON.writeValueAsString(row.top().stream().map(VideoRow.Ranked::probability).toList())),
                        Integer.toString(row.clips()), Integer.toString(row.crops()), Integer.toString(row.frames()),
                        Integer.toString(row.frameCount()), quote(JSON.writeValueAsString(row.frameIndices())));
            };
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the row of " + row.video() + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param line a line written by {@link #write} (not the header)
     * @return the row
     * @throws IllegalArgumentException naming what is wrong
     */
    public VideoRow read(String line) {
        try {
            return switch (this) {
                case JSONL -> fromJson(JSON.readTree(line));
                case CSV -> fromCsv(split(line));
            };
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a " + name() + " result row (" + e.getMessage() + "): " + line, e);
        }
    }

    private static VideoRow fromJson(JsonNode n) {
        List<VideoRow.Ranked> top = new ArrayList<>();
        for (JsonNode t : n.get("top")) {
            top.add(new VideoRow.Ranked(t.get("label").asText(), t.get("index").asInt(),
                    t.get("probability").asDouble()));
        }
        List<Integer> indices = new ArrayList<>();
        n.get("frameIndices").forEach(i -> indices.add(i.asInt()));
        JsonNode error = n.get("error");
        return new VideoRow(n.get("video").asText(), top, n.get("clips").asInt(), n.get("crops").asInt(),
                n.get("frames").asInt(), n.get("frameCount").asInt(), indices,
                error == null || error.isNull() ? null : error.asText());
    }

    private static VideoRow fromCsv(List<String> c) throws JsonProcessingException {
        if (c.size() != 11) {
            throw new IllegalArgumentException("expected 11 columns (" + CSV_HEADER + "), found " + c.size());
        }
        List<String> labels = JSON.readValue(c.get(3), new TypeReference<List<String>>() {});
        List<Integer> indices = JSON.readValue(c.get(4), new TypeReference<List<Integer>>() {});
        List<Double> probabilities = JSON.readValue(c.get(5), new TypeReference<List<Double>>() {});
        if (labels.size() != indices.size() || labels.size() != probabilities.size()) {
            throw new IllegalArgumentException("top_labels, top_indices and top_probabilities differ in length");
        }
        List<VideoRow.Ranked> top = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            top.add(new VideoRow.Ranked(labels.get(i), indices.get(i), probabilities.get(i)));
        }
        boolean ok = switch (c.get(1)) {
            case "ok" -> true;
            case "failed" -> false;
            default -> throw new IllegalArgumentException("status must be ok or failed, found " + c.get(1));
        };
        return new VideoRow(c.get(0), top, Integer.parseInt(c.get(6)), Integer.parseInt(c.get(7)),
                Integer.parseInt(c.get(8)), Integer.parseInt(c.get(9)),
                JSON.readValue(c.get(10), new TypeReference<List<Integer>>() {}), ok ? null : c.get(2));
    }

    static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    /** Splits one RFC 4180 line (no line breaks inside cells: rows never contain any). */
    static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote");
        }
        cells.add(cell.toString());
        return cells;
    }
}
