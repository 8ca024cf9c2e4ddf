package io.github.tsm4j.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One side buffer shared by several {@link InPlaceShift}s on the oneDNN engine (the shifts of one network's
 * blocks), instead of one buffer each: float32, as large as the largest of them needs, allocated at the first
 * {@code apply()} and grown (never shrunk) when a shift needs more. One buffer keeps the network's resident size
 * down (TSM-ResNet-50 at 4×8 frames: 16 buffers of up to 25 MB each become one) and the moved channels in the
 * cache lines the previous block's shift used.
 *
 * <p>The shifts that share it must be used one at a time: {@code apply()}, the reader, {@code undo()} (or no
 * undo) before the next shift's {@code apply()} — as the bound inference executor runs a network's blocks. Not
 * thread-safe.
 */
public final class ShiftSideBuffer implements AutoCloseable {

    private INDArray buffer;
    private long generation;
    private long reserved;

    /**
     * Makes the first allocation at least this large (each sharing shift reserves its size when it is bound, so
     * that the first {@code apply()} allocates once).
     *
     * @param elements elements one shift needs
     */
    void reserve(long elements) {
        reserved = Math.max(reserved, elements);
    }

    /**
     * A dense c-order float32 view of the first elements of the buffer, grown first when it is smaller.
     *
     * @param shape the view's shape
     * @return the view
     */
    INDArray view(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (buffer == null || buffer.length() < n) {
            if (buffer != null && buffer.closeable()) {
                buffer.close();
            }
            buffer = Nd4j.createUninitializedDetached(DataType.FLOAT, Math.max(n, reserved));
            generation++;
        }
        return buffer.get(NDArrayIndex.interval(0, n)).reshape('c', shape);
    }

    /** @return a number that changes whenever the buffer is reallocated */
    long generation() {
        return generation;
    }

    /** @return the elements the sharing shifts reserved: the size of the first allocation */
    public long reservedElements() {
        return reserved;
    }

    /** @return elements of the buffer (0 before the first use) */
    public long elements() {
        return buffer == null ? 0 : buffer.length();
    }

    @Override
    public void close() {
        if (buffer != null && buffer.closeable()) {
            buffer.close();
        }
        buffer = null;
        generation++;
    }
}
