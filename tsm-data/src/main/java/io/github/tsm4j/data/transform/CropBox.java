package io.github.tsm4j.data.transform;

/**
 * A crop rectangle in pixels.
 *
 * @param x left column
 * @param y top row
 * @param width width, at least 1
 * @param height height, at least 1
 */
public record CropBox(int x, int y, int width, int height) {
    public CropBox {
        if (x < 0 || y < 0 || width < 1 || height < 1) {
            throw new IllegalArgumentException("CropBox needs x, y >= 0 and a positive size, found ("
                    + x + "," + y + " " + width + "x" + height + ")");
        }
    }
}
