package io.github.tsm4j.models.importer;

import java.nio.file.Path;

/**
 * A checkpoint whose pickle names a Python global outside the allowlist (for instance
 * {@code os.system} or a model class): loading it would mean running arbitrary code in Python, so it is
 * refused here as {@code torch.load(weights_only=True)} refuses it.
 */
public final class UnsafeCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    private final String global;

    /**
     * @param file the checkpoint
     * @param global the refused global as {@code module.name}
     */
    public UnsafeCheckpointException(Path file, String global) {
        this(file, global, "only tensors and containers are allowed (the allowlist of torch.load(weights_only=True))");
    }

    /**
     * @param file the checkpoint
     * @param global the refused global as {@code module.name} (or the route that reaches it, such as a
     *     copyreg extension code)
     * @param reason why this use of it is refused
     */
    public UnsafeCheckpointException(Path file, String global, String reason) {
        super(file, "refusing to load global " + global + ": " + reason);
        this.global = global;
    }

    /** @return the refused global as {@code module.name} */
    public String global() {
        return global;
    }
}
