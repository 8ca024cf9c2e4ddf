package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImportCommandTest {

    /** The fixtures of tsm-models' import tests (made by scripts/make_import_fixtures.py). */
    static final Path FIXTURES = Path.of("../tsm-models/src/test/resources/io/github/tsm4j/models/importer/models");

    @TempDir
    Path tmp;

    private Path checkpoint(String name) throws IOException {
        Path file = tmp.resolve(name);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(FIXTURES.resolve(name + ".gz")))) {
            Files.copy(in, file);
        }
        return file;
    }

    private int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = TsmCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void importsAnOfficialCheckpointAndPrintsWhatItInferred() throws Exception {
        Path ckpt = checkpoint("TSM_kinetics_RGB_resnet18_shift4_block_tpool_avg_segment4_e50.pth");
        Path labels = tmp.resolve("labels.txt");
        Files.writeString(labels, "walk\nrun\njump\nswim\nclimb\n\n");
        Path model = tmp.resolve("model.zip");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "import", ckpt.toString(), "--out", model.toString(), "--labels", labels.toString(),
                "--input-size", "32");
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertTrue(text.contains("  format ZIP"), text);
        assertTrue(text.contains("  backbone RESNET18 (from the tensors)"), text);
        assertTrue(text.contains("  placement IN_PLACE (from the .net wrappers)"), text);
        assertTrue(text.contains("  temporal pooling before layer2 (layer2 is wrapped)"), text);
        assertTrue(text.contains("  segments 4 (from the file name)"), text);
        assertTrue(text.contains("saved " + model), text);
        TsmModel loaded = TsmModel.load(model);
        assertEquals(Backbone.RESNET18, loaded.config().backbone());
        assertEquals(ShiftPlacement.IN_PLACE, loaded.config().placement());
        assertEquals(List.of("walk", "run", "jump", "swim", "climb"), loaded.labels());
        assertReproducesTheFixtureLogits(loaded, "TSM_kinetics_RGB_resnet18_shift4_block_tpool_avg_segment4_e50");

        // provenance: this build's version and the checkpoint the weights came from, shown by tsm info
        var provenance = loaded.provenance().orElseThrow();
        assertEquals(io.github.tsm4j.models.Provenance.libraryVersion(), provenance.tsm4jVersion());
        String sha = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(ckpt)));
        assertEquals(ckpt.getFileName().toString(), provenance.source().get("imported"));
        assertEquals(sha, provenance.source().get("sha256"));
        assertEquals("ZIP", provenance.source().get("format"));
        assertEquals("OFFICIAL_TSM", provenance.source().get("layout"));
        StringWriter info = new StringWriter();
        assertEquals(0, run(info, err, "info", model.toString()), err.toString());
        assertTrue(info.toString().contains("  source:\n    imported: " + ckpt.getFileName() + "\n    format: ZIP\n"
                + "    layout: OFFICIAL_TSM\n"), info.toString());
        assertTrue(info.toString().contains("    sha256: " + sha + "\n"), info.toString());
    }

    /**
     * The saved model, run on the clip PyTorch ran when the fixture was made, gives PyTorch's logits (to the
     * import parity tolerance, 1e-4, relative to logits of order 1).
     */
    static void assertReproducesTheFixtureLogits(TsmModel model, String stem) throws IOException {
        com.fasterxml.jackson.databind.JsonNode info = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(FIXTURES.resolve(stem + ".json").toFile());
        byte[] raw;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(FIXTURES.resolve(stem + ".clip.f32.gz")))) {
            raw = in.readAllBytes();
        }
        float[] clip = new float[raw.length / 4];
        java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(clip);
        long[] shape = new long[info.get("clipShape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = info.get("clipShape").get(i).asLong();
        }
        float[] actual = model.logits(org.nd4j.linalg.factory.Nd4j.create(clip, shape)).ravel().toFloatVector();
        assertEquals(info.get("logits").size(), actual.length, "logits of " + stem);
        double largest = 0;
        for (int i = 0; i < actual.length; i++) {
            double expected = info.get("logits").get(i).asDouble();
            largest = Math.max(largest, Math.abs(expected));
            assertEquals(expected, actual[i], 1e-4, stem + " logit " + i);
        }
        assertTrue(largest > 0.1, stem + ": the fixture's logits are not ~0 (" + largest + ")");
    }

    @Test
    void aHostileFileFailsWithOneLineAndExitCode1() throws IOException {
        Path bad = tmp.resolve("bad.pth");
        Files.write(bad, new byte[] {0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0});
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "import", bad.toString(), "--out", tmp.resolve("m.zip").toString());
        assertEquals(TsmCli.EXIT_FAILURE, code);
        assertTrue(err.toString().startsWith("tsm import: checkpoint " + bad + ": not a PyTorch checkpoint: wrong magic"),
                err.toString());
    }

    @Test
    void aCheckpointThatWouldRunCodeIsRefusedNamingTheGlobal() {
        Path evil = FIXTURES.resolveSibling("reader/hostile/stack_global_p5_zip.pth");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path model = tmp.resolve("m.zip");
        assertEquals(TsmCli.EXIT_FAILURE, run(out, err, "import", evil.toString(), "--out", model.toString()));
        assertTrue(err.toString().startsWith("tsm import: checkpoint " + evil + ": refusing to load global posix.system: "),
                err.toString());
        assertTrue(Files.notExists(model), "nothing saved");
    }

    @Test
    void missingOutIsAUsageError() {
        assertEquals(TsmCli.EXIT_USAGE, run(new StringWriter(), new StringWriter(), "import", "x.pth"));
    }
}
