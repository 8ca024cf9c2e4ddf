package io.github.tsm4j.models.importer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tensor read from a PyTorch checkpoint: a dtype, a shape, and a strided view (offset, strides in
 * elements) of a storage. Values are copied out in row-major (C) order whatever the strides, so a
 * transposed or sliced tensor comes out as PyTorch's {@code tensor.contiguous()} would.
 *
 * <p>Shapes are PyTorch's: conv weights {@code [out, in, kH, kW]}, depthwise conv weights
 * {@code [C, 1, kH, kW]}, Linear weights {@code [out, in]}, BatchNorm vectors {@code [C]}; a scalar has
 * shape {@code []}.
 */
public final class TorchTensor {
    private final TorchStorage storage;
    private final long offset;
    private final long[] shape;
    private final long[] stride;
    private final long numel;

    /** Checked by the reader: the view lies inside the storage and the element count fits an array. */
    TorchTensor(TorchStorage storage, long offset, long[] shape, long[] stride) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.stride = stride.clone();
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        this.numel = n;
    }

    /** @return the element type */
    public TorchDType dtype() {
        return storage.dtype();
    }

    /** @return the shape (a copy), PyTorch order */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the shape as ints (a copy) */
    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.toIntExact(shape[i]);
        }
        return s;
    }

    /** @return the strides in elements (a copy) */
    public long[] stride() {
        return stride.clone();
    }

    /** @return the offset of the first element in the storage, in elements */
    public long storageOffset() {
        return offset;
    }

    /** @return the number of elements */
    public long numel() {
        return numel;
    }

    /** @return whether the view is row-major contiguous (strides of {@code tensor.contiguous()}) */
    public boolean isContiguous() {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** @return the shape formatted like PyTorch prints it, e.g. {@code [64, 3, 7, 7]} */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /**
     * @return the values as float in row-major order (float64 and integer values are converted,
     *     float16/bfloat16 exactly)
     */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(numel)];
        ByteBuffer b = storage.data();
        if (dtype() == TorchDType.FLOAT32 && isContiguous()) {
            b.position(Math.toIntExact(offset * 4));
            b.asFloatBuffer().get(out);
            return out;
        }
        long[] idx = storageIndices();
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) readDouble(b, idx[i]);
        }
        return out;
    }

    /** @return the values as double in row-major order */
    public double[] toDoubleArray() {
        double[] out = new double[Math.toIntExact(numel)];
        ByteBuffer b = storage.data();
        if (dtype() == TorchDType.FLOAT64 && isContiguous()) {
            b.position(Math.toIntExact(offset * 8));
            b.asDoubleBuffer().get(out);
            return out;
        }
        long[] idx = storageIndices();
        for (int i = 0; i < out.length; i++) {
            out[i] = readDouble(b, idx[i]);
        }
        return out;
    }

    /**
     * @return the values as long in row-major order
     * @throws IllegalStateException for floating-point tensors
     */
    public long[] toLongArray() {
        if (dtype().isFloatingPoint()) {
            throw new IllegalStateException("tensor of dtype " + dtype() + " has no exact long values");
        }
        long[] out = new long[Math.toIntExact(numel)];
        ByteBuffer b = storage.data();
        long[] idx = storageIndices();
        for (int i = 0; i < out.length; i++) {
            out[i] = readLong(b, idx[i]);
        }
        return out;
    }

    /**
     * @return a new row-major INDArray of the same shape: DOUBLE for float64, FLOAT for the other
     *     floating-point types, LONG for integer types
     */
    public INDArray toINDArray() {
        long[] s = shape.length == 0 ? new long[0] : shape;
        return switch (dtype()) {
            case FLOAT64 -> Nd4j.create(toDoubleArray(), s, DataType.DOUBLE);
            case FLOAT32, FLOAT16, BFLOAT16 -> Nd4j.create(toFloatArray(), s, DataType.FLOAT);
            case INT64, INT32, INT16, INT8, UINT8, BOOL -> Nd4j.createFromArray(toLongArray()).reshape(s);
        };
    }

    /** The storage, for the reader (attaching zip data on demand). */
    TorchStorage storageForReader() {
        return storage;
    }

    @Override
    public String toString() {
        return "TorchTensor[" + dtype() + " " + shapeString() + "]";
    }

    /** Storage element index of each element, in row-major order of the view. */
    private long[] storageIndices() {
        long[] out = new long[Math.toIntExact(numel)];
        int rank = shape.length;
        long[] counter = new long[rank];
        long pos = offset;
        for (int i = 0; i < out.length; i++) {
            out[i] = pos;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                pos += stride[d];
                if (counter[d] < shape[d]) {
                    break;
                }
                pos -= stride[d] * shape[d];
                counter[d] = 0;
            }
        }
        return out;
    }

    private double readDouble(ByteBuffer b, long index) {
        int i = Math.toIntExact(index);
        return switch (dtype()) {
            case FLOAT32 -> b.getFloat(i * 4);
            case FLOAT64 -> b.getDouble(i * 8);
            case FLOAT16 -> halfToFloat(b.getShort(i * 2));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            case INT64, INT32, INT16, INT8, UINT8, BOOL -> readLong(b, index);
        };
    }

    private long readLong(ByteBuffer b, long index) {
        int i = Math.toIntExact(index);
        return switch (dtype()) {
            case INT64 -> b.getLong(i * 8);
            case INT32 -> b.getInt(i * 4);
            case INT16 -> b.getShort(i * 2);
            case INT8 -> b.get(i);
            case UINT8, BOOL -> b.get(i) & 0xff;
            case FLOAT32, FLOAT64, FLOAT16, BFLOAT16 -> throw new IllegalStateException("not an integer dtype: " + dtype());
        };
    }

    /** IEEE 754 binary16 to binary32, exact (subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        int bits;
        if (exp == 0x1f) {
            bits = (sign << 31) | 0x7f800000 | (mant << 13);
        } else if (exp != 0) {
            bits = (sign << 31) | ((exp - 15 + 127) << 23) | (mant << 13);
        } else if (mant == 0) {
            bits = sign << 31;
        } else {
            // subnormal: value = mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign == 1 ? -v : v;
        }
        return Float.intBitsToFloat(bits);
    }
}
