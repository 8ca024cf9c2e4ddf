package io.github.tsm4j.models.importer;

import io.github.tsm4j.models.TsmModel;
import java.util.List;

/**
 * An imported model and how it was made.
 *
 * @param model the network with the checkpoint's weights
 * @param layout the detected key layout
 * @param notes what was inferred and from where, one line each (for logs and the CLI)
 * @param skipped checkpoint keys that were deliberately not loaded (a dropped classifier)
 */
public record ImportResult(TsmModel model, KeyLayout layout, List<String> notes, List<String> skipped) {
    public ImportResult {
        notes = List.copyOf(notes);
        skipped = List.copyOf(skipped);
    }
}
