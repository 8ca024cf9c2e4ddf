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
}
