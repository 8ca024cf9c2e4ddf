package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.nio.file.Path;

/** Loads saved models for the commands, turning every failure into one line that names the file. */
final class Models {
    private Models() {}

    /**
     * Loads a model saved by {@link TsmModel#save}.
     *
     * @param file the model zip
     * @return the model
     * @throws IOException "model FILE not found", "cannot load model FILE: why"
     */
    static TsmModel load(Path file) throws IOException {
        ModelFiles.checkReadable(file);
        try {
            return TsmModel.load(file);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot load model " + file + ": " + oneLine(e), e);
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
