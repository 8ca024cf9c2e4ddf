package io.github.tsm4j.models.engine;

import io.github.tsm4j.models.TsmStreamingModel;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** tsm4j's own online engine: a {@link TsmStreamingModel} for B streams, one copy of the weights. */
final class Nd4jFrameEngine implements FrameEngine {
    private final TsmStreamingModel model;
    private final INDArray logits;

    Nd4jFrameEngine(TsmStreamingModel model) {
        this.model = model;
        this.logits = Nd4j.create(DataType.FLOAT, model.streams(), model.config().numClasses());
    }

    @Override
    public EngineKind kind() {
        return EngineKind.ND4J;
    }

    @Override
    public List<String> labels() {
        return model.labels();
    }

    @Override
    public int streams() {
        return model.streams();
    }

    @Override
    public void step(INDArray frames, float[][] out) {
        INDArray in = frames.dataType() == DataType.FLOAT ? frames : frames.castTo(DataType.FLOAT);
        model.step(in, logits);
        int k = (int) logits.size(1);
        for (int b = 0; b < out.length; b++) {
            for (int j = 0; j < k; j++) {
                out[b][j] = logits.getFloat(b, j);
            }
        }
    }

    @Override
    public void reset(int stream) {
        model.reset(stream);
    }

    @Override
    public void reset() {
        model.reset();
    }

    @Override
    public void close() {
        logits.close();
    }
}
