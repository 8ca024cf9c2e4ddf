package io.github.tsm4j.examples.spark;

import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.recognize.VideoRecognizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * Runs on the executors: classifies a partition of listed videos with tsm-models' {@link VideoRecognizer} (the
 * application API, the same code as {@code tsm predict} on one machine). The model comes from Spark's copy of the
 * shipped zip ({@link SparkFiles}), loaded once per executor JVM ({@link ExecutorModels}); each video is decoded
 * here, ahead of inference on the recognizer's decoding thread (remote URIs are copied to a local temporary file
 * first) and only its {@link VideoRow} goes back. A video
 * that cannot be read, decoded or classified gives a failed row naming the video and the reason; the partition
 * goes on.
 */
final class RecognizeFunction implements FlatMapFunction<Iterator<String>, VideoRow> {
    private static final long serialVersionUID = 1L;

    private final ShippedModel model;
    private final RecognitionOptions settings;
    private final Broadcast<HashMap<String, String>> hadoop;
    private final LongAccumulator modelLoads;

    RecognizeFunction(ShippedModel model, RecognitionOptions settings, Broadcast<HashMap<String, String>> hadoop,
            LongAccumulator modelLoads) {
        this.model = model;
        this.settings = settings;
        this.hadoop = hadoop;
        this.modelLoads = modelLoads;
    }

    @Override
    public Iterator<VideoRow> call(Iterator<String> videos) {
        return classify(videos).iterator();
    }

    /**
     * @param videos the partition's videos
     * @return one row per video, in order
     */
    List<VideoRow> classify(Iterator<String> videos) {
        Path file = Path.of(SparkFiles.get(model.fileName()));
        List<String> names = new ArrayList<>();
        videos.forEachRemaining(names::add);
        VideoRecognizer recognizer = ExecutorModels.borrow(model.sha256(), file, settings, () -> modelLoads.add(1));
        try {
            return classify(names, recognizer);
        } finally {
            ExecutorModels.release(model.sha256(), settings, recognizer);
        }
    }

    /**
     * Decodes ahead on the recognizer's background threads while the network runs ({@code classifyAll}, as
     * {@code tsm predict}); a remote video is copied to a local file when the recognizer asks for it (at most
     * {@code decodeAhead} copies exist at once) and deleted when its result is back.
     */
    private List<VideoRow> classify(List<String> names, VideoRecognizer recognizer) {
        Path[] local = new Path[names.size()];
        String[] copyError = new String[names.size()];
        boolean[] copied = new boolean[names.size()];
        Configuration[] conf = new Configuration[1];
        Iterable<Path> paths = () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < names.size();
            }

            @Override
            public Path next() {
                int i = next++;
                String video = names.get(i);
                if (VideoLocations.isLocal(video)) {
                    local[i] = VideoLocations.localPath(video);
                    return local[i];
                }
                try {
                    if (conf[0] == null) {
                        conf[0] = VideoLocations.hadoop(hadoop.value());
                    }
                    local[i] = VideoLocations.copyToLocal(video, conf[0], "tsm4j-video-");
                    copied[i] = true;
                } catch (IOException | RuntimeException e) {
                    copyError[i] = VideoLocations.oneLine(e);
                    // a path that does not exist: the recognizer gives a failed result, replaced by this error
                    local[i] = Path.of(System.getProperty("java.io.tmpdir"), "tsm4j-unreadable-" + System.nanoTime());
                }
                return local[i];
            }
        };
        List<VideoRow> rows = new ArrayList<>(names.size());
        recognizer.classifyAll(paths, result -> {
            int i = rows.size();
            String video = names.get(i);
            if (copyError[i] != null) {
                rows.add(VideoRow.failed(video, copyError[i].contains(video) ? copyError[i]
                        : video + ": " + copyError[i]));
            } else if (result.ok()) {
                rows.add(VideoRow.of(video, result));
            } else {
                // name the video as listed, not the local copy or the normalised path
                String m = result.error().replace(local[i].toString(), video);
                rows.add(VideoRow.failed(video, m.contains(video) ? m : video + ": " + m));
            }
            if (copied[i]) {
                try {
                    Files.deleteIfExists(local[i]);
                } catch (IOException ignored) {
                    // a temporary file the OS cleans up
                }
            }
        });
        return rows;
    }
}
