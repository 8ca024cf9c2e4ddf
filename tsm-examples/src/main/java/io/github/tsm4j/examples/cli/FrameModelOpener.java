package io.github.tsm4j.examples.cli;

import io.github.tsm4j.examples.stream.FrameModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens a saved model for streaming: the file is read once, and each stream gets an independent
 * {@link FrameModel} (own weights copy and temporal caches), so that concurrent streams never share state.
 */
@FunctionalInterface
public interface FrameModelOpener {

    /**
     * Opens a model file for several streams.
     *
     * @param modelFile the saved model
     * @param streams number of independent streams, at least 1
     * @return one fresh streaming model per stream
     * @throws IOException naming the file if it is missing or not a model
     */
    List<FrameModel> open(Path modelFile, int streams) throws IOException;
}
