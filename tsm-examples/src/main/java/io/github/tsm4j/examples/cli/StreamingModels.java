package io.github.tsm4j.examples.cli;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.examples.stream.FrameModel;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmStreamingModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Opens saved tsm4j models in their streaming form: the file is read once, then each stream gets its own
 * {@link TsmStreamingModel} twin (one stream slot, its own shift caches and weights copy).
 */
final class StreamingModels {
    private StreamingModels() {}

    static List<FrameModel> open(Path modelFile, int streams) throws IOException {
        TsmModel model = Models.load(modelFile);
        if (model.config().temporalPool()) {
            throw new IOException("model " + modelFile + " uses temporal pooling, which online TSM cannot stream "
                    + "(each frame must pass the network alone)");
        }
        List<FrameModel> out = new ArrayList<>(streams);
        for (int i = 0; i < streams; i++) {
            out.add(new Adapter(TsmStreamingModel.of(model, 1)));
        }
        return out;
    }

    /** One stream slot of a {@link TsmStreamingModel} as a {@link FrameModel}. */
    static final class Adapter implements FrameModel {
        private final TsmStreamingModel model;
        private final INDArray logits;

        Adapter(TsmStreamingModel model) {
            if (model.streams() != 1) {
                throw new IllegalArgumentException("a FrameModel serves one stream, the model has " + model.streams());
            }
            this.model = model;
            this.logits = Nd4j.create(DataType.FLOAT, 1, model.config().numClasses());
        }

        @Override
        public float[] step(INDArray frame) {
            DataType type = model.graph().getConfiguration().getDataType();
            model.step(frame.dataType() == type ? frame : frame.castTo(type), logits);
            return logits.toFloatVector();
        }

        @Override
        public void reset() {
            model.reset();
        }

        @Override
        public List<String> labels() {
            return model.labels();
        }

        @Override
        public InputSpec inputSpec() {
            return model.config().input();
        }
    }
}
