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
 * {@link ClipEngine} on ONNX Runtime. The clips are copied once per call into a direct buffer that ONNX Runtime
 * reads in place (kept and reused while the clip size stays the same).
 *
 * <p>On a file: one session; an export with fixed dimensions takes only clips of those. On a model
 * ({@link OrtEngines#offline(io.github.tsm4j.models.TsmModel, OnnxExportOptions, int)}): one export and session per
 * clip shape seen (N·T and the frame size fixed: ONNX Runtime then knows every shape and fuses the most), up to
 * {@value #MAX_FIXED_SHAPES} shapes, then one export with dynamic dimensions for all others.
 */
final class OrtClipEngine implements ClipEngine {

    /** How many fixed-shape sessions a model-backed engine keeps. */
    static final int MAX_FIXED_SHAPES = 4;

    /** Exports the model with N·T fixed ({@code frames > 0}) or dynamic, and a fixed or dynamic frame size. */
    interface Exporter {
        byte[] export(long frames, boolean dynamicSize);
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final Map<String, OrtSession> sessions = new java.util.LinkedHashMap<>();
    private final OnnxMetadata meta;
    /** The file's session and input shape (-1 = dynamic), or null for a model-backed engine. */
    private final OrtSession fileSession;
    private final long[] fileShape;
    private final Exporter exporter;
    private final int threads;
    private final String source;
    private OrtSession dynamicSession;
    private FloatBuffer staging;

    /** An engine on an exported file. */
    OrtClipEngine(byte[] model, int threads, String source) {
        OrtSessions.Opened opened = OrtSessions.open(model, threads, OnnxModelKind.OFFLINE, source);
        this.fileSession = opened.session();
        this.meta = opened.metadata();
        this.threads = threads;
        this.source = source;
        this.exporter = null;
        try {
            this.fileShape = ((ai.onnxruntime.TensorInfo) fileSession.getInputInfo().get(OnnxMetadata.INPUT_NAME)
                    .getInfo()).getShape();
        } catch (OrtException e) {
            close();
            throw OrtSessions.failure("read the input shape of " + source, e);
        }
    }

    /** An engine on a model, exported per clip shape; the first session takes one clip at the crop size. */
    OrtClipEngine(Exporter exporter, int segments, int cropSize, int threads, String source) {
        this.exporter = exporter;
        this.threads = threads;
        this.source = source;
        this.fileSession = null;
        this.fileShape = null;
        OrtSessions.Opened opened = OrtSessions.open(exporter.export(segments, false), threads,
                OnnxModelKind.OFFLINE, source);
        sessions.put(key(segments, cropSize, cropSize), opened.session());
        this.meta = opened.metadata();
    }

    private static String key(long frames, long h, long w) {
        return frames + "x" + h + "x" + w;
    }

    /** The session for clips of shape {@code s}. */
    private OrtSession sessionFor(long[] s) {
        if (fileSession != null) {
            for (int i : new int[] {0, 2, 3}) {
                if (fileShape[i] > 0 && fileShape[i] != s[i]) {
                    throw new IllegalArgumentException(source + " takes input " + Arrays.toString(fileShape)
                            + " (-1 = any), found clips " + Arrays.toString(s) + " (other frame sizes need an export "
                            + "with a dynamic size: tsm export --dynamic-size)");
                }
            }
            return fileSession;
        }
        OrtSession fixed = sessions.get(key(s[0], s[2], s[3]));
        if (fixed != null) {
            return fixed;
        }
        int crop = meta.input().cropSize();
        boolean dynamicSize = s[2] != crop || s[3] != crop;
        if (sessions.size() < MAX_FIXED_SHAPES) {
            OrtSession created = OrtSessions.open(exporter.export(s[0], dynamicSize), threads, OnnxModelKind.OFFLINE,
                    source + " (clips " + Arrays.toString(s) + ")").session();
            sessions.put(key(s[0], s[2], s[3]), created);
            return created;
        }
        if (dynamicSession == null) {
            dynamicSession = OrtSessions.open(exporter.export(0, true), threads, OnnxModelKind.OFFLINE,
                    source + " (dynamic shape)").session();
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
        OrtSession run = sessionFor(s);
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
        sessions.values().forEach(OrtSessions::closeQuietly);
        OrtSessions.closeQuietly(fileSession);
    }
}
