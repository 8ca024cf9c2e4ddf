package io.github.tsm4j.examples.api;

import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.recognize.VideoRecognizer;
import io.github.tsm4j.models.recognize.VideoResult;
import java.io.IOException;
import java.nio.file.Path;

/** Load a model zip, classify one video file with the official test protocol, print the top 5. */
public final class ClassifyVideo {
    private ClassifyVideo() {}

    /**
     * @param args model zip, video file
     * @throws IOException when either cannot be read
     */
    public static void main(String[] args) throws IOException {
        run(Path.of(args[0]), Path.of(args[1])).top()
                .forEach(p -> System.out.printf("%.3f  %s%n", p.probability(), p.label()));
    }

    /**
     * @param modelZip a model saved by {@code TsmModel.save}, {@code tsm import} or {@code tsm train}
     * @param video a video file or a folder of frames
     * @return its top-5 labels, frames used and timings
     * @throws IOException when the model or the video cannot be read
     */
    public static VideoResult run(Path modelZip, Path video) throws IOException {
        TsmModel model = TsmModel.load(modelZip);
        try (VideoRecognizer recognizer = VideoRecognizer.of(model, RecognitionOptions.defaults())) {
            return recognizer.classify(video);
        }
    }
}
