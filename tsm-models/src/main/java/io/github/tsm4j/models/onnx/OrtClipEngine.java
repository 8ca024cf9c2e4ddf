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
 *
 * <p>An export with a fixed frame size takes only that size. An engine made from a model
 * ({@link OrtEngines#offline(io.github.tsm4j.models.TsmModel, OnnxExportOptions, int)}) exports it at the model's
 * cropSize (the size ONNX Runtime optimises best) and, on the first clip of another size, once more with a dynamic
 * size in a second session.
 */
final class OrtClipEngine implements ClipEngine {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final OnnxMetadata meta;
    /** H and W the session takes, or -1 when dynamic. */
    private final long fixedHeight;
    private final long fixedWidth;
    /** Makes the dynamic-size export on demand; null for a file. */
    private final java.util.function.Supplier<byte[]> dynamicExport;
    private final int threads;
    private final String source;
    private OrtSession dynamicSession;
    private FloatBuffer staging;

    OrtClipEngine(byte[] model, int threads, String source, java.util.function.Supplier<byte[]> dynamicExport) {
        OrtSessions.Opened opened = OrtSessions.open(model, threads, OnnxModelKind.OFFLINE, source);
        this.session = opened.session();
        this.meta = opened.metadata();
        this.threads = threads;
        this.source = source;
        this.dynamicExport = dynamicExport;
        long[] in;
        try {
            in = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(OnnxMetadata.INPUT_NAME).getInfo())
                    .getShape();
        } catch (OrtException e) {
            close();
            throw OrtSessions.failure("read the input shape of " + source, e);
        }
        this.fixedHeight = in[2];
        this.fixedWidth = in[3];
    }

    /** The session for frames of h×w. */
    private OrtSession sessionFor(long h, long w) {
        if ((fixedHeight < 0 || fixedHeight == h) && (fixedWidth < 0 || fixedWidth == w)) {
            return session;
        }
        if (dynamicExport == null) {
            throw new IllegalArgumentException(source + " takes frames of " + fixedHeight + "x" + fixedWidth
                    + ", found " + h + "x" + w + " (export with a dynamic size: tsm export --dynamic-size)");
        }
        if (dynamicSession == null) {
            dynamicSession = OrtSessions.open(dynamicExport.get(), threads, OnnxModelKind.OFFLINE, source
                    + " (dynamic size)").session();
        }
        return dynamicSession;
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
        OrtSession run = sessionFor(s[2], s[3]);
        try (OnnxTensor input = OnnxTensor.createTensor(env, staging, s);
                OrtSession.Result result = run.run(Map.of(OnnxMetadata.INPUT_NAME, input))) {
            return (float[][]) result.get(0).getValue();
        } catch (OrtException e) {
            throw OrtSessions.failure("run the offline model on clips " + Arrays.toString(s), e);
        }
    }

    @Override
    public void close() {
        OrtSessions.closeQuietly(dynamicSession);
        OrtSessions.closeQuietly(session);
    }
}
