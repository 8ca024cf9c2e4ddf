package io.github.tsm4j.data.synthetic;

/**
 * The six classes of {@link TemporalOrderDataset}, in class-id order. Classes come in pairs
 * ({@code 2k}, {@code 2k+1}) whose clips are the same frames in reverse order.
 */
public enum Motion {
    /** The object's x position increases over time. */
    LEFT_TO_RIGHT("Moving [something] from left to right", Attribute.X, false),
    /** The object's x position decreases over time. */
    RIGHT_TO_LEFT("Moving [something] from right to left", Attribute.X, true),
    /** The object's size increases over time. */
    GROWING("Making [something] bigger", Attribute.SIZE, false),
    /** The object's size decreases over time. */
    SHRINKING("Making [something] smaller", Attribute.SIZE, true),
    /** The object's angle increases over time (clockwise on screen, y pointing down). */
    CLOCKWISE("Rotating [something] clockwise", Attribute.ANGLE, false),
    /** The object's angle decreases over time. */
    COUNTER_CLOCKWISE("Rotating [something] counterclockwise", Attribute.ANGLE, true);

    /** The attribute of the object that changes with time. */
    public enum Attribute { X, SIZE, ANGLE }

    private final String template;
    private final Attribute attribute;
    private final boolean reversed;

    Motion(String template, Attribute attribute, boolean reversed) {
        this.template = template;
        this.attribute = attribute;
        this.reversed = reversed;
    }

    /** @return the Something-Something style template, with {@code [something]} */
    public String template() {
        return template;
    }

    /** @return the class name: the template without brackets */
    public String className() {
        return template.replace("[", "").replace("]", "");
    }

    /** @return the attribute that changes */
    public Attribute attribute() {
        return attribute;
    }

    /** @return whether the attribute runs from its end value to its start value */
    public boolean reversed() {
        return reversed;
    }

    /** @return the class whose clips are this class's clips played backwards */
    public Motion partner() {
        return values()[ordinal() ^ 1];
    }
}
