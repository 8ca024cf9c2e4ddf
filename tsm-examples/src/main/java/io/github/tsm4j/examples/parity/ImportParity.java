package io.github.tsm4j.examples.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmStreamingModel;
import io.github.tsm4j.models.importer.CheckpointImporter;
import io.github.tsm4j.models.importer.ImportOptions;
import io.github.tsm4j.models.importer.ImportResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Compares imported checkpoints with PyTorch: for every {@code <stem>.json} in a folder (written by
 * {@code scripts/make_import_fixtures.py}), imports the checkpoint it names, runs the saved clip
 * ({@code <stem>.clip.f32[.gz]}, raw little-endian float32 {@code [N·T, 3, S, S]}) and reports the largest
 * absolute difference to PyTorch's logits. Per-frame fixtures (the online demo) run frame by frame through
 * {@link TsmStreamingModel}.
 *
 * <p>Run: {@code java -cp tsm-examples/target/tsm.jar io.github.tsm4j.examples.parity.ImportParity DIR}
 * (or {@code scripts/parity_full.sh}).
 */
public final class ImportParity {

    /** One compared checkpoint. */
    public record Result(String checkpoint, String layout, double maxAbsDiff, double logitRange, long millis) {
        @Override
        public String toString() {
            return String.format("%-70s %-13s max |Δlogit| = %.3e (logits span %.2f; import + run %d ms)",
                    checkpoint, layout, maxAbsDiff, logitRange, millis);
        }
    }

    private ImportParity() {
    }

    /**
     * @param dir folder with the fixtures
     * @return one result per {@code .json}, in name order
     * @throws IOException if a fixture cannot be read or imported
     */
    public static List<Result> run(Path dir) throws IOException {
        List<Path> specs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            ds.forEach(specs::add);
        }
        specs.sort(null);
        if (specs.isEmpty()) {
            throw new IOException("no parity fixtures (*.json) in " + dir + ": run scripts/make_import_fixtures.py first");
        }
        List<Result> results = new ArrayList<>();
        for (Path spec : specs) {
            results.add(compare(dir, spec));
        }
        return results;
    }

    static Result compare(Path dir, Path spec) throws IOException {
        JsonNode info = new ObjectMapper().readTree(spec.toFile());
        String name = info.get("file").asText();
        String stem = spec.getFileName().toString().replaceAll("\\.json$", "");
        long start = System.nanoTime();
        Path ckpt = dir.resolve(name);
        Path scratch = null;
        if (!Files.exists(ckpt) && Files.exists(dir.resolve(name + ".gz"))) {
            scratch = Files.createTempDirectory("tsm-parity");
            ckpt = scratch.resolve(name);
            Files.write(ckpt, readMaybeGzip(dir.resolve(name + ".gz")));
        }
        long[] clipShape = longs(info.get("clipShape"));
        Path clipFile = Files.exists(dir.resolve(stem + ".clip.f32")) ? dir.resolve(stem + ".clip.f32") : dir.resolve(stem + ".clip.f32.gz");
        INDArray clip = Nd4j.create(floats(readMaybeGzip(clipFile)), clipShape);
        INDArray expected = Nd4j.create(floats(info.get("logits")), longs(info.get("logitsShape")));
        ImportOptions options = ImportOptions.defaults()
                .segments(info.get("segments").asInt())
                .foldDiv(info.get("foldDiv").asInt())
                .inputSize((int) clipShape[2], (int) clipShape[2] * 8 / 7);
        ImportResult r = CheckpointImporter.importFile(ckpt, options);
        INDArray actual;
        if (info.path("perFrame").asBoolean(false)) {
            TsmStreamingModel stream = TsmStreamingModel.of(r.model(), 1);
            actual = Nd4j.create(expected.dataType(), expected.shape());
            for (int i = 0; i < clipShape[0]; i++) {
                INDArray frame = clip.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup();
                actual.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all()).assign(stream.step(frame));
            }
        } else {
            TsmModel model = r.model();
            actual = model.logits(clip);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (scratch != null) {
            Files.delete(ckpt);
            Files.delete(scratch);
        }
        double diff = expected.sub(actual.castTo(expected.dataType())).amaxNumber().doubleValue();
        double range = expected.maxNumber().doubleValue() - expected.minNumber().doubleValue();
        return new Result(name, r.layout().name(), diff, range, millis);
    }

    /**
     * Prints one line per checkpoint and exits 1 if any difference exceeds 1e-4 (or the one given).
     *
     * @param args {@code DIR [TOLERANCE]}
     * @throws IOException if a fixture cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: ImportParity DIR [TOLERANCE]");
            System.exit(2);
        }
        double tolerance = args.length > 1 ? Double.parseDouble(args[1]) : 1e-4;
        boolean ok = true;
        for (Result r : run(Path.of(args[0]))) {
            System.out.println(r);
            ok &= r.maxAbsDiff() <= tolerance;
        }
        System.out.println(ok ? "PARITY OK (tolerance " + tolerance + ")" : "PARITY FAILED (tolerance " + tolerance + ")");
        System.exit(ok ? 0 : 1);
    }

    private static byte[] readMaybeGzip(Path p) throws IOException {
        if (!p.getFileName().toString().endsWith(".gz")) {
            return Files.readAllBytes(p);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    private static float[] floats(byte[] b) {
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }
}
