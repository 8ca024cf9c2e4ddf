package io.github.tsm4j.core.clip;

/** Test-time views of a clip (the official {@code --test_crops}). */
public enum TestCrop {
    /** Scale the short side to {@code scaleSize}, one centre crop of {@code cropSize}. */
    CENTRE,
    /**
     * Scale the short side to {@code scaleSize}, crops at left, right and centre ({@code GroupFullResSample},
     * no flip). The paper's "full resolution" 3-crop uses a spec with {@code cropSize == scaleSize}.
     */
    THREE,
    /** Scale to {@code scaleSize}, the 4 corners and the centre, each also mirrored: 10 views ({@code GroupOverSample}). */
    TEN;

    /** @return views per clip */
    public int views() {
        return switch (this) {
            case CENTRE -> 1;
            case THREE -> 3;
            case TEN -> 10;
        };
    }
}
