package io.github.tsm4j.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.nativeblas.NativeOpsHolder;

/** Describes the machine and the settings a benchmark ran with (CPU, threads, JVM flags, allocator, ND4J build). */
public final class MachineInfo {

    private MachineInfo() {
    }

    /** @return ordered key/value description */
    public static Map<String, String> describe(int threads) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        m.put("threads", threads + " (OpenMP max " + Threads.current() + ")");
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("jvm flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        m.put("javacpp", "maxPhysicalBytes " + org.bytedeco.javacpp.Pointer.maxPhysicalBytes()
                + " (0 = no resident-size check per native allocation), maxBytes " + org.bytedeco.javacpp.Pointer.maxBytes());
        Map<String, String> malloc = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("MALLOC_") || k.equals("OMP_NUM_THREADS")) {
                malloc.put(k, v);
            }
        });
        m.put("env", malloc.isEmpty() ? "(no MALLOC_*/OMP_NUM_THREADS set)" : malloc.toString());
        m.put("nd4j build", nd4jBuild());
        m.put("load average", loadAverage());
        return m;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
        return System.getProperty("os.arch");
    }

    /** @return the native build's feature flags (HAVE_ONEDNN, …) and the library file it was loaded from */
    static String nd4jBuild() {
        List<String> flags = new ArrayList<>();
        try {
            String info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
            for (String line : info.split("\n")) {
                String l = line.trim();
                if (l.startsWith("HAVE_") || l.contains("AVX") || l.startsWith("ARCH")) {
                    flags.add(l);
                }
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            flags.add("unknown (" + e.getMessage() + ")");
        }
        return String.join(" ", flags) + "; " + nativeLibrary();
    }

    private static String nativeLibrary() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.contains("libnd4jcpu")) {
                    String path = line.substring(line.indexOf('/'));
                    return path.contains("/.javacpp/cache/") ? path.substring(path.indexOf("/.javacpp/cache/") + 16)
                            : path;
                }
            }
        } catch (IOException | RuntimeException e) {
            return "libnd4jcpu: unknown";
        }
        return "libnd4jcpu: not mapped";
    }

    /** @return /proc/loadavg, or "unknown" */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** @return peak resident set size of this process in MiB (VmHWM), or −1 when unknown */
    public static double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Resets the process's peak resident size ({@code VmHWM}) to the current one (Linux: "5" into
     * {@code /proc/self/clear_refs}), so that the next {@link #peakRssMiB()} is the peak since this call.
     *
     * @return whether the reset was accepted (false on other systems or without permission)
     */
    public static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
