package io.github.tsm4j.models.importer;

import java.util.List;

/**
 * A state dict that does not fit the network: every missing, unexpected and wrongly shaped key in one
 * message (keys in torchvision module-path form, with the checkpoint's own key where it differs).
 */
public final class StateDictMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> wrongShape;

    /**
     * @param network what the state dict was mapped onto (for the message)
     * @param missing parameters of the network the state dict lacks
     * @param unexpected state dict entries the network has no place for
     * @param wrongShape entries whose shape differs, as {@code key: checkpoint [..], network [..]}
     */
    public StateDictMismatchException(String network, List<String> missing, List<String> unexpected, List<String> wrongShape) {
        super("state dict does not fit " + network + ": "
                + missing.size() + " missing " + missing + ", "
                + unexpected.size() + " unexpected " + unexpected + ", "
                + wrongShape.size() + " wrongly shaped " + wrongShape);
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.wrongShape = List.copyOf(wrongShape);
    }

    /** @return network parameters without a state dict entry */
    public List<String> missing() {
        return missing;
    }

    /** @return state dict entries without a network parameter */
    public List<String> unexpected() {
        return unexpected;
    }

    /** @return entries of the wrong shape, {@code key: checkpoint [..], network [..]} */
    public List<String> wrongShape() {
        return wrongShape;
    }
}
