package io.github.tsm4j.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.ExecutionOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where a saved model comes from: the versions that wrote it and a free-form description of its weights,
 * stored by {@link TsmModel#save} as the zip entry {@value TsmModel#PROVENANCE_ENTRY} (JSON).
 *
 * <p>{@code source} is set by whoever made the weights ({@link TsmModel#withSource}): the PyTorch import
 * records the checkpoint's file name, SHA-256, format and key layout; training records the recipe and
 * epoch; {@code tsm demo} the generated dataset. Files written before this entry existed load without it.
 *
 * @param tsm4jVersion tsm4j version that wrote the file (from the build, e.g. {@code 0.1.0-SNAPSHOT})
 * @param dl4jVersion DeepLearning4J version at run time
 * @param nd4jVersion ND4J version at run time
 * @param javaVersion {@code java.version} of the JVM that wrote the file
 * @param created when the file was written, ISO-8601 UTC to the second
 * @param source what the weights were made from (insertion order kept; empty when unknown)
 * @param execution the {@link ExecutionOptions} the network was built and run with (null in files written before
 *     tsm4j recorded them)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Provenance(
        @JsonProperty("tsm4j") String tsm4jVersion,
        @JsonProperty("dl4j") String dl4jVersion,
        @JsonProperty("nd4j") String nd4jVersion,
        @JsonProperty("java") String javaVersion,
        @JsonProperty("created") String created,
        @JsonProperty("source") Map<String, Object> source,
        @JsonProperty("execution") ExecutionOptions execution) {

    /** Build-time versions, filtered by Maven into this resource of tsm-models. */
    static final String VERSION_RESOURCE = "/io/github/tsm4j/models/tsm4j-version.properties";

    /**
     * Name of the zip entry as {@link org.deeplearning4j.util.ModelSerializer#addObjectToFile} stores
     * {@value TsmModel#PROVENANCE_ENTRY}: a Java-serialised {@link String} holding the JSON.
     */
    public static final String ZIP_ENTRY = "objects/" + TsmModel.PROVENANCE_ENTRY;

    private static final Versions VERSIONS = Versions.read();
    private static final ObjectMapper JSON = new ObjectMapper();

    public Provenance {
        source = source == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(source));
    }

    /**
     * The provenance of a file written now by this process.
     *
     * @param source what the weights were made from (may be empty)
     * @return versions of this build and run time, the current UTC time and {@code source}
     */
    public static Provenance now(Map<String, ?> source) {
        return now(source, null);
    }

    /**
     * The provenance of a file written now by this process, with the execution options of its network.
     *
     * @param source what the weights were made from (may be empty)
     * @param execution the options the network was built and run with (null: not recorded)
     * @return versions of this build and run time, the current UTC time, {@code source} and {@code execution}
     */
    public static Provenance now(Map<String, ?> source, ExecutionOptions execution) {
        return new Provenance(libraryVersion(), VERSIONS.dl4j(), VERSIONS.nd4j(), runningJavaVersion(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                source == null ? null : new LinkedHashMap<>(source), execution);
    }

    /**
     * @return the running JVM's version as {@code java.version} spells it ({@code 17.0.15}), from
     *     {@link Runtime#version()}
     */
    static String runningJavaVersion() {
        return Runtime.version().version().stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining("."));
    }

    /**
     * This provenance as the bytes of {@link #ZIP_ENTRY} (what {@link TsmModel#save} writes).
     *
     * @return a Java-serialised JSON string
     */
    public byte[] toZipEntry() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(JSON.writeValueAsString(this));
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise provenance " + this, e);
        }
    }

    /**
     * Reads the bytes of {@link #ZIP_ENTRY}; only a {@link String} is accepted from the stream.
     *
     * @param entry the entry's bytes
     * @return the provenance
     * @throws IOException when the bytes are not a serialised JSON provenance
     */
    public static Provenance fromZipEntry(byte[] entry) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(entry))) {
            in.setObjectInputFilter(info -> info.serialClass() == null || info.serialClass() == String.class
                    ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED);
            return JSON.readValue((String) in.readObject(), Provenance.class);
        } catch (ClassNotFoundException | ClassCastException | java.io.InvalidClassException e) {
            throw new IOException("provenance entry " + ZIP_ENTRY + " is not a JSON string: " + e.getMessage(), e);
        }
    }

    /**
     * The tsm4j version of this build, e.g. {@code 0.1.0-SNAPSHOT}.
     *
     * @return the version Maven filtered into {@value #VERSION_RESOURCE}
     * @throws IllegalStateException when the resource is missing or unfiltered (a build that bypassed Maven)
     */
    public static String libraryVersion() {
        return VERSIONS.tsm4j();
    }

    /** The versions read once per class load. */
    private record Versions(String tsm4j, String dl4j, String nd4j) {
        static Versions read() {
            Properties p = new Properties();
            try (InputStream in = Provenance.class.getResourceAsStream(VERSION_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("tsm-models resource " + VERSION_RESOURCE + " is missing: build with Maven");
                }
                p.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read tsm-models resource " + VERSION_RESOURCE + ": " + e.getMessage(), e);
            }
            String tsm4j = Objects.requireNonNull(p.getProperty("tsm4j.version"), "tsm4j.version");
            if (tsm4j.startsWith("${")) {
                throw new IllegalStateException("tsm-models resource " + VERSION_RESOURCE + " was not filtered by Maven: "
                        + tsm4j);
            }
            String built = p.getProperty("dl4j.version");
            return new Versions(tsm4j,
                    runtimeVersion("org.deeplearning4j", "deeplearning4j-nn", built),
                    runtimeVersion("org.nd4j", "nd4j-api", built));
        }

        /** The version in the jar's Maven metadata (kept in the shaded jar), else the one built against. */
        private static String runtimeVersion(String group, String artifact, String fallback) {
            String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
            Class<?> anchor = artifact.equals("nd4j-api") ? org.nd4j.linalg.factory.Nd4j.class
                    : org.deeplearning4j.nn.graph.ComputationGraph.class;
            try (InputStream in = anchor.getResourceAsStream(resource)) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version");
                    if (v != null && !v.isBlank()) {
                        return v;
                    }
                }
            } catch (IOException e) {
                // fall back to the build-time version below
            }
            return fallback;
        }
    }
}
