package io.github.tsm4j.examples.api;

import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.data.stream.FrameSources;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.recognize.HistorySmoother;
import io.github.tsm4j.models.recognize.LabelChange;
import io.github.tsm4j.models.recognize.StreamListener;
import io.github.tsm4j.models.recognize.StreamOptions;
import io.github.tsm4j.models.recognize.StreamRecognizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stream a video file through the online TSM as if it came from a camera (paced to its timestamps, frames the model
 * cannot keep up with are dropped and counted) and print every change of the smoothed label.
 */
public final class StreamVideo {
    private StreamVideo() {}

    /**
     * @param args model zip, video file (or a camera {@code /dev/video0}, or an rtsp/http URL)
     * @throws Exception when the model or the source cannot be read
     */
    public static void main(String[] args) throws Exception {
        for (LabelChange c : run(Path.of(args[0]), args[1], 12)) {
            System.out.printf("frame %d (%.2f s): %s%n", c.frameIndex(), c.timestampMicros() / 1e6, c.label());
        }
    }

    /**
     * @param modelZip a model (trained UNIDIRECTIONAL for online use)
     * @param source a video file, camera device or URL
     * @param history logit vectors summed for the label, as the official gesture demo (12 there; 1 = raw labels)
     * @return the label changes, in order
     * @throws IOException when the model or the source cannot be read
     * @throws InterruptedException if interrupted while waiting for frames
     */
    public static List<LabelChange> run(Path modelZip, String source, int history)
            throws IOException, InterruptedException {
        TsmModel model = TsmModel.load(modelZip);
        FrameSource frames = FrameSources.create(source, model.config().input());
        StreamOptions options = StreamOptions.defaults().withRealtime(StreamOptions.Realtime.ON)
                .withSmoothing(HistorySmoother.Config.ofWindow(history));
        List<LabelChange> changes = new ArrayList<>();
        try (StreamRecognizer recognizer = StreamRecognizer.of(model, 1, options)) {
            recognizer.run(frames, new StreamListener() {
                @Override
                public void onLabelChange(LabelChange change) {
                    changes.add(change);
                }
            });
        }
        return changes;
    }
}
