package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The zip entries that make a training checkpoint loadable with {@link TsmModel#load}: exactly those
 * {@link TsmModel#save} writes besides DL4J's own (configuration and labels), taken from a real save so
 * the two formats cannot drift apart.
 */
final class ModelEntries {
    private ModelEntries() {}

    /**
     * @param graph the network (only its configuration is used for the temporary save)
     * @param config its TSM configuration
     * @param labels class names
     * @return entry name → bytes
     * @throws IOException when the temporary file cannot be written or read
     */
    static Map<String, byte[]> of(ComputationGraph graph, TsmConfig config, List<String> labels) throws IOException {
        Path tmp = Files.createTempFile("tsm-entries", ".zip");
        try {
            TsmModel.wrap(graph, config, labels).save(tmp, false);
            Map<String, byte[]> entries = new LinkedHashMap<>();
            try (ZipFile zip = new ZipFile(tmp.toFile())) {
                Enumeration<? extends ZipEntry> all = zip.entries();
                while (all.hasMoreElements()) {
                    ZipEntry e = all.nextElement();
                    if (e.getName().startsWith("objects/")) {
                        try (InputStream is = zip.getInputStream(e)) {
                            entries.put(e.getName(), is.readAllBytes());
                        }
                    }
                }
            }
            if (entries.isEmpty()) {
                throw new IOException("TsmModel.save wrote no configuration/label entries to " + tmp);
            }
            return entries;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
