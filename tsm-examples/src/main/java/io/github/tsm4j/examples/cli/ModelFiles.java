package io.github.tsm4j.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on model file arguments that give one clear line before any loading starts. */
final class ModelFiles {
    private ModelFiles() {}

    static void checkReadable(Path modelFile) throws IOException {
        if (!Files.exists(modelFile)) {
            throw new IOException("model " + modelFile + " not found");
        }
        if (!Files.isRegularFile(modelFile)) {
            throw new IOException("model " + modelFile + " is not a file");
        }
        if (!Files.isReadable(modelFile)) {
            throw new IOException("model " + modelFile + " is not readable");
        }
    }
}
