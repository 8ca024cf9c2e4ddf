package io.github.tsm4j.models.importer;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import java.util.List;
import java.util.Optional;

/**
 * The user's side of an import: anything set here overrides what the tensors and the file name say.
 * Unset values are inferred (see {@link CheckpointImporter}).
 */
public final class ImportOptions {
    private Backbone backbone;
    private Integer segments;
    private Integer foldDiv;
    private ShiftPlacement placement;
    private Boolean temporalPool;
    private Integer numClasses;
    private List<String> labels;
    private Integer cropSize;
    private Integer scaleSize;
    private List<Double> mean;
    private List<Double> std;
    private boolean keepClassifier;
    private boolean strict;

    private ImportOptions() {
    }

    /** @return options that infer everything */
    public static ImportOptions defaults() {
        return new ImportOptions();
    }

    /** @param v the backbone (must agree with the tensors) @return this */
    public ImportOptions backbone(Backbone v) {
        backbone = v;
        return this;
    }

    /** @param v frames per clip T (default: the file name's {@code segment{T}}, else 8) @return this */
    public ImportOptions segments(int v) {
        segments = v;
        return this;
    }

    /** @param v fold divisor (default: the file name's {@code shift{d}}, else 8) @return this */
    public ImportOptions foldDiv(int v) {
        foldDiv = v;
        return this;
    }

    /** @param v shift placement (default: where the checkpoint has {@code .net} wrappers) @return this */
    public ImportOptions placement(ShiftPlacement v) {
        placement = v;
        return this;
    }

    /** @param v temporal pooling (default: whether {@code layer2} is wrapped) @return this */
    public ImportOptions temporalPool(boolean v) {
        temporalPool = v;
        return this;
    }

    /**
     * @param v classes K; when it differs from the checkpoint's classifier, the classifier is dropped and
     *     initialised afresh (fine-tuning from ImageNet weights)
     * @return this
     */
    public ImportOptions numClasses(int v) {
        numClasses = v;
        return this;
    }

    /** @param v class labels (their count sets K unless {@link #numClasses} is given) @return this */
    public ImportOptions labels(List<String> v) {
        labels = List.copyOf(v);
        return this;
    }

    /**
     * @param crop network input side (default 224)
     * @param scale short side before cropping (default 256)
     * @return this
     */
    public ImportOptions inputSize(int crop, int scale) {
        cropSize = crop;
        scaleSize = scale;
        return this;
    }

    /**
     * @param mean per-channel mean of pixels in [0, 1] (default ImageNet)
     * @param std per-channel standard deviation (default ImageNet)
     * @return this
     */
    public ImportOptions normalisation(List<Double> mean, List<Double> std) {
        this.mean = List.copyOf(mean);
        this.std = List.copyOf(std);
        return this;
    }

    /**
     * Requires the checkpoint's classifier to be kept: a class count (from {@link #numClasses} or the labels) that
     * differs from the classifier's is an error naming both counts, instead of a fresh classifier.
     *
     * @return this
     */
    public ImportOptions keepClassifier() {
        keepClassifier = true;
        return this;
    }

    /**
     * Requires the given placement and temporal pooling to agree with the tensors (the {@code .net} wrappers), and
     * the shifted blocks to be the ones tsm4j shifts; checked after the weights fit, so a different backbone is
     * reported by its first mismatching key.
     *
     * @return this
     */
    public ImportOptions strict() {
        strict = true;
        return this;
    }

    boolean isStrict() {
        return strict;
    }

    boolean keepsClassifier() {
        return keepClassifier;
    }

    Optional<Backbone> backbone() {
        return Optional.ofNullable(backbone);
    }

    Optional<Integer> segments() {
        return Optional.ofNullable(segments);
    }

    Optional<Integer> foldDiv() {
        return Optional.ofNullable(foldDiv);
    }

    Optional<ShiftPlacement> placement() {
        return Optional.ofNullable(placement);
    }

    Optional<Boolean> temporalPool() {
        return Optional.ofNullable(temporalPool);
    }

    Optional<Integer> numClasses() {
        return numClasses != null ? Optional.of(numClasses) : labels != null ? Optional.of(labels.size()) : Optional.empty();
    }

    Optional<List<String>> labels() {
        return Optional.ofNullable(labels);
    }

    InputSpec input(int segmentCount) {
        InputSpec spec = InputSpec.imageNet(segmentCount);
        if (mean != null) {
            spec = new InputSpec(segmentCount, spec.cropSize(), spec.scaleSize(), mean, std);
        }
        return cropSize == null ? spec : spec.withSize(cropSize, scaleSize);
    }
}
