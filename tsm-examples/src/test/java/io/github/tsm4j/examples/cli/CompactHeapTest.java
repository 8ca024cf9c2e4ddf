package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactHeapTest {

    @Test
    void setsTheManageableHeapFlagsTheUserLeftAtTheirDefaults() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        Map<String, VMOption> before = new java.util.HashMap<>();
        for (String name : CompactHeap.SETTINGS.keySet()) {
            before.put(name, hotspot.getVMOption(name));
        }
        Map<String, String> changed = CompactHeap.apply();
        for (Map.Entry<String, String> e : CompactHeap.SETTINGS.entrySet()) {
            VMOption was = before.get(e.getKey());
            VMOption now = hotspot.getVMOption(e.getKey());
            if (was.getOrigin() == VMOption.Origin.DEFAULT) {
                assertEquals(e.getValue(), now.getValue(), e.getKey());
                assertEquals(e.getValue(), changed.get(e.getKey()), e.getKey());
            } else {
                assertEquals(was.getValue(), now.getValue(), "a flag the user set stays: " + e.getKey());
            }
        }
        // a second call changes nothing: the flags are no longer at their defaults
        assertEquals(Map.of(), CompactHeap.apply());
    }
}
