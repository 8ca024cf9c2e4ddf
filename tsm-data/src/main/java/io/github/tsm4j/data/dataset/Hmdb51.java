package io.github.tsm4j.data.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * HMDB51 from its released split files ({@code testTrainMulti_7030_splits/}): one file per class and
 * split, {@code {class}_test_split{1,2,3}.txt}, lines {@code {video}.avi {0|1|2}} (1 training, 2
 * testing, 0 unused). Class ids: class names sorted. Videos {@code root/{class}/{video}.avi}.
 */
public final class Hmdb51 {
    private Hmdb51() {}

    private static final Pattern FILE = Pattern.compile("(.+)_test_split([123])\\.txt");

    /** Which part of a split. */
    public enum Part {
        /** Lines marked 1. */
        TRAIN,
        /** Lines marked 2. */
        TEST
    }

    /**
     * @param splitDir folder of split files
     * @param split 1, 2 or 3
     * @param part training or testing videos
     * @param root folder with one subfolder per class
     * @return the dataset
     */
    public static VideoDataset read(Path splitDir, int split, Part part, Path root) {
        if (split < 1 || split > 3) {
            throw new IllegalArgumentException("HMDB51 split must be 1, 2 or 3, found " + split);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(splitDir)) {
            files = s.filter(p -> {
                Matcher m = FILE.matcher(p.getFileName().toString());
                return m.matches() && Integer.parseInt(m.group(2)) == split;
            }).sorted().toList();
        } catch (IOException e) {
            throw new AnnotationException(splitDir, 0, "cannot list split files (" + e + ")", e);
        }
        if (files.isEmpty()) {
            throw new AnnotationException(splitDir, 0, "no *_test_split" + split + ".txt files");
        }
        List<String> classes = new ArrayList<>();
        for (Path f : files) {
            Matcher m = FILE.matcher(f.getFileName().toString());
            m.matches();
            classes.add(m.group(1));
        }
        List<String> sorted = classes.stream().sorted().toList();
        String wanted = part == Part.TRAIN ? "1" : "2";
        List<VideoSample> samples = new ArrayList<>();
        for (int c = 0; c < files.size(); c++) {
            Path f = files.get(c);
            String cls = classes.get(c);
            int id = sorted.indexOf(cls);
            for (TextLines.Line l : TextLines.read(f)) {
                String[] parts = l.text().split("\\s+");
                if (parts.length != 2 || !parts[1].matches("[012]")) {
                    throw TextLines.malformed(f, l, "'<video>.avi <0|1|2>'");
                }
                if (parts[1].equals(wanted)) {
                    String stem = parts[0].contains(".") ? parts[0].substring(0, parts[0].lastIndexOf('.')) : parts[0];
                    samples.add(new VideoSample(stem, root.resolve(cls).resolve(parts[0]), id));
                }
            }
        }
        return new VideoDataset("hmdb51 split " + split + " " + part.name().toLowerCase(java.util.Locale.ROOT), sorted, samples);
    }
}
