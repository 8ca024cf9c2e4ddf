package io.github.tsm4j.models.zoo;

/** A checkpoint whose tensors do not fit its catalogue entry; the message names the first mismatching key. */
public final class CatalogueMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String firstKey;

    /**
     * @param message the message
     * @param firstKey the first mismatching key (checkpoint or network key), or a setting name
     * @param cause the importer's exception, or null
     */
    public CatalogueMismatchException(String message, String firstKey, Throwable cause) {
        super(message, cause);
        this.firstKey = firstKey;
    }

    /** @return the first mismatching key or setting */
    public String firstKey() {
        return firstKey;
    }
}
