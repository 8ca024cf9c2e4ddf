package io.github.tsm4j.models;

/**
 * torchvision's MobileNetV2 (width 1.0) with the official TSM shift: before {@code conv.0.0} of the inverted
 * residual blocks that expand (t ≠ 1) and have a residual connection. Vertex names are torchvision module paths
 * ({@code features.0.0}, {@code features.3.conv.1.0}, {@code features.18.1}, …).
 */
final class MobileNetV2Builder {

    /** torchvision's inverted residual settings: expansion t, output channels c, repeats n, first stride s. */
    private static final int[][] SETTINGS = {
        {1, 16, 1, 1},
        {6, 24, 2, 2},
        {6, 32, 3, 2},
        {6, 64, 4, 2},
        {6, 96, 3, 1},
        {6, 160, 3, 2},
        {6, 320, 1, 1},
    };
    private static final int STEM_CHANNELS = 32;

    private MobileNetV2Builder() {
    }

    /** @return the output vertex name */
    static String build(Layers l, TsmConfig config, String input) {
        String x = l.conv("features.0.0", l.inputLayout(input), 3, STEM_CHANNELS, 3, 2, 1);
        x = l.bnRelu6("features.0.1", "features.0.2", x, STEM_CHANNELS);
        int inp = STEM_CHANNELS;
        int index = 1;
        for (int[] s : SETTINGS) {
            for (int i = 0; i < s[2]; i++) {
                x = block(l, config, "features." + index, x, inp, s[1], i == 0 ? s[3] : 1, s[0]);
                inp = s[1];
                index++;
            }
        }
        String last = "features." + index;
        int features = Backbone.MOBILENET_V2_FEATURES;
        x = l.conv(last + ".0", x, inp, features, 1, 1, 0);
        x = l.bnRelu6(last + ".1", last + ".2", x, features);
        return l.head(x, features, config.segments());
    }

    private static String block(Layers l, TsmConfig config, String p, String input, int inp, int oup, int stride,
            int expand) {
        int hidden = inp * expand;
        boolean residual = stride == 1 && inp == oup;
        String y;
        if (expand == 1) {
            y = l.depthwise(p + ".conv.0.0", input, hidden, 3, stride, 1);
            y = l.bnRelu6(p + ".conv.0.1", p + ".conv.0.2", y, hidden);
            y = l.conv(p + ".conv.1", y, hidden, oup, 1, 1, 0);
            y = l.bn(p + ".conv.2", y, oup);
        } else {
            String branchIn = config.shifted() && residual ? l.shift(p + ".shift", input, config.segments()) : input;
            y = l.conv(p + ".conv.0.0", branchIn, inp, hidden, 1, 1, 0);
            y = l.bnRelu6(p + ".conv.0.1", p + ".conv.0.2", y, hidden);
            y = l.depthwise(p + ".conv.1.0", y, hidden, 3, stride, 1);
            y = l.bnRelu6(p + ".conv.1.1", p + ".conv.1.2", y, hidden);
            y = l.conv(p + ".conv.2", y, hidden, oup, 1, 1, 0);
            y = l.bn(p + ".conv.3", y, oup);
        }
        return residual ? l.add(p + ".add", y, input) : y;
    }
}
