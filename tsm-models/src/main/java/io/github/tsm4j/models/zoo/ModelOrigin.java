package io.github.tsm4j.models.zoo;

/** Who published a catalogue entry's checkpoint. */
public enum ModelOrigin {
    /** mit-han-lab/temporal-shift-module (README model zoo, online demo). */
    OFFICIAL_TSM,
    /** open-mmlab/mmaction2 ({@code configs/recognition/tsm/metafile.yml}). */
    MMACTION2,
    /** torchvision's ImageNet classification weights. */
    TORCHVISION
}
