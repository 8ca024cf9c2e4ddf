package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ConsensusMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;

class TsmModelTest {

    private static final List<String> LABELS = List.of("push", "pull", "wave");

    private static TsmConfig.Builder tiny(Backbone backbone) {
        return TsmConfig.builder(backbone, 3).segments(2).inputSize(32, 32).baseWidth(backbone.isResNet() ? 8 : 64);
    }

    private static INDArray clips(int videos, int segments, int size, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, videos * segments, 3, size, size);
    }

    @Test
    void saveAndLoadKeepWeightsConfigAndLabels(@TempDir Path dir) throws IOException {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            TsmModel model = TsmModel.create(tiny(Backbone.RESNET18).dataFormat(format).build(), LABELS);
            INDArray x = clips(2, 2, 32, 1);
            INDArray before = model.output(x);
            Path file = dir.resolve("model-" + format + ".zip");
            model.save(file, true);
            TsmModel loaded = TsmModel.load(file);
            assertEquals(model.config(), loaded.config());
            assertEquals(LABELS, loaded.labels());
            assertArrayEquals(before.ravel().toFloatVector(), loaded.output(x).ravel().toFloatVector(), 0f);
            assertTrue(ModelSerializer.listObjectsInFile(file.toFile()).contains(TsmModel.CONFIG_ENTRY));
        }
    }

    /** The version in this project's root pom (the parent of every module), read as text. */
    private static String pomProperty(String regex) throws IOException {
        String pom = Files.readString(Path.of("..", "pom.xml"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(pom);
        assertTrue(m.find(), regex + " not in ../pom.xml");
        return m.group(1);
    }

    @Test
    void saveRecordsVersionsTimeAndSourceAndLoadReadsThemBack(@TempDir Path dir) throws IOException {
        String projectVersion = pomProperty("<artifactId>tsm4j-parent</artifactId>\\s*<version>([^<]+)</version>");
        String dl4j = pomProperty("<dl4j.version>([^<]+)</dl4j.version>");
        Map<String, Object> source = new java.util.LinkedHashMap<>();
        source.put("dataset", "jester");
        source.put("epoch", 3);
        TsmModel model = TsmModel.create(tiny(Backbone.RESNET18).build(), LABELS).withSource(source);
        assertTrue(model.provenance().isEmpty(), "a created model was not read from a file");
        Path file = dir.resolve("m.zip");
        java.time.Instant before = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        model.save(file, false);
        TsmModel loaded = TsmModel.load(file);
        Provenance p = loaded.provenance().orElseThrow();
        assertEquals(projectVersion, p.tsm4jVersion());
        assertEquals(projectVersion, Provenance.libraryVersion());
        assertEquals(dl4j, p.dl4jVersion());
        assertEquals(dl4j, p.nd4jVersion());
        assertEquals(System.getProperty("java.version"), p.javaVersion());
        java.time.Instant created = java.time.Instant.parse(p.created());
        assertTrue(!created.isBefore(before) && !created.isAfter(java.time.Instant.now()), p.created());
        assertEquals(source, p.source());
        assertEquals(List.copyOf(source.keySet()), List.copyOf(p.source().keySet()), "insertion order kept");
        assertEquals(source, loaded.source(), "a loaded model keeps its source for the next save");
        // the entry is plain JSON with the documented names
        String json = (String) ModelSerializer.getObjectFromFile(file.toFile(), TsmModel.PROVENANCE_ENTRY);
        assertTrue(json.startsWith("{\"tsm4j\":\"" + projectVersion + "\",\"dl4j\":\"" + dl4j + "\",\"nd4j\":"), json);
        assertTrue(json.endsWith(",\"source\":{\"dataset\":\"jester\",\"epoch\":3},\"execution\":{\"layout\":\"NHWC\","
                + "\"convolution\":\"NATIVE\",\"batchNorm\":\"NATIVE\",\"shiftKernel\":\"HOST\",\"shiftThreads\":1,"
                + "\"streamingExecutor\":\"BOUND\",\"nativeGcBudgetMB\":256,\"nativeGcBudgetArrays\":250000}}"), json);
        assertEquals(io.github.tsm4j.core.ExecutionOptions.defaults(), p.execution());

        Path again = dir.resolve("again.zip");
        loaded.save(again, false);
        assertEquals(source, TsmModel.load(again).provenance().orElseThrow().source());
    }

    @Test
    void aModelFileWithoutProvenanceStillLoads(@TempDir Path dir) throws IOException {
        // what TsmModel.save wrote before it recorded provenance: the network, configuration and labels only
        TsmModel model = TsmModel.create(tiny(Backbone.RESNET18).build(), LABELS);
        Path file = dir.resolve("old.zip");
        ModelSerializer.writeModel(model.graph(), file.toFile(), false);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        ModelSerializer.addObjectToFile(file.toFile(), TsmModel.CONFIG_ENTRY, json.writeValueAsString(model.config()));
        ModelSerializer.addObjectToFile(file.toFile(), TsmModel.LABELS_ENTRY, json.writeValueAsString(LABELS));
        TsmModel loaded = TsmModel.load(file);
        assertEquals(LABELS, loaded.labels());
        assertTrue(loaded.provenance().isEmpty());
        assertEquals(Map.of(), loaded.source());
    }

    @Test
    void aCorruptProvenanceEntryNamesTheFile(@TempDir Path dir) throws IOException {
        TsmModel model = TsmModel.create(tiny(Backbone.RESNET18).build(), LABELS);
        Path file = dir.resolve("bad.zip");
        ModelSerializer.writeModel(model.graph(), file.toFile(), false);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        ModelSerializer.addObjectToFile(file.toFile(), TsmModel.CONFIG_ENTRY, json.writeValueAsString(model.config()));
        ModelSerializer.addObjectToFile(file.toFile(), TsmModel.LABELS_ENTRY, json.writeValueAsString(LABELS));
        ModelSerializer.addObjectToFile(file.toFile(), TsmModel.PROVENANCE_ENTRY, "{\"tsm4j\": [");
        IOException e = assertThrows(IOException.class, () -> TsmModel.load(file));
        assertTrue(e.getMessage().startsWith("Corrupt tsm4j entries in " + file + ": "), e.getMessage());
    }

    @Test
    void loadingAPlainDl4jZipNamesTheFile(@TempDir Path dir) throws IOException {
        TsmModel model = TsmModel.create(tiny(Backbone.RESNET18).build(), LABELS);
        Path file = dir.resolve("plain.zip");
        ModelSerializer.writeModel(model.graph(), file.toFile(), false);
        IOException e = assertThrows(IOException.class, () -> TsmModel.load(file));
        assertEquals("Not a tsm4j model (no tsm4j-config.json / tsm4j-labels.json entries): " + file, e.getMessage());
        assertEquals("No model file " + dir.resolve("missing.zip"),
                assertThrows(IOException.class, () -> TsmModel.load(dir.resolve("missing.zip"))).getMessage());
    }

    @Test
    void badClipsAndLabelsAreRejectedWithTheirShape() {
        TsmModel model = TsmModel.create(tiny(Backbone.RESNET18).build(), LABELS);
        assertEquals("clips: frame count 3 is not a positive multiple of segments 2 (shape [3, 3, 32, 32])",
                assertThrows(IllegalArgumentException.class, () -> model.output(clips(1, 3, 32, 1))).getMessage());
        assertEquals("clips: expected 3 channels (RGB, NCHW), found 1 (shape [4, 1, 32, 32])",
                assertThrows(IllegalArgumentException.class,
                        () -> model.output(Nd4j.zeros(DataType.FLOAT, 4, 1, 32, 32))).getMessage());
        assertEquals("clips: expected frames of 32x32 (cropSize), found 30x32 (shape [4, 3, 30, 32])",
                assertThrows(IllegalArgumentException.class,
                        () -> model.output(Nd4j.zeros(DataType.FLOAT, 4, 3, 30, 32))).getMessage());
        assertEquals("clips must be [N·T, 3, 32, 32] (NCHW), found shape [4, 3, 32]",
                assertThrows(IllegalArgumentException.class,
                        () -> model.output(Nd4j.zeros(DataType.FLOAT, 4, 3, 32))).getMessage());
        assertEquals("predict takes one video of 2 frames, found 4 frames; use output() for batches",
                assertThrows(IllegalArgumentException.class, () -> model.predict(clips(2, 2, 32, 1), 1)).getMessage());
        assertEquals("labels must have TsmConfig.numClasses = 3 entries, found 2",
                assertThrows(IllegalArgumentException.class,
                        () -> TsmModel.create(tiny(Backbone.RESNET18).build(), List.of("a", "b"))).getMessage());
    }

    @Test
    void predictReturnsTopKLabelsInProbabilityOrder() {
        TsmModel model = TsmModel.create(tiny(Backbone.MOBILENET_V2).build(), LABELS);
        INDArray clip = clips(1, 2, 32, 3);
        Classifiers.randomize(model.graph(), 3); // distinct probabilities, so that the order is defined
        double[] p = model.output(clip).toDoubleVector();
        for (int k = 1; k <= LABELS.size(); k++) {
            List<Prediction> top = model.predict(clip, k);
            assertEquals(Classifiers.topK(p, k), top.stream().map(Prediction::index).toList(), "top-" + k);
            for (Prediction pr : top) {
                assertEquals(LABELS.get(pr.index()), pr.label());
                assertEquals(p[pr.index()], pr.probability(), 0.0);
            }
        }
        assertTrue(p[Classifiers.topK(p, 3).get(1)] > p[Classifiers.topK(p, 3).get(2)] + 1e-3,
                "the classifier separates the 2nd from the 3rd class: " + java.util.Arrays.toString(p));
        assertEquals(1.0, model.predict(clip, 3).stream().mapToDouble(Prediction::probability).sum(), 1e-5);
    }

    @Test
    void identityConsensusGivesPerFrameLogitsWhoseMeanIsTheAverageConsensus() {
        TsmModel avg = TsmModel.create(tiny(Backbone.RESNET18).build(), LABELS);
        TsmModel id = TsmModel.create(tiny(Backbone.RESNET18).consensus(ConsensusMode.IDENTITY).build(), LABELS);
        TsmNetworks.copyParams(avg.graph(), id.graph());
        INDArray x = clips(2, 2, 32, 5);
        INDArray perFrame = id.logits(x);
        assertArrayEquals(new long[] {4, 3}, perFrame.shape());
        INDArray mean = perFrame.reshape(2, 2, 3).mean(1);
        assertArrayEquals(avg.logits(x).ravel().toFloatVector(), mean.ravel().toFloatVector(), 1e-6f);
    }

    @Test
    void oneSgdStepLowersTheLossOnAFixedBatch() {
        TsmModel model = TsmModel.create(tiny(Backbone.RESNET18).dropout(0).build(), LABELS,
                TsmNetworks.defaultGlobals().updater(new Sgd(0.1)));
        DataSet batch = new DataSet(clips(2, 2, 32, 7), Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 0, 1}}));
        ComputationGraph g = model.graph();
        double before = g.score(batch, true);
        g.fit(batch);
        double after = g.score(batch, true);
        assertTrue(after < before, "loss " + before + " -> " + after);
    }

    /**
     * Central differences on one random element of every trainable parameter array (DL4J's GradientCheckUtil
     * walks every element of a graph this size, which takes minutes on a shared 2-core machine).
     */
    @Test
    void gradientsOfANarrowShiftedResNetMatchFiniteDifferences() {
        gradientsMatchFiniteDifferences(CNN2DFormat.NCHW);
    }

    /** Both layouts use the native BatchNorm with fused ReLU and the native post-add ReLU. */
    @Test
    void gradientsOfANarrowShiftedNhwcResNetWithNativeBatchNormMatchFiniteDifferences() {
        gradientsMatchFiniteDifferences(CNN2DFormat.NHWC);
    }

    private void gradientsMatchFiniteDifferences(CNN2DFormat format) {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 3).segments(2).inputSize(16, 16).baseWidth(4)
                .foldDiv(4).dropout(0).dataFormat(format).build();
        NeuralNetConfiguration.Builder globals = TsmNetworks.defaultGlobals().dataType(DataType.DOUBLE)
                .updater(new NoOp()).seed(12345);
        ComputationGraph g = new ComputationGraph(TsmNetworks.offline(config, globals));
        g.init();
        Nd4j.getRandom().setSeed(3);
        DataSet batch = new DataSet(Nd4j.randn(DataType.DOUBLE, 4, 3, 16, 16),
                Nd4j.createFromArray(new double[][] {{1, 0, 0}, {0, 1, 0}}));
        g.setInputs(batch.getFeatures());
        g.setLabels(batch.getLabels());
        g.computeGradientAndScore();
        Map<String, INDArray> grads = g.gradient().gradientForVariable();
        Set<String> statistics = batchNormStatistics(g);
        java.util.Random random = new java.util.Random(1);
        double eps = 1e-6;
        int checked = 0;
        for (Map.Entry<String, INDArray> e : g.paramTable().entrySet()) {
            if (statistics.contains(e.getKey())) {
                continue;
            }
            INDArray p = e.getValue(); // a view of the graph's parameters (Dense W is 'f'-ordered: index by position)
            INDArray grad = grads.get(e.getKey());
            long[] at = org.nd4j.linalg.api.shape.Shape.ind2subC(p.shape(), random.nextInt((int) p.length()));
            String i = java.util.Arrays.toString(at);
            double original = p.getDouble(at);
            p.putScalar(at, original + eps);
            double plus = g.score(batch, true);
            p.putScalar(at, original - eps);
            double minus = g.score(batch, true);
            p.putScalar(at, original);
            double numeric = (plus - minus) / (2 * eps);
            // DL4J's gradient() holds the loss summed over the minibatch of N = 2 videos; the score is the mean
            // over videos, and the updater divides by N (so an SGD step follows the mean, as in PyTorch)
            double analytic = grad.getDouble(at) / 2;
            double diff = Math.abs(numeric - analytic);
            assertTrue(diff < 1e-7 || diff / (Math.abs(numeric) + Math.abs(analytic)) < 1e-4,
                    e.getKey() + i + ": analytic " + analytic + " numeric " + numeric);
            checked++;
        }
        assertEquals(62, checked); // 20 convs, 20 BN gamma/beta pairs, fc W and b
        assertTrue(g.getLayer("layer1.0.shift").conf().getLayer() instanceof io.github.tsm4j.core.layers.TemporalShiftLayer,
                format.name());
        assertTrue(g.getLayer("layer1.0.bn1").conf().getLayer() instanceof io.github.tsm4j.core.norm.NativeBatchNorm
                nb && nb.getFusedActivation() == io.github.tsm4j.core.conv.ConvActivation.RELU, format.name());
    }

    /** BatchNorm running mean/variance are statistics, not trained by backprop: DL4J's own BN checks skip them. */
    private static Set<String> batchNormStatistics(ComputationGraph g) {
        Set<String> names = new HashSet<>();
        for (org.deeplearning4j.nn.api.Layer layer : g.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                names.add(layer.conf().getLayer().getLayerName() + "_mean");
                names.add(layer.conf().getLayer().getLayerName() + "_var");
            }
        }
        return names;
    }

    @Test
    void wrapRejectsAGraphWhoseClassifierDisagreesWithTheConfig() {
        TsmModel model = TsmModel.create(tiny(Backbone.RESNET18).build(), LABELS);
        TsmConfig other = tiny(Backbone.RESNET18).numClasses(4).build();
        assertEquals("graph layer 'fc' has 3 outputs but TsmConfig.numClasses is 4",
                assertThrows(IllegalArgumentException.class,
                        () -> TsmModel.wrap(model.graph(), other, List.of("a", "b", "c", "d"))).getMessage());
    }

    @Test
    void theInferenceFormIsAFoldedNhwcNetworkWithTheSameOutputs(@TempDir Path dir) {
        for (TsmConfig config : List.of(tiny(Backbone.RESNET18).build(),
                tiny(Backbone.RESNET18).segments(4).temporalPool(true).build(),
                tiny(Backbone.MOBILENET_V2).direction(io.github.tsm4j.core.ShiftDirection.UNIDIRECTIONAL).build())) {
            TsmModel model = TsmModel.create(config, LABELS);
            Classifiers.randomize(model.graph(), 13);
            // trained-looking BatchNorm statistics and affine parameters, so that folding has work to do
            Nd4j.getRandom().setSeed(11);
            for (org.deeplearning4j.nn.api.Layer layer : model.graph().getLayers()) {
                if (layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
                    layer.getParam("mean").assign(Nd4j.randn(DataType.FLOAT, layer.getParam("mean").shape()).muli(0.3));
                    layer.getParam("var").assign(Nd4j.rand(DataType.FLOAT, layer.getParam("var").shape()).addi(0.5));
                    layer.getParam("gamma").assign(Nd4j.rand(DataType.FLOAT, layer.getParam("gamma").shape()).addi(0.5));
                    layer.getParam("beta").assign(Nd4j.randn(DataType.FLOAT, layer.getParam("beta").shape()).muli(0.1));
                }
            }
            TsmModel fast = model.forInference();
            String what = config.backbone() + ", temporal pool " + config.temporalPool();

            assertEquals(CNN2DFormat.NCHW, model.config().dataFormat(), what);
            assertEquals(config.toBuilder().dataFormat(CNN2DFormat.NHWC).build(), fast.config(), what);
            assertTrue(fast.isInferenceOnly(), what);
            assertFalse(model.isInferenceOnly(), what);
            assertSame(fast, fast.forInference(), what);
            assertEquals(LABELS, fast.labels());
            assertTrue(batchNormStatistics(fast.graph()).isEmpty(), what + ": BatchNorm left " + batchNormStatistics(
                    fast.graph()));
            assertFalse(batchNormStatistics(model.graph()).isEmpty(), what);

            INDArray x = clips(2, config.segments(), 32, 5);
            INDArray expected = model.output(x);
            INDArray actual = fast.output(x);
            assertArrayEquals(expected.shape(), actual.shape(), what);
            assertArrayEquals(expected.ravel().toFloatVector(), actual.ravel().toFloatVector(), 1e-5f, what);
            Classifiers.assertCloseRelativeToLargest(model.logits(x), fast.logits(x), 1e-5, what);
            INDArray first = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, config.segments()));
            assertEquals(model.predict(first, 2).stream().map(Prediction::index).toList(),
                    fast.predict(first, 2).stream().map(Prediction::index).toList(), what + ": the same top-2 of 3, in order");

            Path file = dir.resolve("fast.zip");
            assertEquals("Cannot save " + file + ": this TsmModel is an inference form (forInference(): BatchNorm "
                    + "folded away); save the model it was made from",
                    assertThrows(IllegalStateException.class, () -> fast.save(file, false)).getMessage());
            assertTrue(Files.notExists(file));
        }
    }
}
