package io.github.tsm4j.models.zoo;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One published checkpoint and everything needed to import it without flags: the network (backbone, shift
 * placement, fold divisor, temporal pooling, direction, segments), the input (crop/scale size, mean/std of
 * pixels in [0, 1]), the dataset and its label list, the published accuracies with their test protocols, where
 * to download it and how to verify it. Read from {@code catalogue.json} ({@link Catalogue#builtIn()}) or built
 * with {@link #builder} (tests, private catalogues).
 *
 * <p>The network takes clips {@code [N·T, 3, cropSize, cropSize]} (T = {@code segments}) like any
 * {@link io.github.tsm4j.models.TsmModel}.
 *
 * @param id unique id, lower case ({@code tsm-r50-kinetics400-8f})
 * @param origin who published it
 * @param kind recognizer, online recognizer or ImageNet backbone
 * @param backbone architecture name ({@code resnet50}, {@code mobilenetv2}; others only for entries tsm4j cannot build)
 * @param placement shift placement ({@link ShiftPlacement#NONE} for TSN and ImageNet weights)
 * @param foldDiv shift fold divisor
 * @param temporalPool temporal max-pooling before layer2
 * @param direction bi-directional (offline) or uni-directional (online demo)
 * @param segments frames per clip T of the published test protocol
 * @param sampling frame sampling of training and test
 * @param cropSize network input side in pixels
 * @param scaleSize short side before cropping
 * @param mean per-channel mean of pixels in [0, 1] (null = ImageNet)
 * @param std per-channel std (null = ImageNet)
 * @param baseWidth ResNet stem width (null = 64, torchvision)
 * @param dataset the training dataset's name
 * @param labels the label list id (see {@link Catalogue#labels}); null for ImageNet backbones (no names shipped)
 * @param numClasses classes of the checkpoint's classifier
 * @param published accuracies as published (may be empty)
 * @param urls download addresses, tried in order
 * @param fileName file name in the cache (the publisher's)
 * @param sha256 expected SHA-256 (64 hex digits), or null when none is published
 * @param sha256Prefix leading hex digits of the SHA-256 that the publisher puts in file names, or null
 * @param parameters trainable parameters of the network (PyTorch's count), or null for entries tsm4j cannot build
 * @param loadable whether tsm4j can build this network and import the checkpoint
 * @param reason why not, for entries that are not loadable
 * @param unverified facts that could not be read or checked (e.g. no published hash)
 */
public record ZooEntry(String id, ModelOrigin origin, ModelKind kind, String backbone, ShiftPlacement placement,
        int foldDiv, boolean temporalPool, ShiftDirection direction, int segments, Sampling sampling, int cropSize,
        int scaleSize, List<Double> mean, List<Double> std, Integer baseWidth, String dataset, String labels,
        int numClasses, List<PublishedAccuracy> published, List<String> urls, String fileName, String sha256,
        String sha256Prefix, Long parameters, boolean loadable, String reason, List<String> unverified) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

    /** Validates; fills the documented defaults. */
    public ZooEntry {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("ZooEntry.id must be lower-case letters, digits, '.', '-' or '_', found '" + id + "'");
        }
        String at = "catalogue entry '" + id + "': ";
        require(origin != null && kind != null && placement != null && direction != null && sampling != null,
                at + "origin, kind, placement, direction and sampling must be set");
        require(backbone != null && !backbone.isBlank(), at + "backbone must be set");
        require(numClasses >= 1, at + "numClasses must be >= 1, found " + numClasses);
        require(segments >= 1, at + "segments must be >= 1, found " + segments);
        mean = mean == null ? InputSpec.IMAGENET_MEAN : List.copyOf(mean);
        std = std == null ? InputSpec.IMAGENET_STD : List.copyOf(std);
        baseWidth = baseWidth == null ? TsmConfig.DEFAULT_BASE_WIDTH : baseWidth;
        published = published == null ? List.of() : List.copyOf(published);
        urls = urls == null ? List.of() : List.copyOf(urls);
        unverified = unverified == null ? List.of() : List.copyOf(unverified);
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            require(sha256.length() == 64 && HEX.matcher(sha256).matches(), at + "sha256 must be 64 hex digits, found '" + sha256 + "'");
        }
        if (sha256Prefix != null) {
            sha256Prefix = sha256Prefix.toLowerCase(Locale.ROOT);
            require(sha256Prefix.length() >= 6 && sha256Prefix.length() <= 64 && HEX.matcher(sha256Prefix).matches(),
                    at + "sha256Prefix must be 6 to 64 hex digits, found '" + sha256Prefix + "'");
        }
        if (loadable) {
            require(!urls.isEmpty(), at + "a loadable entry needs a download URL");
            require(fileName != null && !fileName.isBlank() && !fileName.contains("/") && !fileName.contains("\\")
                    && !fileName.startsWith("."), at + "fileName must be a plain file name, found '" + fileName + "'");
            require(labels != null || kind == ModelKind.IMAGENET_BACKBONE, at + "a recognizer needs a label list id");
            // builds the configuration once: every setting tsm4j would refuse fails here, naming the field
            toConfig(Backbone.fromName(backbone), numClasses, placement, foldDiv, temporalPool, direction, segments,
                    cropSize, scaleSize, baseWidth);
        } else {
            require(reason != null && !reason.isBlank(), at + "an entry that is not loadable needs a reason");
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static TsmConfig toConfig(Backbone b, int k, ShiftPlacement placement, int foldDiv, boolean tpool,
            ShiftDirection direction, int segments, int crop, int scale, int baseWidth) {
        return TsmConfig.builder(b, k).segments(segments).inputSize(crop, scale).placement(placement).foldDiv(foldDiv)
                .temporalPool(tpool).direction(direction).baseWidth(baseWidth).build();
    }

    /** @return the tsm4j backbone (throws for entries that are not loadable) */
    public Backbone tsmBackbone() {
        requireLoadable();
        return Backbone.fromName(backbone);
    }

    /** @return the input description: segments, sizes, mean/std */
    public InputSpec input() {
        return new InputSpec(segments, cropSize, scaleSize, mean, std);
    }

    /**
     * The network this checkpoint fits.
     *
     * @return the configuration (default dropout, average consensus, NCHW)
     * @throws IllegalStateException for entries that are not loadable, with the reason
     */
    public TsmConfig config() {
        requireLoadable();
        return TsmConfig.builder(tsmBackbone(), numClasses).input(input()).placement(placement).foldDiv(foldDiv)
                .temporalPool(temporalPool).direction(direction).baseWidth(baseWidth).build();
    }

    /**
     * @throws IllegalStateException when tsm4j cannot load this entry, naming the reason
     */
    public void requireLoadable() {
        if (!loadable) {
            throw new IllegalStateException("model '" + id + "' is listed but cannot be loaded by tsm4j: " + reason);
        }
    }

    /** @return the expected hash for messages: the full SHA-256, the published prefix, or "none published" */
    public String expectedHashText() {
        return sha256 != null ? sha256 : sha256Prefix != null ? sha256Prefix + "… (prefix in the file name)" : "none published";
    }

    /** @return the best published top-1 (highest), or null when none is published */
    public Double bestTop1() {
        return published.stream().map(PublishedAccuracy::top1).max(Double::compare).orElse(null);
    }

    /**
     * @param id the new entry's id
     * @return a builder holding a copy of this entry's values under another id
     */
    public Builder toBuilder(String id) {
        Builder b = new Builder(id, backbone, numClasses);
        b.origin = origin;
        b.kind = kind;
        b.placement = placement;
        b.foldDiv = foldDiv;
        b.temporalPool = temporalPool;
        b.direction = direction;
        b.segments = segments;
        b.sampling = sampling;
        b.cropSize = cropSize;
        b.scaleSize = scaleSize;
        b.mean = mean;
        b.std = std;
        b.baseWidth = baseWidth;
        b.dataset = dataset;
        b.labels = labels;
        b.published = new ArrayList<>(published);
        b.urls = new ArrayList<>(urls);
        b.fileName = fileName;
        b.sha256 = sha256;
        b.sha256Prefix = sha256Prefix;
        b.parameters = parameters;
        b.unverified = new ArrayList<>(unverified);
        return b;
    }

    /**
     * @param id unique id
     * @param backbone architecture name ({@code resnet50}, {@code mobilenetv2})
     * @param numClasses classes of the classifier
     * @return a builder for a loadable recognizer with the defaults documented on its setters
     */
    public static Builder builder(String id, String backbone, int numClasses) {
        return new Builder(id, backbone, numClasses);
    }

    /** Builds a loadable {@link ZooEntry} (for tests and private catalogues). */
    public static final class Builder {
        private final String id;
        private final String backbone;
        private final int numClasses;
        private ModelOrigin origin = ModelOrigin.OFFICIAL_TSM;
        private ModelKind kind = ModelKind.RECOGNIZER;
        private ShiftPlacement placement = ShiftPlacement.RESIDUAL;
        private int foldDiv = TsmConfig.DEFAULT_FOLD_DIV;
        private boolean temporalPool;
        private ShiftDirection direction = ShiftDirection.BIDIRECTIONAL;
        private int segments = TsmConfig.DEFAULT_SEGMENTS;
        private Sampling sampling = Sampling.UNIFORM;
        private int cropSize = 224;
        private int scaleSize = 256;
        private List<Double> mean;
        private List<Double> std;
        private Integer baseWidth;
        private String dataset = "unknown";
        private String labels;
        private List<PublishedAccuracy> published = new ArrayList<>();
        private List<String> urls = new ArrayList<>();
        private String fileName;
        private String sha256;
        private String sha256Prefix;
        private Long parameters;
        private List<String> unverified = new ArrayList<>();

        private Builder(String id, String backbone, int numClasses) {
            this.id = id;
            this.backbone = backbone;
            this.numClasses = numClasses;
        }

        /** @param v publisher (default OFFICIAL_TSM) @return this */
        public Builder origin(ModelOrigin v) {
            origin = v;
            return this;
        }

        /** @param v kind (default RECOGNIZER) @return this */
        public Builder kind(ModelKind v) {
            kind = v;
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

        /** @param v temporal pooling (default false) @return this */
        public Builder temporalPool(boolean v) {
            temporalPool = v;
            return this;
        }

        /** @param v direction (default BIDIRECTIONAL) @return this */
        public Builder direction(ShiftDirection v) {
            direction = v;
            return this;
        }

        /** @param v frames per clip (default 8) @return this */
        public Builder segments(int v) {
            segments = v;
            return this;
        }

        /** @param v sampling (default UNIFORM) @return this */
        public Builder sampling(Sampling v) {
            sampling = v;
            return this;
        }

        /** @param crop input side (default 224) @param scale short side (default 256) @return this */
        public Builder inputSize(int crop, int scale) {
            cropSize = crop;
            scaleSize = scale;
            return this;
        }

        /** @param v ResNet stem width (default 64) @return this */
        public Builder baseWidth(int v) {
            baseWidth = v;
            return this;
        }

        /** @param name dataset name @param labelList label list id @return this */
        public Builder dataset(String name, String labelList) {
            dataset = name;
            labels = labelList;
            return this;
        }

        /** @param v a published accuracy @return this */
        public Builder published(PublishedAccuracy v) {
            published.add(v);
            return this;
        }

        /** @param url a download address (tried in the order added) @return this */
        public Builder url(String url) {
            urls.add(url);
            return this;
        }

        /** @param v cache file name @return this */
        public Builder fileName(String v) {
            fileName = v;
            return this;
        }

        /** @param v expected SHA-256 (hex) @return this */
        public Builder sha256(String v) {
            sha256 = v;
            return this;
        }

        /** @param v expected SHA-256 prefix (hex) @return this */
        public Builder sha256Prefix(String v) {
            sha256Prefix = v;
            return this;
        }

        /** @param v trainable parameter count @return this */
        public Builder parameters(long v) {
            parameters = v;
            return this;
        }

        /** @return the validated entry */
        public ZooEntry build() {
            return new ZooEntry(id, origin, kind, backbone, placement, foldDiv, temporalPool, direction, segments, sampling,
                    cropSize, scaleSize, mean, std, baseWidth, dataset, labels, numClasses, published, urls, fileName,
                    sha256, sha256Prefix, parameters, true, null, unverified);
        }
    }
}
