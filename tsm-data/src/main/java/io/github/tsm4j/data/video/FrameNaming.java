package io.github.tsm4j.data.video;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * File-name templates of frame folders as the official TSM/TSN extraction scripts write them. Files are
 * numbered from <b>1</b>: frame index {@code i} (0-based, as in {@link VideoReader}) is file number
 * {@code i + 1}.
 */
public enum FrameNaming {
    /** {@code {:05d}.jpg}: Something-Something V1, Jester. */
    FIVE_DIGITS("%05d.jpg", "{:05d}.jpg"),
    /** {@code img_{:05d}.jpg}: the TSN/TSM default for Kinetics, UCF101, HMDB51. */
    IMG_FIVE_DIGITS("img_%05d.jpg", "img_{:05d}.jpg"),
    /** {@code {:06d}.jpg}: the official Something-Something V2 extraction. */
    SIX_DIGITS("%06d.jpg", "{:06d}.jpg");

    private final String format;
    private final String pythonTemplate;

    FrameNaming(String format, String pythonTemplate) {
        this.format = format;
        this.pythonTemplate = pythonTemplate;
    }

    /** @return the Python-style template, e.g. {@code {:05d}.jpg} */
    public String pythonTemplate() {
        return pythonTemplate;
    }

    /**
     * File name of a frame.
     *
     * @param frameIndex 0-based frame index
     * @return the file name (numbered from 1)
     */
    public String fileName(int frameIndex) {
        return String.format(format, frameIndex + 1);
    }

    /**
     * Finds the naming a folder uses by looking for its first frame.
     *
     * @param folder the frame folder
     * @return the naming, or empty when no first frame of any template exists
     */
    public static Optional<FrameNaming> detect(Path folder) {
        for (FrameNaming n : values()) {
            if (Files.isRegularFile(folder.resolve(n.fileName(0)))) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses a Python-style template such as {@code img_{:05d}.jpg}.
     *
     * @param template the template
     * @return the naming
     */
    public static FrameNaming ofTemplate(String template) {
        for (FrameNaming n : values()) {
            if (n.pythonTemplate.equals(template)) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown frame template '" + template + "', expected one of {:05d}.jpg, img_{:05d}.jpg, {:06d}.jpg");
    }
}
