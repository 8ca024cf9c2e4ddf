package io.github.tsm4j.models.recognize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.core.stream.SourceFrame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(300) // a hang guard, not a time limit: nothing here asserts how fast anything runs
class FrameDecoderTest {

    /** {@code count} 2x2 frames, frame i at i·10 ms; fails at frame {@code failAt} if non-negative. */
    private static final class Counting implements FrameSource {
        private final int count;
        private final int failAt;
        private int next;

        Counting(int count, int failAt) {
            this.count = count;
            this.failAt = failAt;
        }

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public void open() {}

        @Override
        public SourceFrame next() throws IOException {
            if (next == failAt) {
                throw new IOException("cannot decode frame " + next + " of counting: broken");
            }
            if (next == count) {
                return null;
            }
            int i = next++;
            return new SourceFrame(i, i * 10_000L, 2, 2, new byte[12], new float[3]);
        }

        @Override
        public double frameRate() {
            return 100;
        }

        @Override
        public boolean live() {
            return false;
        }

        @Override
        public void close() {}
    }

    private static List<Long> drain(FrameDecoder<Long> d, long sleepMillis) throws Exception {
        List<Long> seen = new ArrayList<>();
        FrameDecoder.Item<Long> item;
        while ((item = d.take()) != null) {
            seen.add(item.prepared());
            if (sleepMillis > 0) {
                Thread.sleep(sleepMillis);
            }
        }
        return seen;
    }

    @Test
    void offlineDeliversEveryFrameInOrderEvenToASlowConsumer() throws Exception {
        try (FrameDecoder<Long> d = new FrameDecoder<>(new Counting(30, -1), SourceFrame::index, 2, false)) {
            List<Long> seen = drain(d, 2);
            assertEquals(30, seen.size());
            for (int i = 0; i < 30; i++) {
                assertEquals(i, seen.get(i));
            }
            assertEquals(0, d.dropped());
            assertEquals(30, d.decoded());
            assertNull(d.take(), "stays at the end");
        }
    }

    @Test
    void decoderRunsAheadUpToTheQueueCapacity() throws Exception {
        try (FrameDecoder<Long> d = new FrameDecoder<>(new Counting(100, -1), SourceFrame::index, 4, false)) {
            while (d.decoded() < 5) { // however long the decoder thread takes to be scheduled
                Thread.sleep(5);
            }
            Thread.sleep(50);
            // 4 queued + 1 decoded and waiting for a slot; no more without a consumer
            assertEquals(5, d.decoded());
        }
    }

    @Test
    void realtimeDropsAndCountsFramesASlowConsumerCannotTake() throws Exception {
        // 100 frames at 100 fps (paced: 1 s), consumer 30 ms per frame: about 2 of 3 frames must go
        long t0 = System.nanoTime();
        try (FrameDecoder<Long> d = new FrameDecoder<>(new Counting(100, -1), SourceFrame::index, 1, true)) {
            List<Long> seen = drain(d, 30);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(100, d.decoded());
            assertEquals(100, seen.size() + d.dropped(), "every frame is processed or counted as dropped");
            // a consumer of >= 30 ms per frame takes at most seconds / 0.03 + 1 frames in the time the run took
            // (about 34 of 100 on an idle machine; a loaded machine slows both sides and the bound with them)
            assertTrue(seen.size() <= seconds / 0.030 + 1, seen.size() + " frames taken in " + seconds + " s");
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) > seen.get(i - 1), "order kept, gaps where frames were dropped");
            }
        }
    }

    @Test
    void realtimePacesAFileToItsTimestamps() throws Exception {
        long t0 = System.nanoTime();
        try (FrameDecoder<Long> d = new FrameDecoder<>(new Counting(20, -1), SourceFrame::index, 8, true)) {
            assertEquals(20, drain(d, 0).size());
            assertEquals(0, d.dropped());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 0.18, "20 frames at 100 fps take 0.19 s, took " + seconds);
    }

    @Test
    void decodingErrorReachesTheConsumerAfterTheGoodFrames() throws Exception {
        try (FrameDecoder<Long> d = new FrameDecoder<>(new Counting(10, 3), SourceFrame::index, 8, false)) {
            assertEquals(0, d.take().prepared());
            assertEquals(1, d.take().prepared());
            assertEquals(2, d.take().prepared());
            IOException e = assertThrows(IOException.class, d::take);
            assertEquals("cannot decode frame 3 of counting: broken", e.getMessage());
        }
    }

    @Test
    void closingBeforeTheEndStopsTheThread() throws Exception {
        FrameDecoder<Long> d = new FrameDecoder<>(new Counting(1_000_000, -1), SourceFrame::index, 2, false);
        d.take();
        d.close();
        assertTrue(d.decoded() < 1_000_000);
    }
}
