package io.github.tsm4j.data.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The list file of the official TSM code ({@code ops/dataset_config.py}, {@code VideoRecord}): one
 * line per video, {@code path num_frames label}, space-separated; {@code path} is a frame folder (or a
 * video) relative to a root. Class names come separately (the official {@code category.txt}, one per
 * line; see {@link ClassNames}).
 */
public final class TsnListFile {
    private TsnListFile() {}

    /**
     * @param listFile the list
     * @param root folder the paths are relative to
     * @param classNames class names in id order
     * @return the dataset; {@link VideoSample#frameCount()} holds {@code num_frames}
     * @throws AnnotationException for malformed lines or labels outside {@code [0, K)}
     */
    public static VideoDataset read(Path listFile, Path root, List<String> classNames) {
        List<VideoSample> samples = new ArrayList<>();
        for (TextLines.Line l : TextLines.read(listFile)) {
            String[] f = l.text().split("\\s+");
            if (f.length != 3) {
                throw TextLines.malformed(listFile, l, "'<path> <num_frames> <label>'");
            }
            int frames;
            int label;
            try {
                frames = Integer.parseInt(f[1]);
                label = Integer.parseInt(f[2]);
            } catch (NumberFormatException e) {
                throw TextLines.malformed(listFile, l, "integer num_frames and label");
            }
            if (label < 0 || label >= classNames.size()) {
                throw new AnnotationException(listFile, l.number(), "unknown label " + label + ", expected 0.."
                        + (classNames.size() - 1));
            }
            if (frames < 0) {
                throw TextLines.malformed(listFile, l, "num_frames >= 0");
            }
            samples.add(new VideoSample(f[0], root.resolve(f[0]), label, frames));
        }
        return new VideoDataset("list " + listFile.getFileName(), classNames, samples);
    }

    /**
     * Writes a list file; paths are written relative to {@code root}, frame counts as stored (samples
     * without one are rejected), unlabelled samples are rejected.
     *
     * @param listFile destination
     * @param root the root paths are made relative to
     * @param dataset the samples
     */
    public static void write(Path listFile, Path root, VideoDataset dataset) {
        StringBuilder sb = new StringBuilder();
        for (VideoSample s : dataset.samples()) {
            if (s.frameCount() < 0 || !s.labelled()) {
                throw new IllegalArgumentException("sample " + s.id() + " needs a frame count and a label for a list file");
            }
            String rel = root.relativize(s.path()).toString().replace('\\', '/');
            if (rel.contains(" ")) {
                throw new IllegalArgumentException("path '" + rel + "' contains a space, which a list file cannot hold");
            }
            sb.append(rel).append(' ').append(s.frameCount()).append(' ').append(s.label()).append('\n');
        }
        try {
            Files.writeString(listFile, sb, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + listFile, e);
        }
    }
}
