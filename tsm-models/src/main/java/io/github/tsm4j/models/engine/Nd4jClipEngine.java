package io.github.tsm4j.models.engine;

import io.github.tsm4j.models.TsmModel;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** tsm4j's own offline engine: the model's {@link TsmModel#forInference()} form on the ND4J backend. */
final class Nd4jClipEngine implements ClipEngine {
    private final TsmModel model;

    Nd4jClipEngine(TsmModel model) {
        this.model = model.forInference(); // this instance when it is an inference form already
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
    public int segments() {
        return model.config().segments();
    }

    @Override
    public float[][] logits(INDArray clips) {
        INDArray out = model.logits(clips);
        INDArray f = out.dataType() == DataType.FLOAT ? out : out.castTo(DataType.FLOAT);
        float[][] rows = f.toFloatMatrix();
        if (f != out) {
            f.close();
        }
        out.close();
        return rows;
    }

    @Override
    public void close() {
        // the graph's memory is released with the model
    }
}
