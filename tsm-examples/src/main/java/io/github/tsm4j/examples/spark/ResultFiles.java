package io.github.tsm4j.examples.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The output of {@link BatchRecognition}: the result file (one row per video) and a folder of part files, one per
 * completed partition of a run, each written atomically (temporary file, then rename) as soon as its task
 * finishes. At the end of a run the parts are merged into the result file (again atomically) and deleted; a driver
 * lost on the way leaves the result file of the previous run plus complete parts, which the next run reads.
 *
 * <p>{@code --output results.jsonl} (a name ending in {@code .jsonl} or {@code .csv}): parts in
 * {@code results.jsonl.parts/}. Any other name is a folder: {@code FOLDER/results.jsonl} and {@code FOLDER/parts/}.
 *
 * @param file the result file
 * @param parts the folder of part files
 * @param format the row format
 */
public record ResultFiles(Path file, Path parts, RowFormat format) {

    /** Validates. */
    public ResultFiles {
        java.util.Objects.requireNonNull(file, "ResultFiles.file");
        java.util.Objects.requireNonNull(parts, "ResultFiles.parts");
        java.util.Objects.requireNonNull(format, "ResultFiles.format");
    }

    /**
     * @param output a file ending in .jsonl or .csv, or a folder
     * @param format the format, or null for the file's extension (JSON lines for a folder)
     * @return the layout
     * @throws IllegalArgumentException when the format contradicts the file's extension
     */
    public static ResultFiles of(Path output, RowFormat format) {
        String name = output.getFileName() == null ? "" : output.getFileName().toString().toLowerCase(Locale.ROOT);
        RowFormat byName = null;
        for (RowFormat f : RowFormat.values()) {
            if (name.endsWith("." + f.extension())) {
                byName = f;
            }
        }
        if (byName == null || Files.isDirectory(output)) {
            RowFormat f = format == null ? RowFormat.JSONL : format;
            return new ResultFiles(output.resolve("results." + f.extension()), output.resolve("parts"), f);
        }
        if (format != null && format != byName) {
            throw new IllegalArgumentException("output " + output + " ends in ." + byName.extension()
                    + " but the format is " + format.name().toLowerCase(Locale.ROOT));
        }
        return new ResultFiles(output, output.resolveSibling(output.getFileName() + ".parts"), byName);
    }

    /**
     * Reads what earlier runs left: the result file, then the part files in the order they were written; a later
     * row of a video replaces an earlier one.
     *
     * @return the latest row of every video, in first-seen order
     * @throws IOException naming the file and line that cannot be read
     */
    public Map<String, VideoRow> read() throws IOException {
        Map<String, VideoRow> rows = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        if (Files.exists(file)) {
            files.add(file);
        }
        files.addAll(partFiles());
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank() || (i == 0 && line.equals(format.header()))) {
                    continue;
                }
                try {
                    VideoRow r = format.read(line);
                    rows.put(r.video(), r);
                } catch (IllegalArgumentException e) {
                    throw new IOException(f + " line " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
        }
        return rows;
    }

    /**
     * @return the part files, oldest first (their names start with the run's start time)
     * @throws IOException when the folder cannot be listed
     */
    public List<Path> partFiles() throws IOException {
        if (!Files.isDirectory(parts)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(parts)) {
            return s.filter(p -> p.getFileName().toString().startsWith("part-")
                    && p.getFileName().toString().endsWith("." + format.extension())).sorted().toList();
        }
    }

    /**
     * Writes one completed partition's rows atomically.
     *
     * @param run the run's id (sortable by start time)
     * @param partition the partition index
     * @param rows its rows
     * @return the part file
     * @throws IOException when it cannot be written
     */
    public Path writePart(String run, int partition, List<VideoRow> rows) throws IOException {
        Files.createDirectories(parts);
        Path target = parts.resolve(String.format(Locale.ROOT, "part-%s-%05d.%s", run, partition,
                format.extension()));
        writeAtomically(target, rows);
        return target;
    }

    /**
     * Replaces the result file with these rows (atomically) and deletes the parts.
     *
     * @param rows the rows
     * @throws IOException when it cannot be written
     */
    public void commit(List<VideoRow> rows) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        writeAtomically(file, rows);
        for (Path p : partFiles()) {
            Files.deleteIfExists(p);
        }
        if (Files.isDirectory(parts)) {
            try (Stream<Path> s = Files.list(parts)) {
                if (s.findAny().isEmpty()) {
                    Files.delete(parts);
                }
            }
        }
    }

    private void writeAtomically(Path target, List<VideoRow> rows) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            if (format.header() != null) {
                w.write(format.header());
                w.newLine();
            }
            for (VideoRow r : rows) {
                w.write(format.write(r));
                w.newLine();
            }
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
