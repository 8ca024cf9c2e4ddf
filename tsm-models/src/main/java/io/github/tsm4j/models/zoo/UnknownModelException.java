package io.github.tsm4j.models.zoo;

import java.util.List;

/** An id that is not in the catalogue; the message lists the closest ids. */
public final class UnknownModelException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> closeMatches;

    /**
     * @param id the id asked for
     * @param closeMatches the closest catalogue ids, best first
     */
    public UnknownModelException(String id, List<String> closeMatches) {
        super("unknown model '" + id + "'" + (closeMatches.isEmpty() ? "" : "; close matches: " + String.join(", ", closeMatches))
                + " (tsm zoo list shows all)");
        this.closeMatches = List.copyOf(closeMatches);
    }

    /** @return the closest catalogue ids, best first */
    public List<String> closeMatches() {
        return closeMatches;
    }
}
