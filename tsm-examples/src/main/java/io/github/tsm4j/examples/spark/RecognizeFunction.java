package io.github.tsm4j.examples.spark;

import io.github.tsm4j.core.clip.ClipDecoder;
import io.github.tsm4j.core.clip.ClipDecoders;
import io.github.tsm4j.core.clip.DecodedClip;
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
 * here (remote URIs are copied to a local temporary file first) and only its {@link VideoRow} goes back. A video
 * that cannot be read, decoded or classified gives a failed row naming the video and the reason; the partition
 * goes on.
 */
final class RecognizeFunction implements FlatMapFunction<Iterator<String>, VideoRow> {
    private static final long serialVersionUID = 1L;

    private final ShippedModel model;
    private final RecognitionSettings settings;
    private final Broadcast<HashMap<String, String>> hadoop;
    private final LongAccumulator modelLoads;

    RecognizeFunction(ShippedModel model, RecognitionSettings settings, Broadcast<HashMap<String, String>> hadoop,
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
        VideoRecognizer recognizer = ExecutorModels.borrow(model.sha256(), file, settings, () -> modelLoads.add(1));
        try {
            ClipDecoder decoder = ClipDecoders.find();
            Configuration conf = null;
            List<VideoRow> rows = new ArrayList<>();
            while (videos.hasNext()) {
                String video = videos.next();
                if (!VideoLocations.isLocal(video) && conf == null) {
                    conf = VideoLocations.hadoop(hadoop.value());
                }
                rows.add(classify(video, recognizer, decoder, conf));
            }
            return rows;
        } finally {
            ExecutorModels.release(model.sha256(), settings, recognizer);
        }
    }

    private static VideoRow classify(String video, VideoRecognizer recognizer, ClipDecoder decoder,
            Configuration conf) {
        Path copy = null;
        try {
            Path local;
            if (VideoLocations.isLocal(video)) {
                local = VideoLocations.localPath(video);
            } else {
                copy = VideoLocations.copyToLocal(video, conf, "tsm4j-video-");
                local = copy;
            }
            long t0 = System.nanoTime();
            DecodedClip clip = decoder.decode(local, recognizer.request());
            return VideoRow.of(video, recognizer.classify(video, clip, System.nanoTime() - t0));
        } catch (IOException | RuntimeException e) {
            String m = VideoLocations.oneLine(e);
            if (copy != null) {
                m = m.replace(copy.toString(), video);
            }
            return VideoRow.failed(video, m.contains(video) ? m : video + ": " + m);
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException ignored) {
                    // a temporary file the OS cleans up
                }
            }
        }
    }
}
