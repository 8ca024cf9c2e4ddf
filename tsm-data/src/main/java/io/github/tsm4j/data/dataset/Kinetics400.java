package io.github.tsm4j.data.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Kinetics-400 from the released CSV files ({@code label,youtube_id,time_start,time_end,split} with a
 * header; the test CSV has no {@code label} column). Video files are
 * {@code {youtube_id}_{time_start:06d}_{time_end:06d}.mp4}, looked for in {@code root/{label}/} and
 * then in {@code root/} (the usual downloader layouts). Class ids: the sorted label names of the
 * training CSV (as the official TSM list generation), or a list given by the caller.
 */
public final class Kinetics400 {
    private Kinetics400() {}

    /**
     * The sorted set of labels in a CSV (use the training CSV to fix class ids).
     *
     * @param csv a Kinetics CSV with a {@code label} column
     * @return sorted class names
     */
    public static List<String> classNames(Path csv) {
        TreeSet<String> names = new TreeSet<>();
        forEachRow(csv, (row, line) -> {
            if (row.label() == null) {
                throw new AnnotationException(csv, line, "no label column; class names come from a labelled CSV");
            }
            names.add(row.label());
        });
        return List.copyOf(names);
    }

    /**
     * Reads a split with class ids from the sorted labels of the same CSV.
     *
     * @param csv the CSV
     * @param root video folder
     * @return the dataset
     */
    public static VideoDataset read(Path csv, Path root) {
        return read(csv, root, classNames(csv));
    }

    /**
     * Reads a split.
     *
     * @param csv train, validate or test CSV
     * @param root video folder
     * @param classNames class names in id order (from the training CSV)
     * @return the dataset
     * @throws AnnotationException for malformed rows or labels not in {@code classNames}
     */
    public static VideoDataset read(Path csv, Path root, List<String> classNames) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < classNames.size(); i++) {
            ids.put(classNames.get(i), i);
        }
        List<VideoSample> samples = new ArrayList<>();
        forEachRow(csv, (row, line) -> {
            String file = String.format("%s_%06d_%06d.mp4", row.youtubeId(), row.start(), row.end());
            String id = file.substring(0, file.length() - 4);
            int label = VideoSample.UNLABELLED;
            Path path = root.resolve(file);
            if (row.label() != null) {
                Integer l = ids.get(row.label());
                if (l == null) {
                    throw new AnnotationException(csv, line, "unknown label '" + row.label() + "'");
                }
                label = l;
                Path inClass = root.resolve(row.label()).resolve(file);
                if (Files.exists(inClass) || !Files.exists(path)) {
                    path = inClass;
                }
            }
            samples.add(new VideoSample(id, path, label));
        });
        return new VideoDataset("kinetics-400 " + csv.getFileName(), classNames, samples);
    }

    private record Row(String label, String youtubeId, int start, int end) {}

    private interface RowHandler {
        void accept(Row row, int line);
    }

    private static void forEachRow(Path csv, RowHandler handler) {
        List<TextLines.Line> lines = TextLines.read(csv);
        if (lines.isEmpty()) {
            throw new AnnotationException(csv, 0, "empty file");
        }
        List<String> header = TextLines.split(csv, lines.get(0), ',');
        int label = header.indexOf("label");
        int yt = header.indexOf("youtube_id");
        int start = header.indexOf("time_start");
        int end = header.indexOf("time_end");
        if (yt < 0 || start < 0 || end < 0) {
            throw new AnnotationException(csv, lines.get(0).number(), "header must name youtube_id, time_start, time_end"
                    + " (and label), found " + header);
        }
        for (TextLines.Line l : lines.subList(1, lines.size())) {
            List<String> f = TextLines.split(csv, l, ',');
            if (f.size() != header.size()) {
                throw TextLines.malformed(csv, l, header.size() + " comma-separated fields " + header);
            }
            try {
                handler.accept(new Row(label < 0 ? null : f.get(label), f.get(yt),
                        (int) Double.parseDouble(f.get(start)), (int) Double.parseDouble(f.get(end))), l.number());
            } catch (NumberFormatException e) {
                throw TextLines.malformed(csv, l, "numeric time_start and time_end");
            }
        }
    }
}
