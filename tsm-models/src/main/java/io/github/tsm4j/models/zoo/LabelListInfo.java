package io.github.tsm4j.models.zoo;

/**
 * A label list shipped beside the catalogue (one class name per line, index = class index).
 *
 * @param id the id entries refer to, e.g. {@code kinetics400}
 * @param resource resource path relative to the catalogue, e.g. {@code labels/kinetics400.txt}
 * @param count number of classes
 * @param source where the names and their order come from
 */
public record LabelListInfo(String id, String resource, int count, String source) {
    /** Validates. */
    public LabelListInfo {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("LabelListInfo.id must not be blank, found '" + id + "'");
        }
        if (count < 1) {
            throw new IllegalArgumentException("LabelListInfo.count of '" + id + "' must be >= 1, found " + count);
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("LabelListInfo.source of '" + id + "' must name where the list comes from");
        }
    }
}
