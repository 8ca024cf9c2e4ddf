package io.github.tsm4j.models.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.models.ModelZip;
import io.github.tsm4j.models.Provenance;
import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A training checkpoint: a model zip ({@link ModelZip}, the format of {@link TsmModel#save}) with the updater
 * state (momentum buffers, iteration and epoch counters) and the trainer's state ({@value ModelZip#TRAINING_STATE_ENTRY}:
 * recipe, epochs done, best score), so the same file is a model {@link TsmModel#load} opens and a resume point.
 * Its {@link Provenance} source is the model's, extended by {@code epoch}, {@code epochs} and {@code recipe}, so
 * every checkpoint says how far its weights were trained. Written atomically (see {@link ModelZip}).
 *
 * @param model the model being trained, with updater state
 * @param recipe the recipe it is trained with
 * @param epochsDone completed epochs (training resumes at epoch {@code epochsDone + 1})
 * @param bestScore best validation top-1 so far (or negative training loss without validation)
 * @param bestEpoch epoch of the best score (0 if none)
 */
public record TrainingCheckpoint(TsmModel model, TrainingRecipe recipe, int epochsDone, double bestScore,
        int bestEpoch) {

    /** Zip entry holding the trainer state as JSON. */
    public static final String STATE_ENTRY = ModelZip.TRAINING_STATE_ENTRY;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The trainer state stored as JSON. */
    record State(int epochsDone, double bestScore, int bestEpoch, TrainingRecipe recipe) {}

    /** Checks for missing parts. */
    public TrainingCheckpoint {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(recipe, "recipe");
    }

    /**
     * Writes the checkpoint atomically.
     *
     * @param file target zip
     * @throws IOException when writing fails (the previous file is then untouched)
     */
    public void write(Path file) throws IOException {
        Map<String, Object> source = new LinkedHashMap<>(model.source());
        source.put("epoch", epochsDone);
        source.put("epochs", recipe.epochs());
        source.put("recipe", recipe);
        byte[] state = JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new State(epochsDone, bestScore, bestEpoch, recipe));
        ModelZip.write(file, model.graph(), model.config(), model.labels(), Provenance.now(source, model.options()),
                true, state);
    }

    /**
     * Reads a checkpoint written by {@link #write}.
     *
     * @param file checkpoint zip
     * @return the checkpoint with the model's updater state restored
     * @throws IOException when the file is unreadable or is not a training checkpoint
     */
    public static TrainingCheckpoint read(Path file) throws IOException {
        ModelZip.Contents c;
        try {
            c = ModelZip.read(file, true);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Cannot read training checkpoint " + file + ": " + e.getMessage(), e);
        }
        if (c.trainingState().isEmpty()) {
            throw new IOException("Training checkpoint " + file + " has no " + STATE_ENTRY
                    + " entry: it is a model, not a checkpoint written by Trainer");
        }
        State state = JSON.readValue(c.trainingState().get(), State.class);
        return new TrainingCheckpoint(TsmModel.fromContents(c), state.recipe(), state.epochsDone(), state.bestScore(),
                state.bestEpoch());
    }
}
