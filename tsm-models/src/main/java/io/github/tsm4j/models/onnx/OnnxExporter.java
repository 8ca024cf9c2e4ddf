package io.github.tsm4j.models.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.models.Provenance;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.TsmStreamingModel;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import onnx.Onnx;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a {@link TsmModel} to ONNX: a standard graph (default-domain operators only) that any ONNX runtime can
 * run, written with the ONNX protobuf classes shipped in nd4j-api. The weights are those of the model's inference
 * form ({@link TsmModel#forInference()}: every BatchNorm folded into the convolution before it, ReLU/ReLU6 after
 * the convolution), stored as float32.
 *
 * <p><b>Offline</b> ({@link OnnxModelKind#OFFLINE}): input {@value OnnxMetadata#INPUT_NAME}
 * {@code [N·T, 3, S, S]} float32 NCHW, normalised as the model's {@code InputSpec} says, the T frames of each
 * clip contiguous; N·T is a dynamic dimension ({@code frames}) unless {@link OnnxExportOptions#frames()} fixes it,
 * S is the model's cropSize, or dynamic ({@code height}, {@code width}) with {@link OnnxExportOptions#dynamicSize()}
 * (the networks are fully convolutional up to the global average pool, so the full-resolution protocol's scaleSize
 * runs too). Output {@value OnnxMetadata#OUTPUT_NAME} {@code [N, K]}: the raw consensus logits (no softmax);
 * {@code [N·T', K]} with IDENTITY consensus. The temporal shift is written as {@link OnnxShiftForm} says, temporal
 * pooling as a {@code MaxPool}.
 *
 * <p><b>Online</b> ({@link OnnxModelKind#ONLINE}, the model's streaming twin, see {@link TsmStreamingModel}):
 * inputs {@value OnnxMetadata#INPUT_NAME} {@code [B, 3, S, S]} (one frame of each of B streams, B dynamic as
 * {@code streams} unless fixed) and one cache per shift layer, {@code shift_cache.i [B, C_i/foldDiv, H_i, W_i]}
 * (zeros at the start of a stream); outputs {@value OnnxMetadata#OUTPUT_NAME} {@code [B, K]} (per-frame logits) and
 * {@code shift_cache.i.next}, which the caller passes as {@code shift_cache.i} with the next frame. The caches are
 * listed in the metadata ({@link OnnxMetadata#CACHES}).
 *
 * <p>Labels, the input spec, the model kind, the configuration and the tsm4j version go into
 * {@code metadata_props} ({@link OnnxMetadata}). A layer the exporter does not know fails with its name.
 */
public final class OnnxExporter {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxExporter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnnxExporter() {
    }

    /**
     * The ONNX model as a protobuf message (package-private: the nd4j-shaded protobuf types stay out of the API).
     *
     * @param model the model (a training model or its inference form)
     * @param options what to export
     * @return the model proto
     * @throws IllegalArgumentException naming the vertex the exporter cannot express, or when an online export is
     *     asked of a model that cannot stream (temporal pooling)
     */
    static Onnx.ModelProto toProto(TsmModel model, OnnxExportOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        TsmConfig config = model.config();
        int size = config.input().cropSize();
        OnnxGraphBuilder onnx = new OnnxGraphBuilder("tsm4j_" + config.backbone().name().toLowerCase(
                java.util.Locale.ROOT) + "_" + options.kind().name().toLowerCase(java.util.Locale.ROOT));
        ComputationGraph graph;
        String output;
        if (options.kind() == OnnxModelKind.OFFLINE) {
            if (options.frames() % config.segments() != 0) {
                throw new IllegalArgumentException("OnnxExportOptions.frames = " + options.frames()
                        + " is not a multiple of segments " + config.segments());
            }
            graph = model.forInference().graph();
            output = TsmNetworks.CONSENSUS;
            Object frames = options.frames() > 0 ? (Object) options.frames() : "frames";
            if (options.dynamicSize()) {
                onnx.input(OnnxMetadata.INPUT_NAME, frames, 3L, "height", "width");
            } else {
                onnx.input(OnnxMetadata.INPUT_NAME, frames, 3L, (long) size, (long) size);
            }
        } else {
            if (config.temporalPool()) {
                throw new IllegalArgumentException("cannot export an online model of a network with temporal "
                        + "pooling (TsmConfig.temporalPool = true pools over future frames); export it offline");
            }
            graph = TsmStreamingModel.of(model, 1).graph();
            output = TsmNetworks.FC;
            onnx.input(OnnxMetadata.INPUT_NAME, options.frames() > 0 ? (Object) options.frames() : "streams", 3L,
                    (long) size, (long) size);
        }
        GraphTranslator translator = new GraphTranslator(graph, onnx, options, size, config.segments());
        String logits = translator.translate(OnnxMetadata.INPUT_NAME, output);
        onnx.node("Identity", OnnxMetadata.OUTPUT_NAME, List.of(logits));
        long k = config.numClasses();
        if (options.kind() == OnnxModelKind.ONLINE) {
            onnx.output(OnnxMetadata.OUTPUT_NAME, options.frames() > 0 ? (Object) options.frames() : "streams", k);
        } else if (options.frames() > 0) {
            long rows = config.consensus() == ConsensusMode.IDENTITY
                    ? options.frames() * config.consensusSegments() / config.segments()
                    : options.frames() / config.segments();
            onnx.output(OnnxMetadata.OUTPUT_NAME, rows, k);
        } else {
            onnx.output(OnnxMetadata.OUTPUT_NAME, config.consensus() == ConsensusMode.IDENTITY ? "frames" : "clips",
                    k);
        }
        String configJson;
        try {
            configJson = JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write TsmConfig as JSON: " + e.getMessage(), e);
        }
        OnnxMetadata meta = new OnnxMetadata(options.kind(), Provenance.libraryVersion(), model.labels(),
                config.input(), config.consensusSegments(), configJson, translator.caches());
        Onnx.ModelProto.Builder m = Onnx.ModelProto.newBuilder()
                .setIrVersion(options.irVersion())
                .setProducerName(OnnxMetadata.PRODUCER)
                .setProducerVersion(Provenance.libraryVersion())
                .setDocString("TSM " + config.backbone() + " " + options.kind().name().toLowerCase(
                        java.util.Locale.ROOT) + " network exported by tsm4j; see metadata_props")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()))
                .setGraph(onnx.build());
        for (Map.Entry<String, String> e : meta.toProps().entrySet()) {
            m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        Onnx.ModelProto proto = m.build();
        LOG.debug("ONNX export: {} nodes, {} initializers, {} caches", proto.getGraph().getNodeCount(),
                proto.getGraph().getInitializerCount(), translator.caches().size());
        return proto;
    }

    /**
     * The ONNX model as bytes (the content of a {@code .onnx} file).
     *
     * @param model the model
     * @param options what to export
     * @return the serialised model
     */
    public static byte[] toBytes(TsmModel model, OnnxExportOptions options) {
        return toProto(model, options).toByteArray();
    }

    /**
     * Writes the ONNX model to a file: first to a temporary file in the same directory, then moved into place
     * atomically, so a failed export leaves no partial file.
     *
     * @param model the model
     * @param options what to export
     * @param file the {@code .onnx} file
     * @param force whether to replace an existing file
     * @return the file's size in bytes
     * @throws FileAlreadyExistsException when the file exists and {@code force} is false
     * @throws IOException on write failure
     */
    public static long write(TsmModel model, OnnxExportOptions options, Path file, boolean force)
            throws IOException {
        Objects.requireNonNull(file, "file");
        if (!force && Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null,
                    "exists; pass force (--force) to replace it");
        }
        byte[] bytes = toBytes(model, options);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".part");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return bytes.length;
    }
}
