package io.github.tsm4j.models.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The zoo end to end on a loopback HTTP server serving the small import fixtures: download, resume, hashes,
 * cache, faults, parity of the imported model with PyTorch's logits.
 */
class PretrainedModelsTest {
    static final String FIXTURES = "/io/github/tsm4j/models/importer/models/";
    static final String R18 = "TSM_kinetics_RGB_resnet18_shift4_block_tpool_avg_segment4_e50";
    static final String R18_FILE = R18 + ".pth";
    static final List<String> LABELS5 = List.of("a", "b", "c", "d", "e");

    @TempDir
    Path tmp;
    LoopbackServer server;
    byte[] r18;
    String r18Sha;

    @BeforeEach
    void start() throws IOException {
        server = new LoopbackServer();
        r18 = gunzip(FIXTURES + R18_FILE + ".gz");
        r18Sha = java.util.HexFormat.of().formatHex(sha(r18));
        server.serve("/r18.pth", r18);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] sha(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gunzip(String resource) throws IOException {
        try (InputStream in = new GZIPInputStream(PretrainedModelsTest.class.getResourceAsStream(resource))) {
            return in.readAllBytes();
        }
    }

    /** The resnet18 fixture as a catalogue entry: every import setting given, as the real entries do. */
    ZooEntry.Builder r18Entry(String id) {
        return ZooEntry.builder(id, "resnet18", 5).placement(ShiftPlacement.IN_PLACE).foldDiv(4).temporalPool(true)
                .segments(4).inputSize(32, 32).baseWidth(4).dataset("fixture", "fixture-5").url(server.url("/r18.pth"))
                .fileName(R18_FILE).sha256(r18Sha);
    }

    PretrainedModels zoo(ZooEntry entry, ZooOptions options) {
        return PretrainedModels.of(Catalogue.builtIn().withLabels("fixture-5", LABELS5, "test").with(entry), options);
    }

    ZooOptions options() {
        return ZooOptions.in(tmp.resolve("cache")).withAttempts(3)
                .withTimeouts(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(10));
    }

    @Test
    void loadsAnIdIntoAModelWithPyTorchParityAndServesTheSecondCallFromTheCache() throws IOException {
        PretrainedModels zoo = zoo(r18Entry("test-r18").build(), options());
        assertFalse(zoo.isCached("test-r18"));
        TsmModel m = zoo.load("test-r18");
        assertEquals(LABELS5, m.labels());
        assertEquals(Backbone.RESNET18, m.config().backbone());
        assertEquals(ShiftPlacement.IN_PLACE, m.config().placement());
        assertEquals(4, m.config().segments());
        assertEquals("test-r18", m.source().get("zooId"));
        assertEquals(r18Sha, m.source().get("sha256"));
        assertEquals(server.url("/r18.pth"), m.source().get("url"));
        assertParity(m);
        assertEquals(1, server.gets("/r18.pth"));

        server.close(); // no network from here on
        TsmModel again = zoo(r18Entry("test-r18").build(), options()).load("test-r18");
        assertTrue(zoo.isCached("test-r18"));
        assertParity(again);
        assertEquals(List.of("TSM_kinetics_RGB_resnet18_shift4_block_tpool_avg_segment4_e50.pth",
                "TSM_kinetics_RGB_resnet18_shift4_block_tpool_avg_segment4_e50.pth.sha256"),
                cacheFiles(tmp.resolve("cache/test-r18")));
    }

    static List<String> cacheFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")).sorted().toList();
        }
    }

    static void assertParity(TsmModel m) throws IOException {
        JsonNode info;
        try (InputStream in = PretrainedModelsTest.class.getResourceAsStream(FIXTURES + R18 + ".json")) {
            info = new ObjectMapper().readTree(in);
        }
        byte[] clipBytes = gunzip(FIXTURES + R18 + ".clip.f32.gz");
        float[] clip = new float[clipBytes.length / 4];
        ByteBuffer.wrap(clipBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(clip);
        INDArray logits = m.logits(Nd4j.create(clip, new long[] {8, 3, 32, 32}));
        double max = 0;
        for (int i = 0; i < info.get("logits").size(); i++) {
            max = Math.max(max, Math.abs(logits.getDouble(i) - info.get("logits").get(i).asDouble()));
        }
        assertTrue(max <= 1e-4, "max |Δlogit| " + max);
    }

    @Test
    void aConnectionCutMidDownloadResumesWithARangeRequest() throws IOException {
        server.cut("/r18.pth", 1);
        Path file = zoo(r18Entry("test-r18").build(), options()).fetch("test-r18");
        assertEquals(r18Sha, ModelCache.sha256(file));
        assertEquals(List.of("GET /r18.pth", "GET /r18.pth Range: bytes=" + (r18.length / 2) + "-"), server.requests);
        assertEquals(List.of(R18_FILE, R18_FILE + ".sha256"), cacheFiles(file.getParent()));
    }

    @Test
    void aConnectionCutEveryTimeFailsWithoutACachedFile() {
        server.cut("/r18.pth", 100);
        PretrainedModels zoo = zoo(r18Entry("test-r18").build(), options().withAttempts(2));
        DownloadException e = assertThrows(DownloadException.class, () -> zoo.load("test-r18"));
        assertTrue(e.getMessage().startsWith("cannot download model 'test-r18' from " + server.url("/r18.pth") + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(2 attempts); download " + server.url("/r18.pth")
                + " by hand and run: tsm zoo get test-r18 --from FILE"), e.getMessage());
        assertFalse(Files.exists(zoo.cache().fileFor(zoo.catalogue().get("test-r18"))));
        assertFalse(zoo.isCached("test-r18"));
    }

    @Test
    void aSha256MismatchIsRefusedNamingBothHashesAndNothingIsCached() throws IOException {
        String wrong = "ab".repeat(32);
        PretrainedModels zoo = zoo(r18Entry("test-r18").sha256(wrong).build(), options());
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> zoo.load("test-r18"));
        assertEquals("model 'test-r18': SHA-256 of the download from " + server.url("/r18.pth") + " is " + r18Sha
                + ", expected " + wrong + ": refused, nothing cached", e.getMessage());
        assertEquals(List.of(), cacheFiles(tmp.resolve("cache/test-r18")));
    }

    @Test
    void aPublishedPrefixIsChecked() throws IOException {
        PretrainedModels ok = zoo(r18Entry("test-r18").sha256(null).sha256Prefix(r18Sha.substring(0, 8)).build(), options());
        assertEquals(r18Sha, ModelCache.sha256(ok.fetch("test-r18")));
        PretrainedModels bad = zoo(r18Entry("test-bad").sha256(null).sha256Prefix("00000000").build(), options());
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> bad.fetch("test-bad"));
        assertTrue(e.getMessage().endsWith("is " + r18Sha + ", expected 00000000… (prefix in the file name): refused, nothing cached"),
                e.getMessage());
    }

    @Test
    void http404GivesOneLineNamingTheUrlAndTheFromRoute() {
        ZooEntry gone = r18Entry("test-gone").build();
        PretrainedModels zoo404 = zoo(ZooEntry.builder("test-gone", "resnet18", 5).placement(ShiftPlacement.IN_PLACE)
                .foldDiv(4).temporalPool(true).segments(4).inputSize(32, 32).baseWidth(4).dataset("fixture", "fixture-5")
                .url(server.url("/gone.pth")).fileName(gone.fileName()).build(), options());
        DownloadException e = assertThrows(DownloadException.class, () -> zoo404.load("test-gone"));
        assertEquals("cannot download model 'test-gone' from " + server.url("/gone.pth") + ": HTTP 404 Not Found; download "
                + server.url("/gone.pth") + " by hand and run: tsm zoo get test-gone --from FILE", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void anUnreachableHostGivesOneLineNamingTheUrlAndTheFromRoute() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/r18.pth";
        PretrainedModels zoo = zoo(ZooEntry.builder("test-far", "resnet18", 5).dataset("fixture", "fixture-5").url(url)
                .fileName(R18_FILE).build(), options().withAttempts(1));
        DownloadException e = assertThrows(DownloadException.class, () -> zoo.fetch("test-far"));
        assertTrue(e.getMessage().startsWith("cannot download model 'test-far' from " + url + ": ConnectException"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(1 attempts); download " + url + " by hand and run: tsm zoo get test-far --from FILE"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aCorruptedCachedFileIsDetectedAndFetchedAgain() throws IOException {
        PretrainedModels zoo = zoo(r18Entry("test-r18").build(), options());
        Path file = zoo.fetch("test-r18");
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 1;
        Files.write(file, b);
        assertParity(zoo.load("test-r18"));
        assertEquals(2, server.gets("/r18.pth"));
        assertEquals(r18Sha, ModelCache.sha256(file));
    }

    @Test
    void aCorruptedCachedFileWithoutPublishedHashIsCaughtByTheRecordedHash() throws IOException {
        PretrainedModels zoo = zoo(r18Entry("test-r18").sha256(null).build(), options());
        Path file = zoo.fetch("test-r18");
        Files.write(file, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        zoo.fetch("test-r18");
        assertEquals(2, server.gets("/r18.pth"));
        assertEquals(r18Sha, ModelCache.sha256(file));
    }

    @Test
    void anUnknownIdListsCloseMatches() {
        PretrainedModels zoo = zoo(r18Entry("test-r18").build(), options());
        UnknownModelException e = assertThrows(UnknownModelException.class, () -> zoo.load("tsm-r50-kinetics-8f"));
        assertEquals("tsm-r50-kinetics400-8f", e.closeMatches().get(0));
        assertTrue(e.getMessage().startsWith("unknown model 'tsm-r50-kinetics-8f'; close matches: tsm-r50-kinetics400-8f, "),
                e.getMessage());
    }

    @Test
    void aCheckpointWhoseTensorsDoNotFitItsEntryIsRefusedNamingTheFirstMismatchingKey() {
        ZooEntry r34 = ZooEntry.builder("test-r34", "resnet34", 5).placement(ShiftPlacement.IN_PLACE).foldDiv(4)
                .temporalPool(true).segments(4).inputSize(32, 32).baseWidth(4).dataset("fixture", "fixture-5")
                .url(server.url("/r18.pth")).fileName(R18_FILE).sha256(r18Sha).build();
        PretrainedModels wrong = zoo(r34, options());
        CatalogueMismatchException e = assertThrows(CatalogueMismatchException.class, () -> wrong.load("test-r34"));
        assertEquals("layer1.2.conv1.weight", e.firstKey());
        assertTrue(e.getMessage().startsWith("checkpoint " + R18_FILE + " does not match catalogue entry 'test-r34': "
                + "first mismatching key layer1.2.conv1.weight ("), e.getMessage());
    }

    @Test
    void aShiftTheTensorsDoNotHaveIsRefused() {
        PretrainedModels zoo = zoo(r18Entry("test-r18").placement(ShiftPlacement.RESIDUAL).build(), options());
        CatalogueMismatchException e = assertThrows(CatalogueMismatchException.class, () -> zoo.load("test-r18"));
        assertEquals("checkpoint " + R18_FILE + " does not match catalogue entry 'test-r18': the tensors give placement "
                + "IN_PLACE but RESIDUAL was requested", e.getMessage());
    }

    @Test
    void aLabelListOfAnotherSizeThanTheClassifierIsAnErrorNamingBothCounts() {
        Catalogue c = Catalogue.builtIn().withLabels("six", List.of("a", "b", "c", "d", "e", "f"), "test");
        ZooEntry entry = ZooEntry.builder("test-six", "resnet18", 6).placement(ShiftPlacement.IN_PLACE).foldDiv(4)
                .temporalPool(true).segments(4).inputSize(32, 32).baseWidth(4).dataset("fixture", "six")
                .url(server.url("/r18.pth")).fileName(R18_FILE).sha256(r18Sha).build();
        PretrainedModels zoo = PretrainedModels.of(c.with(entry), options());
        CatalogueMismatchException e = assertThrows(CatalogueMismatchException.class, () -> zoo.load("test-six"));
        assertEquals("checkpoint " + R18_FILE + " does not match catalogue entry 'test-six': checkpoint " + R18_FILE
                + " has a classifier for 5 classes but the label list has 6 labels", e.getMessage());
    }

    @Test
    void concurrentFetchesProduceOneGoodFileAndOneDownload() throws Exception {
        ZooEntry entry = r18Entry("test-r18").build();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // separate facades and caches over the same folder, as separate programs would have
                results.add(pool.submit(() -> zoo(entry, options()).fetch("test-r18")));
            }
            for (Future<Path> f : results) {
                assertEquals(r18Sha, ModelCache.sha256(f.get()));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, server.gets("/r18.pth"));
        assertEquals(List.of(R18_FILE, R18_FILE + ".sha256"), cacheFiles(tmp.resolve("cache/test-r18")));
    }

    @Test
    void aFetchInAnotherJvmAndOneHereProduceOneGoodFileAndOneDownload() throws Exception {
        server.hold(); // the child's transfer waits, holding the cache lock, until released
        Path cache = tmp.resolve("cache");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), FetchMain.class.getName(), cache.toString(), server.url("/r18.pth"),
                R18_FILE, r18Sha).redirectErrorStream(true).start();
        while (server.gets("/r18.pth") == 0 && child.isAlive()) {
            Thread.sleep(20);
        }
        assertTrue(child.isAlive(), () -> "child ended early: " + output(child));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Path> here = pool.submit(() -> new ModelCache(options()).fetch(r18Entry("test-r18").build()));
            Thread.sleep(300); // give this fetch time to reach the lock (a missing lock would show as a second GET)
            assertEquals(1, server.gets("/r18.pth"));
            server.release();
            assertEquals(r18Sha, ModelCache.sha256(here.get()));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, child.waitFor(), () -> output(child));
        assertTrue(output(child).contains("fetched " + r18Sha));
        assertEquals(1, server.gets("/r18.pth"));
        assertEquals(List.of(R18_FILE, R18_FILE + ".sha256"), cacheFiles(cache.resolve("test-r18")));
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void aHandDownloadedFileIsVerifiedCachedAndThenServedOffline() throws IOException {
        Path hand = tmp.resolve("downloads/" + R18_FILE);
        Files.createDirectories(hand.getParent());
        Files.write(hand, r18);
        server.close();
        PretrainedModels zoo = zoo(r18Entry("test-r18").build(), options().withOffline(true));
        assertParity(zoo.loadFrom("test-r18", hand));
        assertParity(zoo.load("test-r18"));
        assertEquals(0, server.gets("/r18.pth"));

        Path bad = tmp.resolve("downloads/bad.pth");
        Files.write(bad, new byte[] {1, 2, 3});
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> zoo(r18Entry("test-other").build(), options()).loadFrom("test-other", bad));
        assertTrue(e.getMessage().startsWith("model 'test-other': SHA-256 of " + bad + " is "), e.getMessage());
    }

    @Test
    void offlineWithoutACachedFileSaysHowToGetIt() {
        PretrainedModels zoo = zoo(r18Entry("test-r18").build(), options().withOffline(true));
        DownloadException e = assertThrows(DownloadException.class, () -> zoo.load("test-r18"));
        assertEquals("model 'test-r18' is not in the cache " + tmp.resolve("cache") + " and downloads are off; download "
                + server.url("/r18.pth") + " by hand and run: tsm zoo get test-r18 --from FILE", e.getMessage());
    }

    @Test
    void theShippedOnlineAndMmaction2EntriesSettingsImportTheirLayouts() throws IOException {
        // the real entries' settings, on the narrow fixtures (32 px, ResNet stem width 4, fewer classes)
        byte[] online = gunzip(FIXTURES + "mobilenetv2_jester_online.pth.tar.gz");
        server.serve("/online.pth.tar", online);
        ZooEntry jester = Catalogue.builtIn().get("tsm-mobilenetv2-jester-online");
        ZooEntry jesterLocal = new ZooEntry("test-online", jester.origin(), jester.kind(), jester.backbone(), jester.placement(),
                jester.foldDiv(), jester.temporalPool(), jester.direction(), jester.segments(), jester.sampling(), 32, 32,
                jester.mean(), jester.std(), jester.baseWidth(), jester.dataset(), jester.labels(), jester.numClasses(),
                jester.published(), List.of(server.url("/online.pth.tar")), jester.fileName(),
                java.util.HexFormat.of().formatHex(sha(online)), null,
                jester.parameters(), true, null, jester.unverified());
        TsmModel m = PretrainedModels.of(Catalogue.builtIn().with(jesterLocal), options()).load("test-online");
        assertEquals(ShiftDirection.UNIDIRECTIONAL, m.config().direction());
        assertEquals(Catalogue.builtIn().labels("jester-tsm-online"), m.labels());

        byte[] mma = gunzip(FIXTURES + "tsm_r18_mmaction2.pth.gz");
        server.serve("/mma.pth", mma);
        ZooEntry entry = ZooEntry.builder("test-mma", "resnet18", 4).origin(ModelOrigin.MMACTION2).foldDiv(4).segments(4)
                .inputSize(32, 32).baseWidth(4).dataset("fixture", "four").url(server.url("/mma.pth")).fileName("tsm_r18_mmaction2.pth")
                .sha256Prefix(java.util.HexFormat.of().formatHex(sha(mma)).substring(0, 8)).build();
        TsmModel r = PretrainedModels.of(Catalogue.builtIn().withLabels("four", List.of("a", "b", "c", "d"), "test").with(entry),
                options()).load("test-mma");
        assertEquals(ShiftPlacement.RESIDUAL, r.config().placement());
        assertEquals("MMACTION2", r.source().get("layout"));
    }

    @Test
    void anEntryTsm4jCannotBuildIsRefusedWithItsReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PretrainedModels.of(Catalogue.builtIn(), options()).load("tsm-r50-nl-kinetics400-8f-dense"));
        assertEquals("model 'tsm-r50-nl-kinetics400-8f-dense' is listed but cannot be loaded by tsm4j: non-local blocks: "
                + "tsm4j builds no non-local module", e.getMessage());
    }

    @Test
    void imageNetInitialisationCopiesTheBackboneAndMakesANewClassifier() throws IOException {
        byte[] tv = gunzip(FIXTURES + "resnet18_torchvision.pth.gz");
        Path file = tmp.resolve("resnet18_torchvision.pth");
        Files.write(file, tv);
        TsmConfig target = TsmConfig.builder(Backbone.RESNET18, 3).placement(ShiftPlacement.RESIDUAL).foldDiv(4).segments(2)
                .inputSize(32, 32).baseWidth(4).dropout(0.8).build();
        TsmModel m = PretrainedModels.initialiseFromFile(file, target, List.of("x", "y", "z"));
        assertEquals(target, m.config());
        TsmModel tsn = io.github.tsm4j.models.importer.CheckpointImporter.importFile(file,
                io.github.tsm4j.models.importer.ImportOptions.defaults().segments(2).inputSize(32, 32)).model();
        for (String p : List.of("conv1_W", "layer4.1.conv2_W", "layer4.1.bn2_gamma", "layer4.1.bn2_mean")) {
            String layer = p.substring(0, p.lastIndexOf('_'));
            String key = p.substring(p.lastIndexOf('_') + 1);
            assertEquals(tsn.graph().getLayer(layer).getParam(key), m.graph().getLayer(layer).getParam(key), p);
        }
        assertEquals(List.of(32L, 3L), java.util.Arrays.stream(m.graph().getLayer("fc").getParam("W").shape()).boxed().toList());
        assertEquals("ImageNet backbone weights; classifier fc initialised afresh for 3 classes", m.source().get("init"));
        assertEquals(ShiftDirection.BIDIRECTIONAL, m.config().direction());
        assertTrue(Map.class.isInstance(m.source()));
    }
}
