package io.github.tsm4j.examples.cli;

import io.github.tsm4j.examples.stream.FrameModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Opens saved tsm4j models in their streaming form (one instance per stream). */
final class StreamingModels {
    private StreamingModels() {}

    static List<FrameModel> open(Path modelFile, int streams) throws IOException {
        ModelFiles.checkReadable(modelFile);
        throw new IOException("cannot open " + modelFile + " for streaming: streaming models are not available yet");
    }
}
