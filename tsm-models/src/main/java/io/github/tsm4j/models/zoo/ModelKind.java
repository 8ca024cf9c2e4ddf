package io.github.tsm4j.models.zoo;

/** What a catalogue entry's checkpoint is for. */
public enum ModelKind {
    /** An offline video classifier (clips of T frames → classes). */
    RECOGNIZER,
    /** The online (uni-directional shift) classifier of the official demo; stream it with {@code TsmStreamingModel.of}. */
    ONLINE_RECOGNIZER,
    /** ImageNet weights of a 2D backbone, to initialise training ({@link PretrainedModels#initialise}). */
    IMAGENET_BACKBONE
}
