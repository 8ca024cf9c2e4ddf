package io.github.tsm4j.data.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * UCF101 from its released split files ({@code ucfTrainTestlist/}): {@code classInd.txt} ({@code 1
 * ApplyEyeMakeup}, 1-based), {@code trainlist0N.txt} ({@code ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi
 * 1}), {@code testlist0N.txt} ({@code ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi}; the class is the
 * folder). Videos {@code root/{class}/{file}.avi}; sample ids are file names without extension. Class
 * id = classInd number − 1.
 */
public final class Ucf101 {
    private Ucf101() {}

    /**
     * @param classInd {@code classInd.txt}
     * @return class names in id order
     */
    public static List<String> readClasses(Path classInd) {
        List<TextLines.Line> lines = TextLines.read(classInd);
        String[] names = new String[lines.size()];
        for (TextLines.Line l : lines) {
            String[] f = l.text().split("\\s+");
            int n;
            try {
                n = f.length == 2 ? Integer.parseInt(f[0]) : -1;
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > names.length) {
                throw TextLines.malformed(classInd, l, "'<number 1.." + names.length + "> <class>'");
            }
            if (names[n - 1] != null) {
                throw new AnnotationException(classInd, l.number(), "class number " + n + " given twice");
            }
            names[n - 1] = f[1];
        }
        return List.of(names);
    }

    /**
     * @param classInd {@code classInd.txt}
     * @param splitFile a train or test list
     * @param root folder with one subfolder per class
     * @return the dataset
     * @throws AnnotationException for malformed lines, unknown classes, or a label that contradicts the folder
     */
    public static VideoDataset read(Path classInd, Path splitFile, Path root) {
        List<String> classes = readClasses(classInd);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            ids.put(classes.get(i), i);
        }
        List<VideoSample> samples = new ArrayList<>();
        for (TextLines.Line l : TextLines.read(splitFile)) {
            String[] f = l.text().split("\\s+");
            if (f.length > 2 || !f[0].contains("/")) {
                throw TextLines.malformed(splitFile, l, "'<class>/<file>.avi [label]'");
            }
            String folder = f[0].substring(0, f[0].indexOf('/'));
            Integer id = ids.get(folder);
            if (id == null) {
                throw new AnnotationException(splitFile, l.number(), "unknown label '" + folder + "' (not in "
                        + classInd.getFileName() + ")");
            }
            if (f.length == 2) {
                int given;
                try {
                    given = Integer.parseInt(f[1]) - 1;
                } catch (NumberFormatException e) {
                    throw TextLines.malformed(splitFile, l, "a numeric label");
                }
                if (given != id) {
                    throw new AnnotationException(splitFile, l.number(), "label " + f[1] + " contradicts folder '"
                            + folder + "' (class " + (id + 1) + ")");
                }
            }
            String file = f[0].substring(f[0].indexOf('/') + 1);
            String stem = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
            samples.add(new VideoSample(stem, root.resolve(f[0]), id));
        }
        return new VideoDataset("ucf101 " + splitFile.getFileName(), classes, samples);
    }
}
