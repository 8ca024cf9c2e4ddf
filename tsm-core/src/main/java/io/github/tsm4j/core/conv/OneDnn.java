package io.github.tsm4j.core.conv;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
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
    private static final ThreadLocal<BytePointer[]> SCRATCHPADS = ThreadLocal.withInitial(() -> new BytePointer[1]);
    private static final ThreadLocal<BytePointer[]> WEIGHT_BUFFERS = ThreadLocal.withInitial(() -> new BytePointer[1]);
    private static final long SCRATCHPAD_ALIGNMENT = 4096;

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
                LOG.info("oneDNN {}.{}.{} loaded (org.bytedeco:dnnl: the ONEDNN layers and shift kernel, the "
                        + "inference executor's fused residual ReLU)", dnnl.dnnl_version().major(),
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
            if (a.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT || a.isEmpty()
                    || !io.github.tsm4j.core.HostCopy.rowMajorDense(a)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The address of an array's first element as oneDNN's data handle (views included).
     *
     * @param a a host array
     * @return its data pointer
     */
    public static Pointer handle(org.nd4j.linalg.api.ndarray.INDArray a) {
        return a.data().addressPointer();
    }

    /**
     * A layer's primitives per input shape: the last {@code max} shapes used are kept (training and evaluation
     * batches may differ), the least recently used one is dropped.
     *
     * @param <P> what is kept per shape
     */
    public static final class Plans<P> {
        private final int max;
        private final java.util.function.Function<long[], P> create;
        private final java.util.LinkedHashMap<java.util.List<Long>, P> plans =
                new java.util.LinkedHashMap<>(4, 0.75f, true);

        /**
         * @param max shapes kept
         * @param create builds what a new shape needs
         */
        public Plans(int max, java.util.function.Function<long[], P> create) {
            this.max = max;
            this.create = create;
        }

        /**
         * @param shape the input shape of a call
         * @return its plan, created on first use
         */
        public P get(long[] shape) {
            java.util.List<Long> key = java.util.Arrays.stream(shape).boxed().toList();
            P p = plans.get(key);
            if (p == null) {
                if (plans.size() >= max) {
                    plans.remove(plans.keySet().iterator().next());
                }
                p = create.apply(shape.clone());
                plans.put(key, p);
            }
            return p;
        }
    }

    private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Whether a layer configured for oneDNN can use it: {@link #available()}, and where not, one warning per kind of
     * layer that its kind runs libnd4j's ops instead (the same results; a model saved with the choice opens anywhere).
     *
     * @param kind what the layer asked for, e.g. "convolutions"
     * @param layerName the first layer that asks, for the warning
     * @return whether oneDNN's natives load
     */
    public static boolean availableFor(String kind, String layerName) {
        if (available()) {
            return true;
        }
        if (WARNED.add(kind)) {
            LOG.warn("Layer '{}' asks for oneDNN {} but oneDNN's natives ({}) do not load here; it (and any others "
                    + "like it) runs libnd4j's ops", layerName, kind, NATIVE_ARTIFACTS);
        }
        return false;
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
     * Attributes with a user-provided scratchpad: every primitive of tsm4j gets its temporary memory from the
     * calling thread's buffer ({@link #scratchpad}), never from oneDNN's process-wide one, so networks training on
     * different threads (the demo's two) cannot overwrite each other's temporaries.
     *
     * @return new attributes
     */
    public static primitive_attr userScratchpad() {
        primitive_attr attr = new primitive_attr();
        attr.set_scratchpad_mode(dnnl.scratchpad_mode.user);
        return attr;
    }

    /**
     * The calling thread's scratchpad, at least {@code bytes} long and page-aligned; it grows and never shrinks.
     * A primitive may use it only between binding and the end of its execution on this thread.
     *
     * @param bytes the size a primitive asks for
     * @return the buffer
     */
    public static Pointer scratchpad(long bytes) {
        return buffer(SCRATCHPADS.get(), bytes);
    }

    /**
     * The calling thread's buffer for weights in oneDNN's blocked layout (a second one beside the scratchpad, same
     * rules): a convolution's weights are reordered into it right before the primitive that reads them, or written
     * there by the primitive and reordered out right after, so no layer keeps a blocked copy of its weights.
     *
     * @param bytes the size the blocked layout needs
     * @return the buffer
     */
    public static Pointer weightBuffer(long bytes) {
        return buffer(WEIGHT_BUFFERS.get(), bytes);
    }

    private static Pointer buffer(BytePointer[] holder, long bytes) {
        BytePointer b = holder[0];
        if (b == null || b.capacity() - b.position() < bytes) {
            if (b != null) {
                b.position(0).close();
            }
            b = new BytePointer(Math.max(bytes, 1L << 20) + SCRATCHPAD_ALIGNMENT);
            long misalignment = b.address() % SCRATCHPAD_ALIGNMENT;
            b.position(misalignment == 0 ? 0 : SCRATCHPAD_ALIGNMENT - misalignment);
            holder[0] = b;
        }
        return b;
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
