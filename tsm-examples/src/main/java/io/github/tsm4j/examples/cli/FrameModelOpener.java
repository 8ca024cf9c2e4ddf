package io.github.tsm4j.examples.cli;

import io.github.tsm4j.examples.stream.FrameModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a saved model for streaming: one call per source, each returning an independent
 * {@link FrameModel} (own temporal caches), so that concurrent streams never share state.
 */
@FunctionalInterface
public interface FrameModelOpener {

    /**
     * Opens one streaming instance of a model file.
     *
     * @param modelFile the saved model
     * @return a fresh streaming model
     * @throws IOException naming the file if it is missing or not a model
     */
    FrameModel open(Path modelFile) throws IOException;
}
