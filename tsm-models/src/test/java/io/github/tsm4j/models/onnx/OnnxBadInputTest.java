package io.github.tsm4j.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.engine.ClipEngine;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class OnnxBadInputTest {

    private static TsmModel model;

    @TempDir
    Path dir;

    @BeforeAll
    static void tinyModel() {
        model = OnnxTestModels.model(TsmConfig.builder(Backbone.RESNET18, 5).segments(2).inputSize(32, 32)
                .baseWidth(8).build(), 1);
    }

    @Test
    void unknownLayerIsNamed() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(1, 1).nOut(4)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), "input")
                .addLayer("lrn", new LocalResponseNormalization.Builder().build(), "conv")
                .setOutputs("lrn")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        GraphTranslator t = new GraphTranslator(graph, new OnnxGraphBuilder("g"), OnnxExportOptions.offline(), 8, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.translate("input", "lrn"));
        assertEquals("cannot export vertex 'lrn' (LocalResponseNormalization): the ONNX exporter knows the layers "
                + "tsm4j's ResNet/MobileNetV2 builders create (convolutions, BatchNorm, ReLU/ReLU6, max/global pooling, "
                + "dense, temporal shift/pool, online shift, segment consensus, add)", e.getMessage());
    }

    @Test
    void existingFileIsKeptWithoutForceAndNoPartialFileRemains() throws IOException {
        Path file = dir.resolve("model.onnx");
        Files.writeString(file, "keep me");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> OnnxExporter.write(model, OnnxExportOptions.offline(), file, false));
        assertEquals(file + ": exists; pass force (--force) to replace it", e.getMessage());
        assertEquals("keep me", Files.readString(file));

        long size = OnnxExporter.write(model, OnnxExportOptions.offline(), file, true);
        assertEquals(size, Files.size(file));
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals(OnnxMetadata.PRODUCER, proto.getProducerName());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void metadataCarriesLabelsInputSpecKindAndVersion() {
        Onnx.ModelProto proto = OnnxExporter.toProto(model, OnnxExportOptions.offline());
        java.util.Map<String, String> props = new java.util.HashMap<>();
        proto.getMetadataPropsList().forEach(p -> props.put(p.getKey(), p.getValue()));
        OnnxMetadata meta = OnnxMetadata.fromProps(proto.getProducerName(), props, "x.onnx");
        assertEquals(OnnxModelKind.OFFLINE, meta.kind());
        assertEquals(model.labels(), meta.labels());
        assertEquals(model.config().input(), meta.input());
        assertEquals(2, meta.segments());
        assertEquals(io.github.tsm4j.models.Provenance.libraryVersion(), meta.tsm4jVersion());
        assertEquals(List.of(), meta.caches());
        assertEquals("offline", props.get(OnnxMetadata.KIND));
        assertEquals(17, proto.getOpsetImport(0).getVersion());
        assertEquals(8, proto.getIrVersion());
        // no custom operator domain anywhere
        assertTrue(proto.getGraph().getNodeList().stream().allMatch(n -> n.getDomain().isEmpty()));
    }

    @Test
    void foreignOnnxFileIsRefusedWithOneLine() throws IOException {
        OnnxGraphBuilder g = new OnnxGraphBuilder("foreign");
        g.input("input", "n", 3L, 4L, 4L);
        g.node("Identity", "logits", List.of("input"));
        g.output("logits", "n", 3L, 4L, 4L);
        Path file = dir.resolve("foreign.onnx");
        Files.write(file, Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g.build()).build()
                .toByteArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrtEngines.offline(file, 1));
        assertEquals(file + " is not a tsm4j ONNX export (producer 'pytorch', no metadata 'tsm4j.kind'); export it "
                + "with 'tsm export MODEL.zip --format onnx'", e.getMessage());
    }

    @Test
    void onlineExportIsRefusedByTheOfflineEngine() throws IOException {
        Path file = dir.resolve("online.onnx");
        OnnxExporter.write(model, OnnxExportOptions.online(), file, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrtEngines.offline(file, 1));
        assertEquals(file + " is an online tsm4j export, expected an offline one (export without --online)",
                e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> OrtEngines.online(dir.resolve("online.onnx"), 0, 1));
        assertEquals("streams must be >= 1, found 0", e2.getMessage());
    }

    @Test
    void metadataThatDoesNotMatchTheGraphIsRefused() throws IOException {
        Onnx.ModelProto proto = OnnxExporter.toProto(model, OnnxExportOptions.offline());
        Onnx.ModelProto.Builder b = proto.toBuilder();
        for (int i = 0; i < b.getMetadataPropsCount(); i++) {
            if (b.getMetadataProps(i).getKey().equals(OnnxMetadata.LABELS)) {
                b.setMetadataProps(i, b.getMetadataProps(i).toBuilder().setValue("[\"a\",\"b\",\"c\"]"));
            }
        }
        Path file = dir.resolve("edited.onnx");
        Files.write(file, b.build().toByteArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrtEngines.offline(file, 1));
        assertEquals(file + ": metadata lists 3 labels but output 'logits' has 5 classes", e.getMessage());
    }

    @Test
    void exportedFileRunsAgainAndRejectsWrongClipShapes() throws IOException {
        Path file = dir.resolve("m.onnx");
        OnnxExporter.write(model, OnnxExportOptions.offline(), file, false);
        try (ClipEngine fromFile = OrtEngines.offline(file, 1); ClipEngine inMemory = OrtEngines.offline(model, 1)) {
            Nd4j.getRandom().setSeed(2);
            var clips = Nd4j.randn(DataType.FLOAT, 4, 3, 32, 32);
            float[][] a = inMemory.logits(clips);
            float[][] b = fromFile.logits(clips);
            double[][] ad = new double[a.length][];
            for (int i = 0; i < a.length; i++) {
                ad[i] = new double[a[i].length];
                for (int j = 0; j < a[i].length; j++) {
                    ad[i][j] = a[i][j];
                }
            }
            // the in-memory engine fixes N·T (ONNX Runtime fuses more), the file keeps it dynamic: float rounding
            assertTrue(OnnxTestModels.relativeError(ad, b) < 1e-6);
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> fromFile.logits(Nd4j.zeros(DataType.FLOAT, 2, 3, 48, 48)));
            assertEquals(file + " takes input [-1, 3, 32, 32] (-1 = any), found clips [2, 3, 48, 48] (other frame "
                    + "sizes need an export with a dynamic size: tsm export --dynamic-size)", size.getMessage());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> fromFile.logits(Nd4j.zeros(DataType.FLOAT, 3, 3, 32, 32)));
            assertEquals("clips must be [N·T, 3, H, W] with T = 2 (NCHW), found [3, 3, 32, 32]", e.getMessage());
        }
    }

    @Test
    void missingOnnxRuntimeNamesTheArtifact() {
        assertTrue(OrtEngines.available());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OrtEngines.require("ai.onnxruntime.NoSuchClass"));
        assertEquals("ONNX Runtime is not on the class path: add com.microsoft.onnxruntime:onnxruntime:1.20.0 "
                + "(or com.microsoft.onnxruntime:onnxruntime_gpu) to use the ONNX Runtime engine", e.getMessage());
    }

    @Test
    void unexportableRequestsFailWithTheReason() {
        TsmModel pooled = OnnxTestModels.model(TsmConfig.builder(Backbone.RESNET50, 3).segments(4).inputSize(32, 32)
                .baseWidth(8).temporalPool(true).build(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExporter.toBytes(pooled, OnnxExportOptions.online()));
        assertEquals("cannot export an online model of a network with temporal pooling (TsmConfig.temporalPool = "
                + "true pools over future frames); export it offline", e.getMessage());
        IllegalArgumentException opset = assertThrows(IllegalArgumentException.class,
                () -> OnnxExportOptions.offline().withOpset(12));
        assertEquals("OnnxExportOptions.opset must be in [13, 21], found 12", opset.getMessage());
    }
}
