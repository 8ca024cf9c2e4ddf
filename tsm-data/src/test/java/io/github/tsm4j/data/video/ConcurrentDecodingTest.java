package io.github.tsm4j.data.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.data.TestVideos;
import io.github.tsm4j.data.image.RgbFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentDecodingTest {
    @TempDir
    Path dir;

    @Test
    void manyVideosDecodedAtOnceDoNotCorruptEachOther() throws Exception {
        int videos = 8;
        List<Path> files = new ArrayList<>();
        for (int v = 0; v < videos; v++) {
            VideoWriter.Codec codec = v % 2 == 0 ? VideoWriter.Codec.VP9 : VideoWriter.Codec.MPEG4_MP4;
            files.add(TestVideos.write(dir.resolve("c" + v + codec.extension()), 12, 48, 32, codec, 3 * v));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> jobs = new ArrayList<>();
            for (int rep = 0; rep < 4; rep++) {
                for (int v = 0; v < videos; v++) {
                    int shift = 3 * v;
                    Path f = files.get(v);
                    jobs.add(pool.submit(() -> {
                        int checked = 0;
                        try (VideoReader r = VideoReader.open(f)) {
                            int[] idx = {11, 0, 5, 6};
                            List<RgbFrame> frames = r.read(idx, 16);
                            for (int i = 0; i < idx.length; i++) {
                                double err = TestVideos.error(frames.get(i), idx[i] + shift);
                                assertTrue(err < 3, f + " frame " + idx[i] + " error " + err);
                                checked++;
                            }
                        }
                        return checked;
                    }));
                }
            }
            int total = 0;
            for (Future<Integer> j : jobs) {
                total += j.get();
            }
            assertEquals(4 * videos * 4, total);
        } finally {
            pool.shutdownNow();
        }
    }
}
