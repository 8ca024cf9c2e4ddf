package io.github.tsm4j.models.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.models.TsmNetworks;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped catalogue and label lists: counts, orders, hashes, and every loadable network's parameter count. */
class CatalogueTest {
    private final Catalogue c = Catalogue.builtIn();

    /** torchvision's published totals (1000 classes) and feature widths: the backbone count is total − fc. */
    private static final Map<String, long[]> TORCHVISION = Map.of(
            "resnet18", new long[] {11_689_512L, 512}, "resnet34", new long[] {21_797_672L, 512},
            "resnet50", new long[] {25_557_032L, 2048}, "resnet101", new long[] {44_549_160L, 2048},
            "resnet152", new long[] {60_192_808L, 2048}, "mobilenetv2", new long[] {3_504_872L, 1280});

    static long expectedParams(String arch, int classes) {
        long[] t = TORCHVISION.get(arch);
        return t[0] - (t[1] * 1000 + 1000) + t[1] * classes + classes;
    }

    @Test
    void labelListsHaveTheirDatasetsClassCountsAndOrders() {
        Map<String, Integer> counts = Map.of("kinetics400", 400, "something-v1", 174, "something-v1-sorted", 174,
                "something-v2", 174, "jester", 27, "jester-tsm-online", 27, "ucf101", 101, "hmdb51", 51);
        assertEquals(counts.keySet(), new HashSet<>(c.labelLists().stream().map(LabelListInfo::id).toList()));
        counts.forEach((id, n) -> {
            List<String> l = c.labels(id);
            assertEquals(n, l.size(), id);
            assertEquals(n, new HashSet<>(l).size(), id + " has duplicates");
            assertTrue(l.stream().allMatch(s -> !s.isBlank() && s.strip().equals(s)), id);
        });
        assertEquals(List.of("abseiling", "zumba"), ends("kinetics400"));
        assertEquals(List.of("ApplyEyeMakeup", "YoYo"), ends("ucf101"));
        assertEquals(List.of("brush_hair", "wave"), ends("hmdb51"));
        assertEquals(List.of("Swiping Left", "Doing other things"), ends("jester"));
        assertEquals(List.of("Doing other things", "Zooming Out With Two Fingers"), ends("jester-tsm-online"));
        assertEquals("Holding something", c.labels("something-v1").get(0));
        assertEquals(List.of("Approaching something with your camera", "Wiping something off of something"), ends("something-v2"));
        List<String> sorted = new ArrayList<>(c.labels("something-v1"));
        sorted.sort(null);
        assertEquals(sorted, c.labels("something-v1-sorted"));
        List<String> jester = new ArrayList<>(c.labels("jester"));
        jester.sort(null);
        assertEquals(jester, c.labels("jester-tsm-online"));
    }

    private List<String> ends(String id) {
        List<String> l = c.labels(id);
        return List.of(l.get(0), l.get(l.size() - 1));
    }

    @Test
    void everyLoadableEntryBuildsItsNetworkWithTheExpectedParameterCount() {
        int n = 0;
        for (ZooEntry e : c.entries()) {
            if (!e.loadable()) {
                continue;
            }
            long expected = expectedParams(e.backbone(), e.numClasses());
            assertEquals(expected, e.parameters(), e.id());
            assertEquals(expected, TsmNetworks.trainableParams(TsmNetworks.offline(e.config())), e.id());
            n++;
        }
        assertEquals(25, n);
        assertEquals(24_327_632L, c.get("tsm-r50-kinetics400-8f").parameters()); // "24.3 M" in the paper
        assertEquals(42_856_686L, c.get("mmaction2-tsm-r101-somethingv2-8f").parameters()); // 42.86M in mmaction2's metafile
    }

    @Test
    void entriesCarryWhatWasReadAndSayWhatWasNot() {
        for (ZooEntry e : c.entries()) {
            if (!e.loadable()) {
                assertNotNull(e.reason(), e.id());
            }
            if (e.fileName() != null && e.origin() != ModelOrigin.OFFICIAL_TSM) {
                // mmaction2 and torchvision put the first 8 hex digits of the SHA-256 in the file name
                assertTrue(e.fileName().endsWith("-" + e.sha256Prefix() + ".pth"), e.id());
                assertEquals(8, e.sha256Prefix().length(), e.id());
            }
            if (e.origin() == ModelOrigin.OFFICIAL_TSM && e.fileName() != null) {
                assertNull(e.sha256Prefix(), e.id());
                assertTrue(e.unverified().stream().anyMatch(u -> u.startsWith("sha256:")), e.id());
            }
            e.urls().forEach(u -> assertTrue(u.startsWith("https://"), u));
        }
        ZooEntry dense = c.get("tsm-r50-kinetics400-8f-dense");
        assertEquals(74.1, dense.bestTop1());
        assertEquals(Sampling.DENSE, dense.sampling());
        assertEquals("https://hanlab18.mit.edu/projects/tsm/models/TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e100_dense.pth",
                dense.urls().get(0));
        ZooEntry mma = c.get("mmaction2-tsm-r50-kinetics400-8f");
        assertEquals(new PublishedAccuracy(73.18, 90.56, "8 frames (SampleFrames num_clips=8) x TenCrop 224, probabilities "
                + "averaged (README: 8 clips x 10 crop)", c.sources().get("mmaction2")), mma.published().get(0));
        assertEquals("64d69186", mma.sha256Prefix());
        assertEquals("something-v1-sorted", c.get("tsm-r101-somethingv1-8f").labels());
        assertEquals("jester-tsm-online", c.get("tsm-mobilenetv2-jester-online").labels());
        assertEquals("0676ba61", c.get("torchvision-resnet50-imagenet").sha256Prefix());
    }

    @Test
    void anEntryWhoseLabelListHasAnotherSizeIsRefusedNamingBothCounts() {
        ZooEntry e = ZooEntry.builder("x", "resnet50", 5).dataset("Kinetics-400", "kinetics400")
                .url("https://example.org/x.pth").fileName("x.pth").build();
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> c.with(e));
        assertEquals("catalogue entry 'x' has a classifier for 5 classes but its label list 'kinetics400' has 400 labels",
                ex.getMessage());
    }

    @Test
    void aCatalogueWithAnUnknownFieldOrBadValueIsRefused() {
        String json;
        try (java.io.InputStream in = Catalogue.class.getResourceAsStream(Catalogue.RESOURCE)) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\"id\": \"tsn-r50-kinetics400\"", "\"id\": \"Bad Id\"");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String bad = json;
        IOException e = assertThrows(IOException.class,
                () -> Catalogue.read(new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8))));
        assertEquals("invalid catalogue: ZooEntry.id must be lower-case letters, digits, '.', '-' or '_', found 'Bad Id'",
                e.getMessage());
        String unknown = "{\"format\":1,\"sources\":{},\"labelLists\":[],\"models\":[],\"extra\":1}";
        assertThrows(IOException.class, () -> Catalogue.read(new ByteArrayInputStream(unknown.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void closeMatchesShareWordsOrAreFewEditsAway() {
        assertEquals("tsm-r50-kinetics400-8f", c.closeMatches("tsm-r50-kinetics400-8").get(0));
        assertEquals("torchvision-resnet50-imagenet", c.closeMatches("resnet50-imagenet").get(0));
        assertEquals(List.of(), c.closeMatches("zzzzzzzzzzzzzzzzzzzz"));
    }
}
