package io.github.tsm4j.examples.spark;

import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.recognize.VideoRecognizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor JVM's models: each shipped model is loaded once per JVM, keyed by the SHA-256 of its zip, and
 * reused by every task of every job of the application; recognizers (each with its own inference copy of the
 * weights, since a network is not safe for concurrent use) are pooled per model and settings, so their number is
 * at most the tasks that ran at once in this JVM. Nothing here is created on the driver unless the driver runs
 * tasks itself ({@code local[N]}).
 */
final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final Map<String, TsmModel> MODELS = new ConcurrentHashMap<>();
    private static final Map<String, Queue<VideoRecognizer>> IDLE = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {}

    /**
     * @param sha256 the model zip's hash (hex)
     * @param file where this JVM finds the zip (Spark's copy)
     * @param loaded called once when this JVM loads the model
     * @return the JVM's model
     */
    static TsmModel model(String sha256, Path file, Runnable loaded) {
        return MODELS.computeIfAbsent(sha256, k -> {
            try {
                String actual = sha256(file);
                if (!actual.equals(sha256)) {
                    throw new IllegalStateException("model file " + file + " has SHA-256 " + actual
                            + ", the driver shipped " + sha256);
                }
                long t0 = System.nanoTime();
                TsmModel m = TsmModel.load(file);
                LOADS.incrementAndGet();
                loaded.run();
                LOG.info("loaded model {} ({}) in {} ms", file.getFileName(), sha256.substring(0, 12),
                        (System.nanoTime() - t0) / 1_000_000);
                return m;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load model " + file + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * @param sha256 the model's hash
     * @param file where this JVM finds the zip
     * @param settings the recognition settings
     * @param loaded called once when this JVM loads the model
     * @return an idle recognizer, or a new one; hand it back with {@link #release}
     */
    static VideoRecognizer borrow(String sha256, Path file, RecognitionOptions settings, Runnable loaded) {
        VideoRecognizer r = IDLE.computeIfAbsent(key(sha256, settings), k -> new ConcurrentLinkedQueue<>()).poll();
        return r != null ? r : VideoRecognizer.of(model(sha256, file, loaded), settings);
    }

    /**
     * @param sha256 the model's hash
     * @param settings the settings it was borrowed with
     * @param recognizer the recognizer, idle again
     */
    static void release(String sha256, RecognitionOptions settings, VideoRecognizer recognizer) {
        IDLE.computeIfAbsent(key(sha256, settings), k -> new ConcurrentLinkedQueue<>()).add(recognizer);
    }

    /** @return models loaded by this JVM so far (tests) */
    static int loads() {
        return LOADS.get();
    }

    private static String key(String sha256, RecognitionOptions settings) {
        return sha256 + "/" + settings;
    }

    /**
     * @param file a file
     * @return its SHA-256 as lower-case hex
     * @throws IOException when it cannot be read
     */
    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
