package io.github.tsm4j.models.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A training checkpoint: one zip that DL4J's {@link ModelSerializer} reads as a normal model
 * (configuration, parameters, updater state — the momentum buffers, iteration and epoch counters) plus
 * {@value #STATE_ENTRY} (recipe, epochs done, best score) and any entries the caller adds (the
 * {@code TsmModel} configuration and labels), so the same file is both a loadable model and a resume
 * point.
 *
 * <p>Written atomically: the zip is completed in a temporary file in the same folder, then moved over
 * the target with {@link StandardCopyOption#ATOMIC_MOVE}; a process killed at any moment leaves either
 * the previous checkpoint or the new one, never a partial file.
 *
 * @param model network with updater state
 * @param recipe the recipe it is trained with
 * @param epochsDone completed epochs (training resumes at epoch {@code epochsDone + 1})
 * @param bestScore best validation top-1 so far (or negative training loss without validation)
 * @param bestEpoch epoch of the best score (0 if none)
 * @param extraEntries other zip entries, by name, carried through unchanged
 */
public record TrainingCheckpoint(ComputationGraph model, TrainingRecipe recipe, int epochsDone, double bestScore,
        int bestEpoch, Map<String, byte[]> extraEntries) {

    /** Zip entry holding the trainer state as JSON. */
    public static final String STATE_ENTRY = "tsm4j/training-state.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The trainer state stored as JSON. */
    record State(int epochsDone, double bestScore, int bestEpoch, TrainingRecipe recipe) {}

    public TrainingCheckpoint {
        extraEntries = Map.copyOf(extraEntries);
    }

    /**
     * Writes the checkpoint atomically.
     *
     * @param file target zip
     * @throws IOException when writing fails (the previous file is then untouched)
     */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path model = Files.createTempFile(dir, file.getFileName().toString(), ".model.tmp");
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            ModelSerializer.writeModel(this.model, model.toFile(), true);
            try (ZipFile in = new ZipFile(model.toFile());
                    OutputStream os = Files.newOutputStream(tmp);
                    ZipOutputStream out = new ZipOutputStream(os)) {
                Enumeration<? extends ZipEntry> entries = in.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry e = entries.nextElement();
                    if (extraEntries.containsKey(e.getName()) || e.getName().equals(STATE_ENTRY)) {
                        continue;
                    }
                    out.putNextEntry(new ZipEntry(e.getName()));
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(out);
                    }
                    out.closeEntry();
                }
                out.putNextEntry(new ZipEntry(STATE_ENTRY));
                out.write(JSON.writerWithDefaultPrettyPrinter()
                        .writeValueAsBytes(new State(epochsDone, bestScore, bestEpoch, recipe)));
                out.closeEntry();
                for (Map.Entry<String, byte[]> e : extraEntries.entrySet()) {
                    out.putNextEntry(new ZipEntry(e.getKey()));
                    out.write(e.getValue());
                    out.closeEntry();
                }
            }
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(model);
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a checkpoint written by {@link #write}.
     *
     * @param file checkpoint zip
     * @return the checkpoint with the model's updater state restored
     * @throws IOException when the file is unreadable or is not a training checkpoint
     */
    public static TrainingCheckpoint read(Path file) throws IOException {
        ComputationGraph graph;
        try {
            graph = ModelSerializer.restoreComputationGraph(file.toFile(), true);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Cannot read training checkpoint " + file + ": " + e.getMessage(), e);
        }
        State state = null;
        Map<String, byte[]> extra = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String name = e.getName();
                if (name.equals(STATE_ENTRY)) {
                    try (InputStream is = zip.getInputStream(e)) {
                        state = JSON.readValue(is, State.class);
                    }
                } else if (!isModelSerializerEntry(name)) {
                    try (InputStream is = zip.getInputStream(e)) {
                        extra.put(name, is.readAllBytes());
                    }
                }
            }
        }
        if (state == null) {
            throw new IOException("Training checkpoint " + file + " has no " + STATE_ENTRY
                    + " entry: it is a model, not a checkpoint written by Trainer");
        }
        return new TrainingCheckpoint(graph, state.recipe(), state.epochsDone(), state.bestScore(), state.bestEpoch(),
                extra);
    }

    private static boolean isModelSerializerEntry(String name) {
        return name.equals("configuration.json") || name.equals("coefficients.bin") || name.equals("updaterState.bin")
                || name.equals("noParams.marker") || name.equals("preprocessor.bin")
                || name.equals("normalizer.bin");
    }
}
