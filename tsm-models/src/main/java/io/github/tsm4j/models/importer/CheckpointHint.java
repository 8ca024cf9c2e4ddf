package io.github.tsm4j.models.importer;

import io.github.tsm4j.models.ShiftPlacement;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an official checkpoint's file name says
 * ({@code TSM_{dataset}_{modality}_{arch}[_shift{d}_{place}][_tpool]_{consensus}_segment{T}_e{E}[...].pth}, TSN
 * files without the shift part). Only a hint: the tensors decide backbone, classes, placement and pooling, the
 * user's options override everything; the name is the only source for segments and fold divisor.
 *
 * @param dataset e.g. {@code kinetics}, {@code somethingv2}
 * @param arch e.g. {@code resnet50}, {@code mobilenetv2}
 * @param foldDiv the {@code shift{d}} divisor, if shifted
 * @param placement RESIDUAL for {@code blockres}, IN_PLACE for {@code block}, NONE for TSN names
 * @param temporalPool whether {@code _tpool} appears
 * @param segments T of {@code segment{T}}
 */
public record CheckpointHint(String dataset, String arch, Optional<Integer> foldDiv, ShiftPlacement placement,
        boolean temporalPool, int segments) {

    private static final Pattern NAME = Pattern.compile(
            "(?<kind>TSM|TSN)_(?<dataset>[A-Za-z0-9]+)_(?<modality>RGB|Flow|RGBDiff)_(?<arch>[A-Za-z0-9]+)"
                    + "(?:_shift(?<div>\\d+)_(?<place>blockres|block))?(?<tpool>_tpool)?_(?:avg|max|identity)"
                    + "_segment(?<seg>\\d+)_e\\d+.*");

    /**
     * @param fileName a file name (no directories)
     * @return the hint, if the name follows the official convention
     */
    public static Optional<CheckpointHint> parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        ShiftPlacement place = m.group("place") == null ? ShiftPlacement.NONE
                : m.group("place").equals("blockres") ? ShiftPlacement.RESIDUAL : ShiftPlacement.IN_PLACE;
        Optional<Integer> div = m.group("div") == null ? Optional.empty() : Optional.of(Integer.parseInt(m.group("div")));
        return Optional.of(new CheckpointHint(m.group("dataset"), m.group("arch"), div, place, m.group("tpool") != null,
                Integer.parseInt(m.group("seg"))));
    }
}
