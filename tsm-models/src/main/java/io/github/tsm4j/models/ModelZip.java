package io.github.tsm4j.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * The one writer and reader of tsm4j's model zip, used by {@link TsmModel#save}/{@link TsmModel#load} and by
 * training checkpoints ({@code last.zip}, {@code best.zip}) and resume alike, so every checkpoint is a model
 * {@link TsmModel#load} opens.
 *
 * <p>Layout: DL4J's {@link ModelSerializer} entries (graph configuration, parameters, optionally the updater
 * state) plus {@code objects/}{@value TsmModel#CONFIG_ENTRY} ({@link TsmConfig}),
 * {@code objects/}{@value TsmModel#LABELS_ENTRY} (labels) and {@code objects/}{@value TsmModel#PROVENANCE_ENTRY}
 * ({@link Provenance}), each a Java-serialised JSON string as {@link ModelSerializer#addObjectToFile} stores it
 * (so files of every earlier release read), and for checkpoints {@value #TRAINING_STATE_ENTRY} (the trainer's
 * state as plain JSON, opaque here). Written atomically: completed in a temporary file of the same folder, then
 * moved over the target; a process killed at any moment leaves the previous file or the new one.
 */
public final class ModelZip {

    /** Entry holding a trainer's state (JSON) in training checkpoints. */
    public static final String TRAINING_STATE_ENTRY = "tsm4j/training-state.json";

    private static final String OBJECTS = "objects/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelZip() {
    }

    /**
     * What a model zip holds.
     *
     * @param graph the network (with updater state when read so)
     * @param config its configuration
     * @param labels one label per class
     * @param provenance the recorded provenance (empty in files written before tsm4j recorded it)
     * @param trainingState the trainer's state JSON (empty in plain models)
     */
    public record Contents(ComputationGraph graph, TsmConfig config, List<String> labels,
            Optional<Provenance> provenance, Optional<byte[]> trainingState) {

        /** Checks for missing parts. */
        public Contents {
            Objects.requireNonNull(graph, "graph");
            Objects.requireNonNull(config, "config");
            labels = List.copyOf(labels);
            Objects.requireNonNull(provenance, "provenance");
            Objects.requireNonNull(trainingState, "trainingState");
        }
    }

    /**
     * Writes a model zip atomically.
     *
     * @param file target (parent folders created; overwritten)
     * @param graph the network
     * @param config its configuration
     * @param labels its labels
     * @param provenance what to record
     * @param saveUpdater whether to keep the updater state (momentum buffers, counters) for resuming
     * @param trainingState trainer state JSON to store, or null for a plain model
     * @throws IOException when writing fails (the previous file is then untouched)
     */
    public static void write(Path file, ComputationGraph graph, TsmConfig config, List<String> labels,
            Provenance provenance, boolean saveUpdater, byte[] trainingState) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path model = Files.createTempFile(dir, file.getFileName().toString(), ".model.tmp");
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            ModelSerializer.writeModel(graph, model.toFile(), saveUpdater);
            try (ZipFile in = new ZipFile(model.toFile());
                    OutputStream os = Files.newOutputStream(tmp);
                    ZipOutputStream out = new ZipOutputStream(os)) {
                Enumeration<? extends ZipEntry> entries = in.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry e = entries.nextElement();
                    out.putNextEntry(new ZipEntry(e.getName()));
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(out);
                    }
                    out.closeEntry();
                }
                put(out, OBJECTS + TsmModel.CONFIG_ENTRY, serialised(JSON.writeValueAsString(config)));
                put(out, OBJECTS + TsmModel.LABELS_ENTRY, serialised(JSON.writeValueAsString(labels)));
                put(out, OBJECTS + TsmModel.PROVENANCE_ENTRY, provenance.toZipEntry());
                if (trainingState != null) {
                    put(out, TRAINING_STATE_ENTRY, trainingState);
                }
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(model);
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a model zip written by {@link #write} (or by any earlier tsm4j release).
     *
     * @param file the zip
     * @param loadUpdater whether to restore the updater state too
     * @return its contents
     * @throws IOException when the file is missing, unreadable, or lacks the tsm4j configuration and labels
     */
    public static Contents read(Path file, boolean loadUpdater) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("No model file " + file);
        }
        String config = null;
        String labels = null;
        byte[] provenance = null;
        byte[] state = null;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String name = e.getName();
                if (name.equals(OBJECTS + TsmModel.CONFIG_ENTRY)) {
                    config = deserialised(bytes(zip, e), file, name);
                } else if (name.equals(OBJECTS + TsmModel.LABELS_ENTRY)) {
                    labels = deserialised(bytes(zip, e), file, name);
                } else if (name.equals(OBJECTS + TsmModel.PROVENANCE_ENTRY)) {
                    provenance = bytes(zip, e);
                } else if (name.equals(TRAINING_STATE_ENTRY)) {
                    state = bytes(zip, e);
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException("Not a model zip: " + file + " (" + e.getMessage() + ")", e);
        }
        if (config == null || labels == null) {
            throw new IOException("Not a tsm4j model (no " + TsmModel.CONFIG_ENTRY + " / " + TsmModel.LABELS_ENTRY
                    + " entries): " + file);
        }
        TsmConfig c;
        List<String> l;
        Provenance p = null;
        try {
            c = JSON.readValue(config, TsmConfig.class);
            l = JSON.readValue(labels, new TypeReference<List<String>>() { });
            if (provenance != null) {
                p = Provenance.fromZipEntry(provenance);
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IOException("Corrupt tsm4j entries in " + file + ": " + e.getMessage(), e);
        }
        ComputationGraph graph;
        try {
            graph = ModelSerializer.restoreComputationGraph(file.toFile(), loadUpdater);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Cannot read the network of " + file + ": " + e.getMessage(), e);
        }
        return new Contents(graph, c, l, Optional.ofNullable(p), Optional.ofNullable(state));
    }

    private static void put(ZipOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    private static byte[] bytes(ZipFile zip, ZipEntry e) throws IOException {
        try (InputStream is = zip.getInputStream(e)) {
            return is.readAllBytes();
        }
    }

    /** A string as {@link ModelSerializer#addObjectToFile} stores it: Java serialisation. */
    private static byte[] serialised(String s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        return bytes.toByteArray();
    }

    /** Reads a Java-serialised string, accepting nothing but a {@link String} from the stream. */
    private static String deserialised(byte[] entry, Path file, String name) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(entry))) {
            in.setObjectInputFilter(info -> info.serialClass() == null || info.serialClass() == String.class
                    ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED);
            return (String) in.readObject();
        } catch (ClassNotFoundException | ClassCastException | java.io.InvalidClassException e) {
            throw new IOException("Corrupt tsm4j entries in " + file + ": " + name + " is not a string", e);
        }
    }
}
