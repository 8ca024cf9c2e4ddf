package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.zoo.Catalogue;
import io.github.tsm4j.models.zoo.DownloadException;
import io.github.tsm4j.models.zoo.PretrainedModels;
import io.github.tsm4j.models.zoo.PublishedAccuracy;
import io.github.tsm4j.models.zoo.ZooEntry;
import io.github.tsm4j.models.zoo.ZooOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ZooCommandTest {
    static final String R18_FILE = "TSM_kinetics_RGB_resnet18_shift4_block_tpool_avg_segment4_e50.pth";

    @TempDir
    Path tmp;

    private int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = TsmCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private Path fixture(String name) throws IOException {
        Path file = tmp.resolve(name);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(ImportCommandTest.FIXTURES.resolve(name + ".gz")))) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void listShowsLoadableEntriesWithDatasetFramesTop1SizeAndCacheState() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, "zoo", "list", "--cache", tmp.toString()), err.toString());
        List<String> lines = out.toString().lines().toList();
        assertEquals("ID                                           DATASET                  BACKBONE     FRAMES   TOP-1     SIZE CACHED",
                lines.get(0));
        assertTrue(lines.contains("tsm-r50-kinetics400-8f-dense                 Kinetics-400             resnet50          8   74.10    97 MB no"),
                out.toString());
        assertEquals(25, lines.stream().filter(l -> l.endsWith(" no")).count());
        assertFalse(out.toString().contains("non-local"));

        StringWriter all = new StringWriter();
        assertEquals(0, run(all, err, "zoo", "list", "--all", "--cache", tmp.toString()));
        assertTrue(all.toString().contains("tsm-r50-nl-kinetics400-8f-dense              Kinetics-400             resnet50          8   75.60        - "
                + "not loadable: non-local blocks: tsm4j builds no non-local module"), all.toString());
    }

    @Test
    void getFromAHandDownloadedFileVerifiesCachesImportsAndDescribes() throws IOException {
        Path file = fixture(R18_FILE);
        String sha = io.github.tsm4j.models.zoo.ModelCache.sha256(file);
        ZooEntry entry = ZooEntry.builder("test-r18", "resnet18", 5).placement(ShiftPlacement.IN_PLACE).foldDiv(4)
                .temporalPool(true).segments(4).inputSize(32, 32).baseWidth(4).dataset("fixture", "five")
                .url("http://127.0.0.1:9/r18.pth").fileName(R18_FILE).sha256(sha)
                .published(new PublishedAccuracy(12.5, 40.0, "4 frames x 1 clip", "the test")).build();
        PretrainedModels zoo = PretrainedModels.of(Catalogue.builtIn().withLabels("five", List.of("a", "b", "c", "d", "e"),
                "test").with(entry), ZooOptions.in(tmp.resolve("cache")).withOffline(true));
        StringWriter out = new StringWriter();
        Path saved = tmp.resolve("m.zip");
        TsmModel m = ZooCommand.get(zoo, "test-r18", file, saved, new PrintWriter(out));
        assertEquals(List.of("test-r18: fixture, resnet18, 4 frames, 5 classes (OFFICIAL_TSM)",
                "  file    " + tmp.resolve("cache/test-r18/" + R18_FILE),
                "  sha256  " + sha,
                "  url     http://127.0.0.1:9/r18.pth",
                "  top-1 12.50, top-5 40.00  4 frames x 1 clip  [the test]",
                "saved " + saved), out.toString().lines().toList());
        TsmModel reloaded = TsmModel.load(saved);
        assertEquals(List.of("a", "b", "c", "d", "e"), reloaded.labels());
        assertEquals("test-r18", reloaded.provenance().orElseThrow().source().get("zooId"));
        assertEquals(m.config(), reloaded.config());
    }

    @Test
    void getOfAnUnknownIdFailsInOneLineWithCloseMatches() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(TsmCli.EXIT_FAILURE, run(out, err, "zoo", "get", "tsm-r50-kinetics-8f", "--cache", tmp.toString()));
        assertTrue(err.toString().startsWith("tsm get: unknown model 'tsm-r50-kinetics-8f'; close matches: tsm-r50-kinetics400-8f"),
                err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void trainInitResolvesImagenetThroughTheZooAndFilesDirectly() throws IOException {
        assertNull(TrainCommand.initialiser(null, Backbone.RESNET50, ZooOptions.in(tmp.resolve("cache"))));
        assertNull(TrainCommand.initialiser("model.zip", Backbone.RESNET50, ZooOptions.in(tmp.resolve("cache"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainCommand.initialiser("torchvision-resnet50-imagenett", Backbone.RESNET50, ZooOptions.in(tmp.resolve("cache"))));
        assertEquals("--init torchvision-resnet50-imagenett: neither 'imagenet', a zoo id, nor a file; close zoo ids: "
                + "[torchvision-resnet50-imagenet, torchvision-resnet101-imagenet, torchvision-resnet152-imagenet, "
                + "torchvision-resnet18-imagenet, torchvision-resnet34-imagenet]", e.getMessage());

        TsmConfig target = TsmConfig.builder(Backbone.RESNET50, 3).segments(8).build();
        TrainCommand.Initialiser offline = TrainCommand.initialiser("imagenet", Backbone.RESNET50,
                ZooOptions.in(tmp).withOffline(true));
        assertNotNull(offline);
        DownloadException d = assertThrows(DownloadException.class, () -> offline.create(target, List.of("x", "y", "z")));
        assertEquals("model 'torchvision-resnet50-imagenet' is not in the cache " + tmp + " and downloads are off; download "
                + "https://download.pytorch.org/models/resnet50-0676ba61.pth by hand and run: tsm zoo get "
                + "torchvision-resnet50-imagenet --from FILE", d.getMessage());

        Path tv = fixture("resnet18_torchvision.pth");
        TsmConfig small = TsmConfig.builder(Backbone.RESNET18, 3).placement(ShiftPlacement.RESIDUAL).foldDiv(4).segments(2)
                .inputSize(32, 32).baseWidth(4).build();
        TsmModel m = TrainCommand.initialiser(tv.toString(), Backbone.RESNET18, ZooOptions.in(tmp.resolve("cache")))
                .create(small, List.of("x", "y", "z"));
        assertEquals(small, m.config());
        assertEquals("resnet18_torchvision.pth", m.source().get("imported"));
    }

    @Test
    void progressOffATerminalIsPlainPeriodicLinesWithPercentRateAndEta() {
        StringWriter w = new StringWriter();
        AtomicLong nanos = new AtomicLong();
        ProgressDisplay.Task t = ProgressDisplay.lines("download x", 100L << 20, ProgressDisplay.Unit.BYTES, new PrintWriter(w),
                nanos::get, Duration.ofSeconds(10));
        for (int s = 1; s <= 25; s++) {
            nanos.set(s * 1_000_000_000L);
            t.stepTo(s * (4L << 20)); // 4 MB/s
        }
        t.close();
        assertEquals(List.of("download x: 40% 40.0/100.0 MB, 4.0 MB/s, ETA 0:15",
                "download x: 80% 80.0/100.0 MB, 4.0 MB/s, ETA 0:05",
                "download x: 100% 100.0/100.0 MB, 4.0 MB/s, done in 25.0 s"), w.toString().lines().toList());
        assertFalse(w.toString().contains("\r"));

        StringWriter items = new StringWriter();
        nanos.set(0);
        ProgressDisplay.Task e = ProgressDisplay.lines("train 1/2", 4, ProgressDisplay.Unit.ITEMS, new PrintWriter(items),
                nanos::get, Duration.ofSeconds(10));
        e.extra(" loss 1.000");
        e.stepTo(1);
        nanos.set(20_000_000_000L);
        e.stepTo(2);
        e.stepTo(3);
        e.close(); // the final line, as the state changed since the last one
        assertEquals(List.of("train 1/2: 50% 2/4, 0.1/s, ETA 0:20 loss 1.000", "train 1/2: 75% 3/4, 0.2/s, ETA 0:07 loss 1.000"),
                items.toString().lines().toList());
    }
}
