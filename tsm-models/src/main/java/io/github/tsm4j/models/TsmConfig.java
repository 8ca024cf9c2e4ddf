package io.github.tsm4j.models;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * Everything that defines a TSM network apart from its weights: backbone, shift, head and input. Immutable;
 * validated on construction (messages name the field, the value found and the rule). Stored as JSON inside
 * every saved {@link TsmModel}.
 *
 * <p>The network takes clips {@code [N·T, 3, H, W]} (NCHW, the T frames of a video contiguous, H = W =
 * {@code input.cropSize()}) and returns {@code [N, numClasses]} ({@code [N·T', numClasses]} with
 * {@link ConsensusMode#IDENTITY}, T' = T or T/2 with temporal pooling).
 *
 * @param backbone the 2D backbone
 * @param numClasses classes K of the classifier {@code fc}, at least 1
 * @param input preprocessing and frames per clip ({@code input.segments()} is T)
 * @param placement where the shift goes
 * @param foldDiv 1/foldDiv of the channels move each way (8 in the paper), at least 2 and at most the
 *     smallest shifted channel count
 * @param direction bi-directional (offline) or uni-directional (online-capable) shift
 * @param temporalPool max-pool over time (kernel 3, stride 2) before layer2; ResNet only, T even
 * @param dropout drop probability p before {@code fc}, in [0, 1) (0.5 in the paper; 0 disables)
 * @param consensus how per-frame logits become per-video logits
 * @param dataFormat the layout inside the network (the input is always NCHW; NHWC is permuted once at the
 *     input and is the fast layout on CPUs)
 * @param baseWidth ResNet stem width (64 = torchvision); smaller values give narrow test networks.
 *     MobileNetV2 requires the default
 */
public record TsmConfig(
        Backbone backbone,
        int numClasses,
        InputSpec input,
        ShiftPlacement placement,
        int foldDiv,
        ShiftDirection direction,
        boolean temporalPool,
        double dropout,
        ConsensusMode consensus,
        CNN2DFormat dataFormat,
        int baseWidth) {

    /** Default frames per clip (the paper's 8-frame models). */
    public static final int DEFAULT_SEGMENTS = 8;
    /** Default shift proportion: 1/8 of the channels each way. */
    public static final int DEFAULT_FOLD_DIV = 8;
    /** Default dropout before the classifier. */
    public static final double DEFAULT_DROPOUT = 0.5;
    /** torchvision's ResNet stem width. */
    public static final int DEFAULT_BASE_WIDTH = 64;
    /** Smallest channel count a MobileNetV2 shift sees (features.3 input). */
    private static final int MOBILENET_MIN_SHIFT_CHANNELS = 24;

    public TsmConfig {
        requireNonNull(backbone, "backbone");
        requireNonNull(input, "input");
        requireNonNull(placement, "placement");
        requireNonNull(direction, "direction");
        requireNonNull(consensus, "consensus");
        requireNonNull(dataFormat, "dataFormat");
        if (numClasses < 1) {
            throw new IllegalArgumentException("TsmConfig.numClasses must be >= 1, found " + numClasses);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("TsmConfig.dropout must be in [0, 1), found " + dropout);
        }
        if (baseWidth < 1) {
            throw new IllegalArgumentException("TsmConfig.baseWidth must be >= 1, found " + baseWidth);
        }
        if (!backbone.isResNet() && baseWidth != DEFAULT_BASE_WIDTH) {
            throw new IllegalArgumentException("TsmConfig.baseWidth applies to ResNet backbones only; "
                    + backbone + " needs " + DEFAULT_BASE_WIDTH + ", found " + baseWidth);
        }
        int minChannels = backbone.isResNet() ? baseWidth : MOBILENET_MIN_SHIFT_CHANNELS;
        if (foldDiv < 2 || foldDiv > minChannels) {
            throw new IllegalArgumentException("TsmConfig.foldDiv must be in [2, " + minChannels
                    + "] (the smallest shifted channel count of " + backbone + "), found " + foldDiv);
        }
        if (placement == ShiftPlacement.IN_PLACE && !backbone.isResNet()) {
            throw new IllegalArgumentException(
                    "TsmConfig.placement IN_PLACE is defined for ResNet backbones only, found backbone " + backbone);
        }
        if (temporalPool) {
            if (!backbone.isResNet()) {
                throw new IllegalArgumentException(
                        "TsmConfig.temporalPool is defined for ResNet backbones only, found backbone " + backbone);
            }
            if (input.segments() < 2 || input.segments() % 2 != 0) {
                throw new IllegalArgumentException("TsmConfig.temporalPool needs an even number of segments >= 2, "
                        + "found segments = " + input.segments());
            }
        }
    }

    private static void requireNonNull(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("TsmConfig." + field + " must not be null");
        }
    }

    /** @return frames per clip T ({@code input().segments()}) */
    public int segments() {
        return input.segments();
    }

    /** @return frames per video reaching the consensus: T, or T/2 with temporal pooling */
    public int consensusSegments() {
        return temporalPool ? input.segments() / 2 : input.segments();
    }

    /** @return true when the network contains shift layers */
    public boolean shifted() {
        return placement != ShiftPlacement.NONE;
    }

    /**
     * @param backbone the backbone
     * @param numClasses the number of classes K
     * @return a builder with the defaults documented on its setters
     */
    public static Builder builder(Backbone backbone, int numClasses) {
        return new Builder(backbone, numClasses);
    }

    /** @return a builder initialised with this configuration, to derive variants */
    public Builder toBuilder() {
        Builder b = new Builder(backbone, numClasses);
        b.input = input;
        b.placement = placement;
        b.foldDiv = foldDiv;
        b.direction = direction;
        b.temporalPool = temporalPool;
        b.dropout = dropout;
        b.consensus = consensus;
        b.dataFormat = dataFormat;
        b.baseWidth = baseWidth;
        return b;
    }

    /** Builds a {@link TsmConfig}; validation happens in {@link #build()}. */
    public static final class Builder {
        private Backbone backbone;
        private int numClasses;
        private InputSpec input = InputSpec.imageNet(DEFAULT_SEGMENTS);
        private ShiftPlacement placement = ShiftPlacement.RESIDUAL;
        private int foldDiv = DEFAULT_FOLD_DIV;
        private ShiftDirection direction = ShiftDirection.BIDIRECTIONAL;
        private boolean temporalPool;
        private double dropout = DEFAULT_DROPOUT;
        private ConsensusMode consensus = ConsensusMode.AVG;
        private CNN2DFormat dataFormat = CNN2DFormat.NCHW;
        private int baseWidth = DEFAULT_BASE_WIDTH;

        private Builder(Backbone backbone, int numClasses) {
            this.backbone = backbone;
            this.numClasses = numClasses;
        }

        /** @param v backbone @return this */
        public Builder backbone(Backbone v) {
            backbone = v;
            return this;
        }

        /** @param v classes K @return this */
        public Builder numClasses(int v) {
            numClasses = v;
            return this;
        }

        /** @param v input description (default {@code InputSpec.imageNet(8)}) @return this */
        public Builder input(InputSpec v) {
            input = v;
            return this;
        }

        /** @param v frames per clip T (default 8), kept in the input spec @return this */
        public Builder segments(int v) {
            input = input.withSegments(v);
            return this;
        }

        /** @param cropSize network input side @param scaleSize short side before cropping @return this */
        public Builder inputSize(int cropSize, int scaleSize) {
            input = input.withSize(cropSize, scaleSize);
            return this;
        }

        /** @param v placement (default RESIDUAL) @return this */
        public Builder placement(ShiftPlacement v) {
            placement = v;
            return this;
        }

        /** @param v fold divisor (default 8) @return this */
        public Builder foldDiv(int v) {
            foldDiv = v;
            return this;
        }

        /** @param v shift direction (default BIDIRECTIONAL) @return this */
        public Builder direction(ShiftDirection v) {
            direction = v;
            return this;
        }

        /** @param v temporal pooling before layer2 (default false) @return this */
        public Builder temporalPool(boolean v) {
            temporalPool = v;
            return this;
        }

        /** @param v drop probability before fc (default 0.5) @return this */
        public Builder dropout(double v) {
            dropout = v;
            return this;
        }

        /** @param v consensus (default AVG) @return this */
        public Builder consensus(ConsensusMode v) {
            consensus = v;
            return this;
        }

        /** @param v layout inside the network (default NCHW) @return this */
        public Builder dataFormat(CNN2DFormat v) {
            dataFormat = v;
            return this;
        }

        /** @param v ResNet stem width (default 64) @return this */
        public Builder baseWidth(int v) {
            baseWidth = v;
            return this;
        }

        /**
         * @return the validated configuration
         * @throws IllegalArgumentException naming the invalid field and value
         */
        public TsmConfig build() {
            return new TsmConfig(backbone, numClasses, input, placement, foldDiv, direction, temporalPool, dropout,
                    consensus, dataFormat, baseWidth);
        }
    }
}
