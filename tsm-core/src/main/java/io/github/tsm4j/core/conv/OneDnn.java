package io.github.tsm4j.core.conv;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access to oneDNN through {@code org.bytedeco:dnnl} (the CPU engine, loaded once) for
 * {@link ConvImplementation#ONEDNN}. The Java API is a dependency of tsm-core; the native library comes with the
 * {@code org.bytedeco:dnnl:2.5.2-1.5.7:linux-x86_64} artifact (and {@code org.bytedeco:opencl:3.0-1.5.7}'s
 * natives, which its loader needs), which an application adds like its ND4J backend.
 */
public final class OneDnn {

    private static final Logger LOG = LoggerFactory.getLogger(OneDnn.class);

    /** The artifacts that carry the natives, for error messages. */
    public static final String NATIVE_ARTIFACTS = "org.bytedeco:dnnl:2.5.2-1.5.7:linux-x86_64 and "
            + "org.bytedeco:opencl:3.0-1.5.7:linux-x86_64";

    private static final ThreadLocal<stream> STREAMS = ThreadLocal.withInitial(() -> new stream(engine()));

    private OneDnn() {
    }

    private static final class Holder {
        private static final engine ENGINE;
        private static final Throwable FAILURE;

        static {
            engine e = null;
            Throwable failure = null;
            try {
                e = new engine(engine.kind.cpu, 0);
                LOG.info("oneDNN {}.{}.{} loaded for ConvImplementation.ONEDNN", dnnl.dnnl_version().major(),
                        dnnl.dnnl_version().minor(), dnnl.dnnl_version().patch());
            } catch (Throwable t) {
                failure = t;
            }
            ENGINE = e;
            FAILURE = failure;
        }
    }

    /**
     * Whether oneDNN can read and write these arrays in place: float32, dense row-major (dimensions of size 1 may
     * have any stride), host memory; null entries are skipped.
     *
     * @param arrays the arrays of one call
     * @return true when every array qualifies
     */
    public static boolean suits(org.nd4j.linalg.api.ndarray.INDArray... arrays) {
        for (org.nd4j.linalg.api.ndarray.INDArray a : arrays) {
            if (a == null) {
                continue;
            }
            if (a.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT || a.isEmpty()) {
                return false;
            }
            long expected = 1;
            for (int d = a.rank() - 1; d >= 0; d--) {
                if (a.size(d) != 1 && a.stride(d) != expected) {
                    return false;
                }
                expected *= a.size(d);
            }
        }
        return true;
    }

    /** Whether oneDNN's natives load on this machine. */
    public static boolean available() {
        try {
            return Holder.ENGINE != null;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * The calling thread's stream on the CPU engine (a network runs on one thread at a time; its layers share it).
     *
     * @return the stream
     */
    public static stream stream() {
        return STREAMS.get();
    }

    /**
     * The CPU engine.
     *
     * @throws IllegalStateException naming the artifacts to add when oneDNN does not load
     */
    public static engine engine() {
        Throwable failure;
        try {
            if (Holder.ENGINE != null) {
                return Holder.ENGINE;
            }
            failure = Holder.FAILURE;
        } catch (Throwable t) {
            failure = t;
        }
        throw new IllegalStateException("ConvImplementation.ONEDNN needs oneDNN's natives on the classpath ("
                + NATIVE_ARTIFACTS + "); loading them failed: " + failure, failure);
    }
}
