package io.github.tsm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareReportTest {

    private static String json(String impl, double latency, double vps, String extra) {
        return "{\"implementation\":\"" + impl + "\",\"machine\":{\"threads\":2},\"figures\":{"
                + "\"r50.tsm.latency_1x8\":{\"value\":" + latency + ",\"unit\":\"ms\"},"
                + "\"r50.tsm.videos_per_s_4x8\":{\"value\":" + vps + ",\"unit\":\"videos/s\"}"
                + extra + "}}";
    }

    @Test
    void splicesTableBetweenMarkersAndWritesChart(@TempDir Path dir) throws Exception {
        Path ours = dir.resolve("tsm4j.json");
        Path torch = dir.resolve("torch.json");
        Files.writeString(ours, json("tsm4j", 200, 4, ",\"only.ours\":{\"value\":1,\"unit\":\"ms\"}"));
        Files.writeString(torch, json("pytorch", 300, 2, ""));
        Path doc = dir.resolve("benchmarks.md");
        Files.writeString(doc, "# Title\n\n" + CompareReport.BEGIN + "\nold\n" + CompareReport.END + "\n\nTail\n");
        Path chart = dir.resolve("img/chart.png");
        List<CompareReport.Row> rows = CompareReport.run(ours, torch, doc, chart);
        assertEquals(2, rows.size(), "only figures both sides have");
        assertEquals(1.5, rows.get(0).speedup(), 1e-12, "latency: torch time / our time");
        assertEquals(2.0, rows.get(1).speedup(), 1e-12, "throughput: our rate / torch rate");
        String text = Files.readString(doc);
        assertTrue(text.startsWith("# Title\n\n" + CompareReport.BEGIN));
        assertTrue(text.endsWith(CompareReport.END + "\n\nTail\n"));
        assertTrue(text.contains("| r50.tsm.latency_1x8 | ms | 200.000 | 300.000 | 1.50× |"), text);
        assertTrue(!text.contains("old"));
        assertTrue(Files.size(chart) > 1000);
    }
}
