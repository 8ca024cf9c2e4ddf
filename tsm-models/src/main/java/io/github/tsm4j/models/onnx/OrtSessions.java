package io.github.tsm4j.models.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * ONNX Runtime sessions for tsm4j exports: full graph optimisation, {@code threads} intra-op threads (not
 * spinning between operators), one inter-op thread, sequential execution; and the check that a session holds the export its caller expects. Loaded only
 * after {@link OrtEngines#available()}.
 */
final class OrtSessions {

    private OrtSessions() {
    }

    /** A session on a serialised model, and its checked tsm4j metadata. */
    record Opened(OrtSession session, OnnxMetadata metadata) {
    }

    static Opened open(byte[] model, int threads, OnnxModelKind expected, String source) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, found " + threads);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            // no busy-waiting between operators: ONNX Runtime's spinning worker threads otherwise keep the cores
            // busy after each call, taking them from ND4J's threads and from other processes
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalArgumentException(source + ": ONNX Runtime cannot load it: "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
        try {
            OnnxModelMetadata m = session.getMetadata();
            OnnxMetadata meta = OnnxMetadata.fromProps(m.getProducerName(), m.getCustomMetadata(), source);
            if (meta.kind() != expected) {
                throw new IllegalArgumentException(source + " is an " + meta.kind().name().toLowerCase(
                        java.util.Locale.ROOT) + " tsm4j export, expected an " + expected.name().toLowerCase(
                        java.util.Locale.ROOT) + " one" + (expected == OnnxModelKind.ONLINE
                                ? " (export with --online)" : " (export without --online)"));
            }
            checkSignature(session, meta, source);
            return new Opened(session, meta);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException(source + ": cannot read its ONNX metadata: " + e.getMessage(), e);
        }
    }

    private static void checkSignature(OrtSession session, OnnxMetadata meta, String source) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        long[] in = shape(inputs.get(OnnxMetadata.INPUT_NAME));
        long[] out = shape(outputs.get(OnnxMetadata.OUTPUT_NAME));
        if (in == null || in.length != 4 || in[1] != 3 || out == null || out.length != 2) {
            throw new IllegalArgumentException(source + ": tsm4j metadata does not match the graph (expected input '"
                    + OnnxMetadata.INPUT_NAME + "' [*, 3, H, W] and output '" + OnnxMetadata.OUTPUT_NAME
                    + "' [*, K])");
        }
        if (out[1] != meta.labels().size()) {
            throw new IllegalArgumentException(source + ": metadata lists " + meta.labels().size()
                    + " labels but output '" + OnnxMetadata.OUTPUT_NAME + "' has " + out[1] + " classes");
        }
        for (OnnxMetadata.Cache c : meta.caches()) {
            long[] ci = shape(inputs.get(c.input()));
            long[] co = shape(outputs.get(c.output()));
            long[] want = {c.channels(), c.height(), c.width()};
            if (ci == null || co == null || ci.length != 4 || co.length != 4
                    || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(ci, 1, 4), want)
                    || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(co, 1, 4), want)) {
                throw new IllegalArgumentException(source + ": metadata cache '" + c.input() + "' ["
                        + "B, " + c.channels() + ", " + c.height() + ", " + c.width() + "] does not match the graph");
            }
        }
        int graphCaches = inputs.size() - 1;
        if (graphCaches != meta.caches().size()) {
            throw new IllegalArgumentException(source + ": the graph has " + graphCaches + " inputs besides '"
                    + OnnxMetadata.INPUT_NAME + "', the metadata lists " + meta.caches().size() + " caches");
        }
    }

    private static long[] shape(NodeInfo info) {
        return info != null && info.getInfo() instanceof TensorInfo t ? t.getShape() : null;
    }

    static FloatBuffer directFloats(long n) {
        if (n > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("tensor of " + n + " floats is too large for one buffer");
        }
        return ByteBuffer.allocateDirect((int) n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // closing native resources of an engine that is being discarded: nothing to recover
        }
    }

    static IllegalStateException failure(String what, OrtException e) {
        return new IllegalStateException("ONNX Runtime failed to " + what + ": " + e.getMessage(), e);
    }
}
