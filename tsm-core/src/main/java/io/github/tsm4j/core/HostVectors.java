package io.github.tsm4j.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads and writes the values of short dense host arrays (a layer's per-channel vectors: BatchNorm statistics,
 * running estimates and their gradients) straight from and into their memory, without the ND4J copy, cast and
 * assign ops (and arrays) that {@code toDoubleVector()} and {@code assign} cost per call — a few microseconds each,
 * which add up to a large share of a small network's training step. Values convert exactly as those do
 * ({@code float → double} exactly, {@code double → float} rounded to nearest). Arrays that are not float32/float64
 * dense row-major host arrays take ND4J's calls.
 */
public final class HostVectors {

    private HostVectors() {
    }

    private static boolean raw(INDArray a) {
        DataType t = a.dataType();
        return (t == DataType.FLOAT || t == DataType.DOUBLE) && HostMemory.rawAccess() && HostMemory.hostArray(a)
                && HostCopy.rowMajorDense(a);
    }

    /**
     * @param a an array of any shape (its values in row-major order)
     * @return its values as doubles
     */
    public static double[] read(INDArray a) {
        if (!raw(a)) {
            return a.toDoubleVector();
        }
        int n = Math.toIntExact(a.length());
        double[] v = new double[n];
        long at = HostMemory.address(a);
        if (a.dataType() == DataType.FLOAT) {
            for (int i = 0; i < n; i++) {
                v[i] = HostMemory.getFloat(at + 4L * i);
            }
        } else {
            for (int i = 0; i < n; i++) {
                v[i] = HostMemory.getDouble(at + 8L * i);
            }
        }
        return v;
    }

    /**
     * Overwrites the array's values (row-major order) with {@code values}.
     *
     * @param values as many values as the array has
     * @param a the array to write
     * @throws IllegalArgumentException if the lengths differ
     */
    public static void write(double[] values, INDArray a) {
        if (values.length != a.length()) {
            throw new IllegalArgumentException("HostVectors.write: " + values.length + " values for an array of "
                    + a.length() + " elements");
        }
        if (!raw(a)) {
            a.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(values).castTo(a.dataType()).reshape(a.shape()));
            return;
        }
        long at = HostMemory.address(a);
        if (a.dataType() == DataType.FLOAT) {
            for (int i = 0; i < values.length; i++) {
                HostMemory.putFloat(at + 4L * i, (float) values[i]);
            }
        } else {
            for (int i = 0; i < values.length; i++) {
                HostMemory.putDouble(at + 8L * i, values[i]);
            }
        }
    }

    /** Arrays up to this many elements are summed by {@link #sumOfSquares} on the calling thread. */
    static final long HOST_SUM_MAX = 1L << 18;

    /**
     * The sum of the squared values, {@code Σ x²} (what {@code norm2²} is), accumulated in double: for a dense
     * float/double host array of at most 262,144 elements a loop over its memory (no ND4J op, no array, no
     * synchronisation: a layer's weights or gradient in a few microseconds); for larger or other arrays ND4J's
     * {@code norm2}, squared.
     *
     * @param a an array of any shape
     * @return Σ x² over its elements
     */
    public static double sumOfSquares(INDArray a) {
        if (a.length() > HOST_SUM_MAX || !raw(a)) {
            double n = a.norm2Number().doubleValue();
            return n * n;
        }
        int n = (int) a.length();
        long at = HostMemory.address(a);
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        if (a.dataType() == DataType.FLOAT) {
            for (; i + 3 < n; i += 4) {
                double x0 = HostMemory.getFloat(at + 4L * i);
                double x1 = HostMemory.getFloat(at + 4L * i + 4);
                double x2 = HostMemory.getFloat(at + 4L * i + 8);
                double x3 = HostMemory.getFloat(at + 4L * i + 12);
                s0 += x0 * x0;
                s1 += x1 * x1;
                s2 += x2 * x2;
                s3 += x3 * x3;
            }
            for (; i < n; i++) {
                double x = HostMemory.getFloat(at + 4L * i);
                s0 += x * x;
            }
        } else {
            for (; i + 3 < n; i += 4) {
                double x0 = HostMemory.getDouble(at + 8L * i);
                double x1 = HostMemory.getDouble(at + 8L * i + 8);
                double x2 = HostMemory.getDouble(at + 8L * i + 16);
                double x3 = HostMemory.getDouble(at + 8L * i + 24);
                s0 += x0 * x0;
                s1 += x1 * x1;
                s2 += x2 * x2;
                s3 += x3 * x3;
            }
            for (; i < n; i++) {
                double x = HostMemory.getDouble(at + 8L * i);
                s0 += x * x;
            }
        }
        return (s0 + s1) + (s2 + s3);
    }
}
