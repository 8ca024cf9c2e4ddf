package io.github.tsm4j.models.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmStreamingModel;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The plain ONNX Runtime streaming loop of docs/export.md, run on an exported online model. */
class OnnxDocExampleTest {

    @TempDir
    Path dir;

    @Test
    void docsStreamingLoopWithPlainOnnxRuntimeEqualsTsm4j() throws Exception {
        int s = 32;
        TsmModel model = OnnxTestModels.model(TsmConfig.builder(Backbone.MOBILENET_V2, 4).segments(4)
                .inputSize(s, s).direction(ShiftDirection.UNIDIRECTIONAL).build(), 8);
        Path file = dir.resolve("model_online.onnx");
        OnnxExporter.write(model, OnnxExportOptions.online(), file, false);
        TsmStreamingModel reference = TsmStreamingModel.of(model, 1);

        // --- as in docs/export.md ---
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            Map<String, OnnxTensor> caches = new HashMap<>();
            for (NodeInfo in : session.getInputInfo().values()) {            // zeros: a fresh stream
                if (in.getName().startsWith("shift_cache.")) {
                    long[] shape = ((TensorInfo) in.getInfo()).getShape();
                    shape[0] = 1;
                    caches.put(in.getName(), OnnxTensor.createTensor(env, FloatBuffer.allocate(
                            (int) (shape[1] * shape[2] * shape[3])), shape));
                }
            }
            Nd4j.getRandom().setSeed(3);
            for (int f = 0; f < 4; f++) {
                INDArray frameArray = Nd4j.randn(DataType.FLOAT, 1, 3, s, s);
                float[] frame = frameArray.data().asFloat();
                Map<String, OnnxTensor> feed = new HashMap<>(caches);
                feed.put("input", OnnxTensor.createTensor(env, FloatBuffer.wrap(frame), new long[] {1, 3, s, s}));
                try (OrtSession.Result r = session.run(feed)) {
                    float[][] logits = (float[][]) r.get("logits").get().getValue();
                    for (String name : caches.keySet()) {               // carry the caches to the next frame
                        OnnxTensor next = (OnnxTensor) r.get(name + ".next").get();
                        caches.put(name, OnnxTensor.createTensor(env, next.getFloatBuffer(),
                                next.getInfo().getShape()));
                    }
                    // --- end of the docs' loop ---
                    double err = OnnxTestModels.relativeError(reference.step(frameArray.castTo(DataType.DOUBLE)).toDoubleMatrix(), logits);
                    assertTrue(err < 1e-5, "frame " + f + ": relative error " + err);
                }
                feed.get("input").close();
            }
        }
    }
}
