package io.github.tsm4j.data.dataset;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A list of videos with their labels, and the class names in id order (class {@code i} is
 * {@code classNames().get(i)}). The class list is what travels with a trained model.
 *
 * @param name a short description (dataset and split)
 * @param classNames class names, id order, unique
 * @param samples the videos
 */
public record VideoDataset(String name, List<String> classNames, List<VideoSample> samples) {

    public VideoDataset {
        classNames = List.copyOf(classNames);
        samples = List.copyOf(samples);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < classNames.size(); i++) {
            Integer before = seen.put(classNames.get(i), i);
            if (before != null) {
                throw new IllegalArgumentException("VideoDataset " + name + ": class name '" + classNames.get(i)
                        + "' appears twice (ids " + before + " and " + i + ")");
            }
        }
        for (VideoSample s : samples) {
            if (s.label() >= classNames.size()) {
                throw new IllegalArgumentException("VideoDataset " + name + ": sample " + s.id() + " has label "
                        + s.label() + ", expected < " + classNames.size() + " classes");
            }
        }
    }

    /** @return the number of classes K */
    public int numClasses() {
        return classNames.size();
    }

    /** @return the number of samples */
    public int size() {
        return samples.size();
    }

    /**
     * The id of a class name.
     *
     * @param className the name
     * @return its id
     * @throws IllegalArgumentException when unknown
     */
    public int classId(String className) {
        int i = classNames.indexOf(className);
        if (i < 0) {
            throw new IllegalArgumentException("unknown class '" + className + "' in " + name);
        }
        return i;
    }

    /** @return samples per class id (length K) */
    public int[] classCounts() {
        int[] counts = new int[classNames.size()];
        for (VideoSample s : samples) {
            if (s.labelled()) {
                counts[s.label()]++;
            }
        }
        return counts;
    }

    /**
     * The first {@code n} samples (for quick runs).
     *
     * @param n how many
     * @return a smaller dataset with the same classes
     */
    public VideoDataset limit(int n) {
        return new VideoDataset(name, classNames, samples.subList(0, Math.min(n, samples.size())));
    }

    /**
     * Checks that every sample's video file or frame folder exists.
     *
     * @return this dataset
     * @throws AnnotationException naming the first missing path, its sample id and how many are missing
     */
    public VideoDataset requireFiles() {
        VideoSample first = null;
        int missing = 0;
        for (VideoSample s : samples) {
            if (!Files.exists(s.path())) {
                missing++;
                if (first == null) {
                    first = s;
                }
            }
        }
        if (first != null) {
            throw new AnnotationException(first.path(), 0, "missing video of sample " + first.id() + " in " + name
                    + " (" + missing + " of " + samples.size() + " missing)");
        }
        return this;
    }
}
