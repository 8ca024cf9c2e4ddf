package io.github.tsm4j.models.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.tsm4j.models.engine.EngineKind;
import io.github.tsm4j.models.engine.FrameEngine;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link FrameEngine} on ONNX Runtime: the online export in one session, B streams per call. Every cache lives in
 * two direct buffers (ping-pong): a call reads the caches from one set and ONNX Runtime writes the new caches
 * straight into the other (pinned outputs), so no cache is copied between calls; the logits are pinned too.
 * {@link #reset(int)} zeroes one stream's slice of the set the next call reads.
 */
final class OrtFrameEngine implements FrameEngine {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final OnnxMetadata meta;
    private final int streams;
    private final int size;
    private final int classes;
    private final FloatBuffer frameBuffer;
    private final OnnxTensor frameTensor;
    private final FloatBuffer logitsBuffer;
    private final OnnxTensor logitsTensor;
    private final FloatBuffer[][] cacheBuffers;
    private final OnnxTensor[][] cacheTensors;
    /** Which cache set the next call reads. */
    private int current;

    OrtFrameEngine(byte[] model, int streams, int threads, String source) {
        if (streams < 1) {
            throw new IllegalArgumentException("streams must be >= 1, found " + streams);
        }
        OrtSessions.Opened opened = OrtSessions.open(model, threads, OnnxModelKind.ONLINE, source);
        this.session = opened.session();
        this.meta = opened.metadata();
        this.streams = streams;
        this.size = meta.input().cropSize();
        this.classes = meta.labels().size();
        try {
            long fixed = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(OnnxMetadata.INPUT_NAME).getInfo())
                    .getShape()[0];
            if (fixed > 0 && fixed != streams) {
                OrtSessions.closeQuietly(session);
                throw new IllegalArgumentException(source + " takes " + fixed + " streams, asked for " + streams);
            }
        } catch (OrtException e) {
            OrtSessions.closeQuietly(session);
            throw OrtSessions.failure("read the input shape of " + source, e);
        }
        List<OnnxMetadata.Cache> caches = meta.caches();
        this.cacheBuffers = new FloatBuffer[2][caches.size()];
        this.cacheTensors = new OnnxTensor[2][caches.size()];
        try {
            frameBuffer = OrtSessions.directFloats((long) streams * 3 * size * size);
            frameTensor = OnnxTensor.createTensor(env, frameBuffer, new long[] {streams, 3, size, size});
            logitsBuffer = OrtSessions.directFloats((long) streams * classes);
            logitsTensor = OnnxTensor.createTensor(env, logitsBuffer, new long[] {streams, classes});
            for (int set = 0; set < 2; set++) {
                for (int i = 0; i < caches.size(); i++) {
                    OnnxMetadata.Cache c = caches.get(i);
                    long[] shape = {streams, c.channels(), c.height(), c.width()};
                    cacheBuffers[set][i] = OrtSessions.directFloats(shape[0] * shape[1] * shape[2] * shape[3]);
                    cacheTensors[set][i] = OnnxTensor.createTensor(env, cacheBuffers[set][i], shape);
                }
            }
        } catch (OrtException e) {
            close();
            throw OrtSessions.failure("allocate the online engine's tensors", e);
        }
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
    public int streams() {
        return streams;
    }

    /** @return how many shift caches the network carries */
    int caches() {
        return meta.caches().size();
    }

    @Override
    public void step(INDArray frames, float[][] out) {
        long[] s = frames.shape();
        if (s.length != 4 || s[0] != streams || s[1] != 3 || s[2] != size || s[3] != size) {
            throw new IllegalArgumentException("frames must be [" + streams + ", 3, " + size + ", " + size
                    + "] (one NCHW frame per stream), found " + Arrays.toString(s));
        }
        if (out.length != streams || Arrays.stream(out).anyMatch(row -> row == null || row.length != classes)) {
            throw new IllegalArgumentException("out must be [" + streams + "][" + classes + "]");
        }
        INDArray f = frames.dataType() == DataType.FLOAT ? frames : frames.castTo(DataType.FLOAT);
        if (f.ordering() != 'c' || f.isView() || f.offset() != 0 || f.data().length() != f.length()) {
            f = f.dup('c');
        }
        frameBuffer.clear();
        frameBuffer.put(f.data().asNioFloat());
        frameBuffer.rewind();
        List<OnnxMetadata.Cache> caches = meta.caches();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        Map<String, OnnxTensor> outputs = new HashMap<>();
        inputs.put(OnnxMetadata.INPUT_NAME, frameTensor);
        outputs.put(OnnxMetadata.OUTPUT_NAME, logitsTensor);
        int next = 1 - current;
        for (int i = 0; i < caches.size(); i++) {
            inputs.put(caches.get(i).input(), cacheTensors[current][i]);
            outputs.put(caches.get(i).output(), cacheTensors[next][i]);
        }
        try (OrtSession.Result r = session.run(inputs, outputs)) {
            current = next;
        } catch (OrtException e) {
            throw OrtSessions.failure("run the online model", e);
        }
        logitsBuffer.rewind();
        for (float[] row : out) {
            logitsBuffer.get(row);
        }
    }

    @Override
    public void reset(int stream) {
        if (stream < 0 || stream >= streams) {
            throw new IllegalArgumentException("stream must be in [0, " + streams + "), found " + stream);
        }
        for (FloatBuffer b : cacheBuffers[current]) {
            int per = b.capacity() / streams;
            for (int i = stream * per; i < (stream + 1) * per; i++) {
                b.put(i, 0f);
            }
        }
    }

    @Override
    public void reset() {
        for (int i = 0; i < streams; i++) {
            reset(i);
        }
    }

    @Override
    public void close() {
        for (OnnxTensor[] set : cacheTensors) {
            for (OnnxTensor t : set) {
                OrtSessions.closeQuietly(t);
            }
        }
        OrtSessions.closeQuietly(frameTensor);
        OrtSessions.closeQuietly(logitsTensor);
        OrtSessions.closeQuietly(session);
    }
}
