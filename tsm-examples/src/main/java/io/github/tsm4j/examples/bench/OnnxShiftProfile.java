package io.github.tsm4j.examples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.onnx.OnnxExportOptions;
import io.github.tsm4j.models.onnx.OnnxExporter;
import io.github.tsm4j.models.onnx.OnnxShiftForm;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * Where the shift's time goes in ONNX Runtime: TSN and TSM (every {@link OnnxShiftForm}) exported from the same
 * backbone, 1 clip × 8 frames, timed interleaved, then run once more each with ONNX Runtime's profiler on and the
 * kernel time summed per operator type (ms per call). Not part of {@code tsm bench}; run by hand:
 * {@code java -cp … io.github.tsm4j.examples.bench.OnnxShiftProfile [resnet50|mobilenetv2] [size] [runs] [threads]}.
 */
public final class OnnxShiftProfile {

    private OnnxShiftProfile() {
    }

    /** @param args backbone, size, runs, threads */
    public static void main(String[] args) throws Exception {
        Backbone backbone = Backbone.fromName(args.length > 0 ? args[0] : "resnet50");
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 224;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        for (String line : run(backbone, size, runs, threads)) {
            System.out.println(line);
        }
    }

    private static TsmModel model(Backbone backbone, ShiftPlacement placement, int size) {
        TsmConfig config = TsmConfig.builder(backbone, NetworkBench.CLASSES).placement(placement)
                .direction(ShiftDirection.BIDIRECTIONAL).consensus(ConsensusMode.AVG)
                .segments(NetworkBench.SEGMENTS).inputSize(size, Math.round(size * 256f / 224f))
                .dataFormat(CNN2DFormat.NHWC).build();
        return TsmModel.create(config, TsmModel.defaultLabels(NetworkBench.CLASSES), TsmNetworks.defaultGlobals());
    }

    /** @return report lines */
    public static List<String> run(Backbone backbone, int size, int runs, int threads) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> names = new ArrayList<>();
        List<byte[]> models = new ArrayList<>();
        TsmModel tsn = model(backbone, ShiftPlacement.NONE, size);
        OnnxExportOptions fixed = OnnxExportOptions.offline().withFrames(NetworkBench.SEGMENTS);
        names.add("tsn");
        models.add(OnnxExporter.toBytes(tsn, fixed));
        names.add("tsn_dynamic");
        models.add(OnnxExporter.toBytes(tsn, OnnxExportOptions.offline().withDynamicSize(true)));
        TsmModel tsm = model(backbone, ShiftPlacement.RESIDUAL, size);
        for (OnnxShiftForm f : OnnxShiftForm.values()) {
            names.add("tsm_" + f.name().toLowerCase(Locale.ROOT));
            models.add(OnnxExporter.toBytes(tsm, fixed.withShiftForm(f)));
        }
        names.add("tsm_split_channels_dynamic");
        models.add(OnnxExporter.toBytes(tsm, OnnxExportOptions.offline().withDynamicSize(true)));
        long[] shape = {NetworkBench.SEGMENTS, 3, size, size};
        FloatBuffer x = ByteBuffer.allocateDirect(NetworkBench.SEGMENTS * 3 * size * size * 4)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        java.util.Random r = new java.util.Random(1);
        while (x.hasRemaining()) {
            x.put((float) r.nextGaussian());
        }
        x.rewind();
        List<OrtSession> sessions = new ArrayList<>();
        List<String> out = new ArrayList<>();
        try (OnnxTensor input = OnnxTensor.createTensor(env, x, shape)) {
            for (byte[] m : models) {
                sessions.add(env.createSession(m, options(threads, null)));
            }
            List<Stats.Task> tasks = new ArrayList<>();
            for (OrtSession s : sessions) {
                tasks.add(() -> s.run(Map.of("input", input)).close());
            }
            Stats[] st = Stats.interleaved(2, runs, tasks.toArray(Stats.Task[]::new));
            out.add(String.format(Locale.ROOT, "# %s %dx%d, 1x%d frames, %d threads, load %s", backbone, size, size,
                    NetworkBench.SEGMENTS, threads, MachineInfo.loadAverage()));
            for (int i = 0; i < st.length; i++) {
                Stats base = names.get(i).endsWith("_dynamic") ? st[1] : st[0];
                out.add(String.format(Locale.ROOT, "%-28s %s  overhead vs tsn%s %+.1f %%", names.get(i), st[i],
                        names.get(i).endsWith("_dynamic") ? "_dynamic" : "", (st[i].median() / base.median() - 1) * 100));
            }
            sessions.forEach(OnnxShiftProfile::close);
            sessions.clear();
            for (int i = 0; i < models.size(); i++) {
                File prefix = File.createTempFile("ort-profile-" + names.get(i) + "-", "");
                try (OrtSession s = env.createSession(models.get(i), options(threads, prefix.getPath()))) {
                    for (int k = 0; k < runs; k++) {
                        s.run(Map.of("input", input)).close();
                    }
                    File json = new File(s.endProfiling());
                    out.add(names.get(i) + " per op type (ms/call): " + perOpType(json, runs));
                    json.delete();
                }
                prefix.delete();
            }
        } finally {
            sessions.forEach(OnnxShiftProfile::close);
        }
        return out;
    }

    private static void close(OrtSession s) {
        try {
            s.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static OrtSession.SessionOptions options(int threads, String profilePrefix) throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        if (profilePrefix != null) {
            o.enableProfiling(profilePrefix);
        }
        return o;
    }

    /** Sums the kernel times of the profile per operator type, biggest first. */
    private static String perOpType(File json, int runs) throws Exception {
        JsonNode events = new ObjectMapper().readTree(json);
        Map<String, Double> perOp = new TreeMap<>();
        for (JsonNode e : events) {
            if ("Node".equals(e.path("cat").asText()) && e.path("name").asText().endsWith("_kernel_time")) {
                perOp.merge(e.path("args").path("op_name").asText(), e.path("dur").asDouble() / 1e3 / runs,
                        Double::sum);
            }
        }
        StringBuilder b = new StringBuilder();
        perOp.entrySet().stream().sorted((a, c) -> Double.compare(c.getValue(), a.getValue()))
                .forEach(en -> b.append(String.format(Locale.ROOT, "%s %.1f, ", en.getKey(), en.getValue())));
        return b.toString();
    }
}
