package io.github.tsm4j.examples.cli;

import io.github.tsm4j.data.dataset.SomethingSomethingV2;
import io.github.tsm4j.data.dataset.VideoDataset;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * A dataset in the Something-Something V2 format: {@code labels.json}, a split file and a video folder
 * ({@code <id>.webm}); the synthetic temporal-order dataset uses the same layout.
 */
final class DatasetOptions {
    @Option(names = "--labels", required = true, description = "labels.json (template → class id).")
    Path labels;

    @Option(names = "--videos", required = true, description = "Folder of <id>.webm videos.")
    Path videos;

    VideoDataset read(Path split) {
        return SomethingSomethingV2.read(labels, split, videos);
    }
}
