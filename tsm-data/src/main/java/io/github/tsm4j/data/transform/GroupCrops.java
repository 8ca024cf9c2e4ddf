package io.github.tsm4j.data.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The crop geometry of the official TSM transforms ({@code ops/transforms.py}): multi-scale crop with
 * fixed offsets ({@code GroupMultiScaleCrop}), centre crop ({@code GroupCenterCrop}), the three
 * full-resolution crops ({@code GroupFullResSample}) and the five oversample crops
 * ({@code GroupOverSample}).
 */
public final class GroupCrops {
    private GroupCrops() {}

    /** Crop scales of {@code GroupMultiScaleCrop}, relative to the short side. */
    public static final double[] MULTI_SCALES = {1, .875, .75, .66};
    /** Largest allowed difference between the width and height scale indices. */
    public static final int MAX_DISTORT = 1;

    /**
     * The (width, height) crop candidates of {@code GroupMultiScaleCrop._sample_crop_size}:
     * {@code int(short · scale)}, snapped to {@code inputSize} when within 3 pixels, paired when their
     * scale indices differ by at most {@link #MAX_DISTORT}.
     *
     * @param imageWidth frame width
     * @param imageHeight frame height
     * @param inputSize network input side
     * @return {@code {w, h}} pairs in the official order
     */
    public static List<int[]> multiScaleSizes(int imageWidth, int imageHeight, int inputSize) {
        int base = Math.min(imageWidth, imageHeight);
        int[] sizes = new int[MULTI_SCALES.length];
        for (int i = 0; i < sizes.length; i++) {
            int s = (int) (base * MULTI_SCALES[i]);
            sizes[i] = Math.abs(s - inputSize) < 3 ? inputSize : s;
        }
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {        // height index
            for (int j = 0; j < sizes.length; j++) {    // width index
                if (Math.abs(i - j) <= MAX_DISTORT) {
                    pairs.add(new int[] {sizes[j], sizes[i]});
                }
            }
        }
        return pairs;
    }

    /**
     * The fixed offsets of {@code GroupMultiScaleCrop.fill_fix_offset}: with {@code wStep = (W − w) / 4},
     * {@code hStep = (H − h) / 4}, the four corners and the centre, and with {@code more} the 8 further
     * points (centre left/right, lower/upper centre, the four quarter points): 13 in all.
     *
     * @param more {@code more_fix_crop}
     * @param imageWidth frame width
     * @param imageHeight frame height
     * @param cropWidth crop width
     * @param cropHeight crop height
     * @return {@code {x, y}} offsets in the official order
     */
    public static List<int[]> fixedOffsets(boolean more, int imageWidth, int imageHeight, int cropWidth, int cropHeight) {
        int ws = (imageWidth - cropWidth) / 4;
        int hs = (imageHeight - cropHeight) / 4;
        List<int[]> r = new ArrayList<>();
        r.add(new int[] {0, 0});
        r.add(new int[] {4 * ws, 0});
        r.add(new int[] {0, 4 * hs});
        r.add(new int[] {4 * ws, 4 * hs});
        r.add(new int[] {2 * ws, 2 * hs});
        if (more) {
            r.add(new int[] {0, 2 * hs});
            r.add(new int[] {4 * ws, 2 * hs});
            r.add(new int[] {2 * ws, 4 * hs});
            r.add(new int[] {2 * ws, 0});
            r.add(new int[] {ws, hs});
            r.add(new int[] {3 * ws, hs});
            r.add(new int[] {ws, 3 * hs});
            r.add(new int[] {3 * ws, 3 * hs});
        }
        return r;
    }

    /**
     * One random multi-scale crop: a random size pair, then a random one of the 13 fixed offsets.
     *
     * @param imageWidth frame width
     * @param imageHeight frame height
     * @param inputSize network input side
     * @param rng random source
     * @return the crop (to be resized to {@code inputSize × inputSize})
     */
    public static CropBox sampleMultiScale(int imageWidth, int imageHeight, int inputSize, RandomGenerator rng) {
        List<int[]> sizes = multiScaleSizes(imageWidth, imageHeight, inputSize);
        int[] wh = sizes.get(rng.nextInt(sizes.size()));
        int w = Math.min(wh[0], imageWidth);
        int h = Math.min(wh[1], imageHeight);
        List<int[]> offsets = fixedOffsets(true, imageWidth, imageHeight, w, h);
        int[] o = offsets.get(rng.nextInt(offsets.size()));
        return new CropBox(o[0], o[1], w, h);
    }

    /**
     * torchvision's centre crop: top = {@code round((H − h) / 2)}, left = {@code round((W − w) / 2)},
     * rounding half to even as Python's {@code round}.
     *
     * @param imageWidth frame width
     * @param imageHeight frame height
     * @param cropWidth crop width
     * @param cropHeight crop height
     * @return the crop
     */
    public static CropBox centre(int imageWidth, int imageHeight, int cropWidth, int cropHeight) {
        check(imageWidth, imageHeight, cropWidth, cropHeight);
        int x = (int) Math.rint((imageWidth - cropWidth) / 2.0);
        int y = (int) Math.rint((imageHeight - cropHeight) / 2.0);
        return new CropBox(x, y, cropWidth, cropHeight);
    }

    /**
     * {@code GroupFullResSample}'s three crops: left, right, centre (in that order), all at the vertical
     * centre step {@code 2·hStep}.
     *
     * @param imageWidth frame width
     * @param imageHeight frame height
     * @param crop crop side
     * @return three crops
     */
    public static List<CropBox> threeCrops(int imageWidth, int imageHeight, int crop) {
        check(imageWidth, imageHeight, crop, crop);
        int ws = (imageWidth - crop) / 4;
        int hs = (imageHeight - crop) / 4;
        return List.of(new CropBox(0, 2 * hs, crop, crop), new CropBox(4 * ws, 2 * hs, crop, crop),
                new CropBox(2 * ws, 2 * hs, crop, crop));
    }

    /**
     * {@code GroupOverSample}'s five crops: the four corners and the centre of {@link #fixedOffsets}.
     *
     * @param imageWidth frame width
     * @param imageHeight frame height
     * @param crop crop side
     * @return five crops
     */
    public static List<CropBox> fiveCrops(int imageWidth, int imageHeight, int crop) {
        check(imageWidth, imageHeight, crop, crop);
        List<CropBox> out = new ArrayList<>();
        for (int[] o : fixedOffsets(false, imageWidth, imageHeight, crop, crop)) {
            out.add(new CropBox(o[0], o[1], crop, crop));
        }
        return out;
    }

    private static void check(int w, int h, int cw, int ch) {
        if (cw > w || ch > h) {
            throw new IllegalArgumentException("crop " + cw + "x" + ch + " is larger than the frame " + w + "x" + h);
        }
    }
}
