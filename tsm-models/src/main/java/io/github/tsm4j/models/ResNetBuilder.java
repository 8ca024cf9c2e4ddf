package io.github.tsm4j.models;

/**
 * torchvision's ResNet (v1.5: stride on the 3×3 conv) with the temporal shift placed as the official TSM code
 * places it. Vertex names are torchvision module paths ({@code conv1}, {@code layer2.0.downsample.0}, …).
 */
final class ResNetBuilder {

    /** Blocks in layer3 from which the official code shifts only every second block. */
    static final int SPARSE_SHIFT_MIN_LAYER3_BLOCKS = 23;

    private ResNetBuilder() {
    }

    /**
     * Adds the backbone and head.
     *
     * @return the output vertex name
     */
    static String build(Layers l, TsmConfig config, String input) {
        Backbone backbone = config.backbone();
        int w = config.baseWidth();
        int expansion = backbone.bottleneck() ? 4 : 1;
        int[] stages = backbone.blocksPerStage();
        int everyNth = config.placement() == ShiftPlacement.RESIDUAL
                && stages[2] >= SPARSE_SHIFT_MIN_LAYER3_BLOCKS ? 2 : 1;

        String x = l.conv("conv1", l.inputLayout(input), 3, w, 7, 2, 3);
        x = l.bnRelu("bn1", "relu", x, w);
        x = l.maxPool("maxpool", x, 3, 2, 1);

        int segments = config.segments();
        int inplanes = w;
        for (int stage = 0; stage < 4; stage++) {
            String layer = "layer" + (stage + 1);
            int planes = w << stage;
            if (stage == 1 && config.temporalPool() && !l.streaming()) {
                x = l.temporalPool(layer + ".tpool", x, segments);
                segments /= 2;
            }
            for (int b = 0; b < stages[stage]; b++) {
                String p = layer + "." + b;
                int stride = b == 0 && stage > 0 ? 2 : 1;
                boolean shift = config.shifted() && b % everyNth == 0;
                String branchIn = x;
                String shortcut = x;
                if (shift) {
                    switch (config.placement()) {
                        case RESIDUAL -> branchIn = l.shift(p + ".shift", x, segments);
                        case IN_PLACE -> {
                            branchIn = l.shift(p + ".shift", x, segments);
                            shortcut = branchIn;
                        }
                        case NONE -> throw new IllegalStateException("unreachable: shift with placement NONE");
                    }
                }
                String y;
                if (backbone.bottleneck()) {
                    y = l.conv(p + ".conv1", branchIn, inplanes, planes, 1, 1, 0);
                    y = l.bnRelu(p + ".bn1", p + ".relu1", y, planes);
                    y = l.conv(p + ".conv2", y, planes, planes, 3, stride, 1);
                    y = l.bnRelu(p + ".bn2", p + ".relu2", y, planes);
                    y = l.conv(p + ".conv3", y, planes, planes * expansion, 1, 1, 0);
                    y = l.bn(p + ".bn3", y, planes * expansion);
                } else {
                    y = l.conv(p + ".conv1", branchIn, inplanes, planes, 3, stride, 1);
                    y = l.bnRelu(p + ".bn1", p + ".relu1", y, planes);
                    y = l.conv(p + ".conv2", y, planes, planes, 3, 1, 1);
                    y = l.bn(p + ".bn2", y, planes);
                }
                if (stride != 1 || inplanes != planes * expansion) {
                    shortcut = l.conv(p + ".downsample.0", shortcut, inplanes, planes * expansion, 1, stride, 0);
                    shortcut = l.bn(p + ".downsample.1", shortcut, planes * expansion);
                }
                x = l.relu(p + ".relu", l.add(p + ".add", y, shortcut));
                inplanes = planes * expansion;
            }
        }
        return l.head(x, inplanes, segments);
    }
}
