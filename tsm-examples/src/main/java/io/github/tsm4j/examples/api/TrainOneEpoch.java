package io.github.tsm4j.examples.api;

import io.github.tsm4j.data.dataset.SomethingSomethingV2;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.train.Trainer;
import io.github.tsm4j.models.train.TrainingRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains a TSM-ResNet-18 for one epoch on a dataset in the Something-Something-V2 layout and writes
 * {@code last.zip}, a checkpoint that {@link TsmModel#load} opens (and {@code Trainer.resume} continues).
 */
public final class TrainOneEpoch {

    /**
     * @param labels labels.json (class name to index)
     * @param trainSplit the training split (JSON list of {id, template})
     * @param videos folder of {@code <id>.webm}
     * @param checkpoints folder for last.zip, best.zip and training.jsonl
     * @param frames frames per clip T
     * @param size crop side in pixels
     * @param batchSize clips per minibatch
     */
    public record Options(Path labels, Path trainSplit, Path videos, Path checkpoints, int frames, int size,
            int batchSize) {}

    /**
     * @param model the trained model
     * @param checkpoint its checkpoint
     * @param loss the epoch's mean training loss
     */
    public record Result(TsmModel model, Path checkpoint, double loss) {}

    private TrainOneEpoch() {
    }

    public static void main(String[] args) throws IOException {
        Result r = run(new Options(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), 8, 224, 8));
        System.out.printf("loss %.4f, checkpoint %s%n", r.loss(), r.checkpoint());
    }

    public static Result run(Options o) throws IOException {
        VideoDataset train = SomethingSomethingV2.read(o.labels(), o.trainSplit(), o.videos());
        List<String> classes = train.classNames();
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, classes.size()).segments(o.frames())
                .inputSize(o.size(), o.size() * 256 / 224).build();
        TsmModel model = TsmModel.create(config, classes);
        TrainingRecipe recipe = TrainingRecipe.builder().epochs(1).batchSize(o.batchSize()).lrSteps(List.of()).build();
        try (ClipDataSetIterator clips = ClipDataSetIterator.builder(train, config.input())
                .batchSize(o.batchSize()).training(true).build()) {
            Trainer.TrainingResult r = Trainer.builder(model, recipe).checkpointDir(o.checkpoints()).build()
                    .fit(clips);
            return new Result(r.model(), o.checkpoints().resolve(Trainer.LAST_CHECKPOINT), r.history().get(0).loss());
        }
    }
}
