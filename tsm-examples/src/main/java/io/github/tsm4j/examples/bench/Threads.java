package io.github.tsm4j.examples.bench;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** Sets the native thread count (OpenMP, used by libnd4j and oneDNN) for the rest of the process. */
public final class Threads {

    private Threads() {
    }

    /**
     * @param n threads, at least 1
     */
    public static void set(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1, found " + n);
        }
        Nd4j.getExecutioner(); // loads the backend, which NativeOpsHolder needs
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
    }

    /** @return OpenMP's current maximum thread count */
    public static int current() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }
}
