package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SpinPoolTest {

    private static final SpinPool POOL = new SpinPool(3);

    /** Every item of [0, total) is run exactly once, whatever the split, in at most 4 chunks per thread. */
    @Test
    void everyItemRunsExactlyOnce() {
        for (int parts = 2; parts <= 4; parts++) {
            for (long total : new long[] {1, 2, 3, 7, 1000, 4099}) {
                AtomicIntegerArray hits = new AtomicIntegerArray((int) total);
                AtomicInteger calls = new AtomicInteger();
                POOL.run(total, parts, (a, b) -> {
                    calls.incrementAndGet();
                    for (long i = a; i < b; i++) {
                        hits.incrementAndGet((int) i);
                    }
                });
                for (int i = 0; i < total; i++) {
                    assertEquals(1, hits.get(i), "item " + i + " of " + total + " in " + parts + " parts");
                }
                assertEquals(Math.min(total, parts * SpinPool.CHUNKS_PER_PART), calls.get(), "chunks");
            }
        }
    }

    /**
     * Chunks that take a while are shared: the caller and helpers run them, and only the wanted helpers (a helper
     * that is slow to get a core may miss a job, so the test asks for at least one of them).
     */
    @Test
    void helpersTakeChunksOfASlowJob() {
        for (int parts = 2; parts <= 4; parts++) {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            AtomicIntegerArray hits = new AtomicIntegerArray(64);
            POOL.run(64, parts, (a, b) -> {
                threads.add(Thread.currentThread().getName());
                LockSupport.parkNanos(5_000_000);
                for (long i = a; i < b; i++) {
                    hits.incrementAndGet((int) i);
                }
            });
            for (int i = 0; i < 64; i++) {
                assertEquals(1, hits.get(i));
            }
            assertTrue(threads.contains(Thread.currentThread().getName()), "the caller runs chunks: " + threads);
            Set<String> wanted = new java.util.HashSet<>();
            for (int h = 1; h < parts; h++) {
                wanted.add("tsm4j-shift-" + h);
            }
            threads.remove(Thread.currentThread().getName());
            assertTrue(!threads.isEmpty() && wanted.containsAll(threads), parts + " threads wanted, helpers that ran: "
                    + threads);
        }
    }

    /**
     * Helpers that never get a core (here: never started) do not hold a job up: the caller claims and runs every
     * chunk itself, every item once.
     */
    @Test
    @Timeout(20)
    void aJobCompletesOnTheCallerWhenNoHelperRuns() {
        SpinPool idle = new SpinPool(3, false);
        for (int parts = 2; parts <= 4; parts++) {
            AtomicIntegerArray hits = new AtomicIntegerArray(1000);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            idle.run(1000, parts, (a, b) -> {
                threads.add(Thread.currentThread().getName());
                for (long i = a; i < b; i++) {
                    hits.incrementAndGet((int) i);
                }
            });
            for (int i = 0; i < 1000; i++) {
                assertEquals(1, hits.get(i), "item " + i);
            }
            assertEquals(Set.of(Thread.currentThread().getName()), threads);
        }
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> idle.run(100, 4, (a, b) -> {
            throw boom;
        })), "a failing chunk: the other chunks are counted, the caller gets the failure");
    }

    /** Helpers park after polling for SPIN_NANOS and still take the next job. */
    @Test
    void parkedHelpersWakeUpForTheNextJob() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            Thread.sleep(3 + SpinPool.SPIN_NANOS / 1_000_000);
            AtomicIntegerArray hits = new AtomicIntegerArray(64);
            POOL.run(64, 4, (a, b) -> {
                for (long i = a; i < b; i++) {
                    hits.incrementAndGet((int) i);
                }
            });
            for (int i = 0; i < 64; i++) {
                assertEquals(1, hits.get(i), "round " + round + ", item " + i);
            }
        }
    }

    @Test
    void failuresOfHelpersAndOfTheCallerReachTheCallerAndThePoolStaysUsable() {
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> POOL.run(100, 4, (a, b) -> {
            if (a >= 50) {
                throw boom;
            }
        })));
        assertSame(boom, assertThrows(IllegalStateException.class, () -> POOL.run(100, 4, (a, b) -> {
            if (a == 0) {
                throw boom;
            }
        })));
        Error error = new AssertionError("helper error");
        assertSame(error, assertThrows(AssertionError.class, () -> POOL.run(100, 2, (a, b) -> {
            if (a > 0) {
                throw error;
            }
        })));
        AtomicIntegerArray hits = new AtomicIntegerArray(100);
        POOL.run(100, 4, (a, b) -> {
            for (long i = a; i < b; i++) {
                hits.incrementAndGet((int) i);
            }
        });
        for (int i = 0; i < 100; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    /** Callers that find the pool busy run their whole job themselves: concurrent jobs all complete, exactly. */
    @Test
    void concurrentCallersAllGetTheirWholeJobDone() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<AtomicIntegerArray>> jobs = new ArrayList<>();
            for (int j = 0; j < 200; j++) {
                int total = 100 + j;
                jobs.add(callers.submit(() -> {
                    AtomicIntegerArray hits = new AtomicIntegerArray(total);
                    POOL.run(total, 4, (a, b) -> {
                        for (long i = a; i < b; i++) {
                            hits.incrementAndGet((int) i);
                        }
                    });
                    return hits;
                }));
            }
            for (int j = 0; j < jobs.size(); j++) {
                AtomicIntegerArray hits = jobs.get(j).get();
                for (int i = 0; i < hits.length(); i++) {
                    assertEquals(1, hits.get(i), "job " + j + ", item " + i);
                }
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void partsOutsideTheHelpersAreRefused() {
        assertEquals("SpinPool: parts must be 2 to 4, found 5",
                assertThrows(IllegalArgumentException.class, () -> POOL.run(10, 5, (a, b) -> { })).getMessage());
        assertEquals("SpinPool: parts must be 2 to 4, found 1",
                assertThrows(IllegalArgumentException.class, () -> POOL.run(10, 1, (a, b) -> { })).getMessage());
    }
}
