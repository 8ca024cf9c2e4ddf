package io.github.tsm4j.examples.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps the Java heap of a long CLI run close to what it uses. ND4J makes many short-lived Java objects per native
 * op, and with the JVM's defaults G1 grows the heap far beyond the live data (the demo: ~0.6 GB of its 1.2 GB peak
 * resident size was heap; with {@code -Xmx200m} it ran as fast at 0.63 GB). The JVM's "manageable" heap-sizing flags
 * can be changed at run time, so a command that wants a compact heap sets them here, each only where the user left
 * the JVM's default: {@code MinHeapFreeRatio} 5, {@code MaxHeapFreeRatio} 20 (after a collection the heap shrinks
 * to the live data plus 5–20 %) and {@code G1PeriodicGCInterval} 2000 ms (G1 gives memory back between bursts).
 */
final class CompactHeap {

    /** The flags and values set by {@link #apply()}. */
    static final Map<String, String> SETTINGS = settings();

    private CompactHeap() {
    }

    private static Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("MinHeapFreeRatio", "5");
        m.put("MaxHeapFreeRatio", "20");
        m.put("G1PeriodicGCInterval", "2000");
        return m;
    }

    /**
     * Applies {@link #SETTINGS} where the flag still has the JVM's default value.
     *
     * @return the flags changed (empty where the user set them all, or the JVM does not allow it)
     */
    static Map<String, String> apply() {
        Map<String, String> changed = new LinkedHashMap<>();
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (hotspot == null) {
            return changed;
        }
        for (Map.Entry<String, String> e : SETTINGS.entrySet()) {
            try {
                VMOption option = hotspot.getVMOption(e.getKey());
                if (option.getOrigin() == VMOption.Origin.DEFAULT && option.isWriteable()) {
                    // MinHeapFreeRatio must stay <= MaxHeapFreeRatio: lower the minimum first (it is first in SETTINGS)
                    hotspot.setVMOption(e.getKey(), e.getValue());
                    changed.put(e.getKey(), e.getValue());
                }
            } catch (IllegalArgumentException | SecurityException ignored) {
                // not a HotSpot flag on this JVM (another collector or vendor): keep its defaults
            }
        }
        return changed;
    }
}
