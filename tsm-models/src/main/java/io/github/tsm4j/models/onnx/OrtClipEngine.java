package io.github.tsm4j.models.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.tsm4j.models.engine.ClipEngine;
import io.github.tsm4j.models.engine.EngineKind;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link ClipEngine} on ONNX Runtime: the offline export in one session. The clips are copied once per call into
 * a direct buffer that ONNX Runtime reads in place (kept and reused while the clip size stays the same).
 */
final class OrtClipEngine implements ClipEngine {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final OnnxMetadata meta;
    private FloatBuffer staging;

    OrtClipEngine(byte[] model, int threads, String source) {
        OrtSessions.Opened opened = OrtSessions.open(model, threads, OnnxModelKind.OFFLINE, source);
        this.session = opened.session();
        this.meta = opened.metadata();
    }

    @Override
    public EngineKind kind() {
        return EngineKind.ONNX_RUNTIME;
    }

    @Override
    public List<String> labels() {
        return meta.labels();
    }

    @Override
    public int segments() {
        return meta.input().segments();
    }

    @Override
    public float[][] logits(INDArray clips) {
        long[] s = clips.shape();
        int t = segments();
        if (s.length != 4 || s[0] < 1 || s[0] % t != 0 || s[1] != 3 || s[2] < 1 || s[3] < 1) {
            throw new IllegalArgumentException("clips must be [N·T, 3, H, W] with T = " + t + " (NCHW), found "
                    + Arrays.toString(s));
        }
        long n = clips.length();
        if (staging == null || staging.capacity() != n) {
            staging = OrtSessions.directFloats(n);
        }
        INDArray f = clips.dataType() == DataType.FLOAT ? clips : clips.castTo(DataType.FLOAT);
        staging.clear();
        if (f.ordering() == 'c' && !f.isView() && f.offset() == 0 && f.data().length() == n) {
            staging.put(f.data().asNioFloat());
        } else {
            staging.put(f.dup('c').data().asNioFloat());
        }
        staging.rewind();
        try (OnnxTensor input = OnnxTensor.createTensor(env, staging, s);
                OrtSession.Result result = session.run(Map.of(OnnxMetadata.INPUT_NAME, input))) {
            return (float[][]) result.get(0).getValue();
        } catch (OrtException e) {
            throw OrtSessions.failure("run the offline model on clips " + Arrays.toString(s), e);
        }
    }

    @Override
    public void close() {
        OrtSessions.closeQuietly(session);
    }
}
