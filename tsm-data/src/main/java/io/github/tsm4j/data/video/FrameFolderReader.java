package io.github.tsm4j.data.video;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import io.github.tsm4j.core.ResizeMethod;
import io.github.tsm4j.data.image.ImageOps;
import io.github.tsm4j.data.image.RgbFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Reads a folder of extracted frames ({@code 00001.jpg}, {@code img_00001.jpg} or {@code 000001.jpg},
 * numbered from 1; see {@link FrameNaming}) with OpenCV's {@code imread}. Frame index {@code i}
 * (0-based) is file number {@code i + 1}. The frame count is the number of consecutive files from
 * number 1.
 */
public final class FrameFolderReader implements VideoReader {
    private final Path folder;
    private final FrameNaming naming;
    private final int count;
    private final int width;
    private final int height;

    private FrameFolderReader(Path folder, FrameNaming naming, int count, int width, int height) {
        this.folder = folder;
        this.naming = naming;
        this.count = count;
        this.width = width;
        this.height = height;
    }

    /**
     * Opens a frame folder, detecting its naming.
     *
     * @param folder the folder
     * @return the reader
     * @throws VideoDecodeException when the folder is missing or holds no first frame
     */
    public static FrameFolderReader open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new VideoDecodeException(folder, "no such frame folder");
        }
        FrameNaming naming = FrameNaming.detect(folder).orElseThrow(() -> new VideoDecodeException(folder,
                "no first frame found (looked for 00001.jpg, img_00001.jpg, 000001.jpg)"));
        return open(folder, naming);
    }

    /**
     * Opens a frame folder with a known naming.
     *
     * @param folder the folder
     * @param naming the file naming
     * @return the reader
     */
    public static FrameFolderReader open(Path folder, FrameNaming naming) {
        int n = 0;
        while (Files.isRegularFile(folder.resolve(naming.fileName(n)))) {
            n++;
        }
        if (n == 0) {
            throw new VideoDecodeException(folder, "no frames named " + naming.pythonTemplate() + " from 1");
        }
        RgbFrame first = load(folder.resolve(naming.fileName(0)), 0);
        return new FrameFolderReader(folder, naming, n, first.width(), first.height());
    }

    @Override
    public Path path() {
        return folder;
    }

    /** @return the file naming of this folder */
    public FrameNaming naming() {
        return naming;
    }

    @Override
    public int frameCount() {
        return count;
    }

    @Override
    public OptionalInt declaredFrameCount() {
        return OptionalInt.of(count);
    }

    @Override
    public double frameRate() {
        return 0;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public List<RgbFrame> read(int[] frameIndices, int shortSide, ResizeMethod method) {
        VideoReader.checkIndices(folder, frameIndices, count);
        List<RgbFrame> out = new ArrayList<>(frameIndices.length);
        RgbFrame previous = null;
        int previousIndex = -1;
        for (int i : frameIndices) {
            if (i != previousIndex) {
                previous = load(folder.resolve(naming.fileName(i)), shortSide, method);
                previousIndex = i;
            }
            out.add(previous);
        }
        return out;
    }

    /**
     * Loads one image file as RGB.
     *
     * @param file the image
     * @param shortSide scale the short side to this, or 0 for native size
     * @return the frame
     */
    public static RgbFrame load(Path file, int shortSide) {
        return load(file, shortSide, io.github.tsm4j.core.InputSpec.DEFAULT_RESIZE);
    }

    /**
     * Loads one image file as RGB.
     *
     * @param file the image
     * @param shortSide scale the short side to this, or 0 for native size
     * @param method the resize method
     * @return the frame
     */
    public static RgbFrame load(Path file, int shortSide, ResizeMethod method) {
        try (Mat bgr = imread(file.toString(), IMREAD_COLOR)) {
            if (bgr == null || bgr.empty()) {
                throw new VideoDecodeException(file, "cannot read image");
            }
            try (Mat rgb = new Mat()) {
                cvtColor(bgr, rgb, COLOR_BGR2RGB);
                RgbFrame f = ImageOps.toFrame(rgb);
                return shortSide > 0 ? ImageOps.scaleShortSide(f, shortSide, method) : f;
            }
        }
    }

    @Override
    public void close() {
        // nothing held open
    }
}
