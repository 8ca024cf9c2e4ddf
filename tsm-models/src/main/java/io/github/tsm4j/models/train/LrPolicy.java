package io.github.tsm4j.models.train;

/** How the learning rate decays over epochs (the official {@code --lr_type}). */
public enum LrPolicy {
    /** Multiply by the decay factor (0.1) at each of the given epochs ({@code --lr_steps 20 40}). */
    STEP,
    /** {@code lr · ½(1 + cos(π · epoch / epochs))}, evaluated once per epoch as the official code does. */
    COSINE
}
