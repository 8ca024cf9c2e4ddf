package io.github.tsm4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedHeapLauncherTest {

    private static final long BIG = 6L << 30;

    @Test
    void theDemoForksOnlyWhenNoHeapWasGivenAndTheDefaultHeapIsLarge() {
        assertTrue(BoundedHeapLauncher.shouldFork(new String[] {"demo"}, List.of(), BIG, Map.of()));
        assertTrue(BoundedHeapLauncher.shouldFork(new String[] {"-v", "demo", "--epochs", "3"},
                List.of("-Dx=1", "-XX:+AlwaysPreTouch"), BIG, Map.of()));
        for (String heap : List.of("-Xmx2g", "-XX:MaxHeapSize=1g", "-XX:MaxRAMPercentage=10")) {
            assertFalse(BoundedHeapLauncher.shouldFork(new String[] {"demo"}, List.of(heap), BIG, Map.of()), heap);
        }
        assertFalse(BoundedHeapLauncher.shouldFork(new String[] {"demo"}, List.of(), 256L << 20, Map.of()),
                "a small heap is left alone");
        assertFalse(BoundedHeapLauncher.shouldFork(new String[] {"demo"}, List.of(), BIG,
                Map.of(BoundedHeapLauncher.ENV, "1")), "the child (or a user who asks) runs in one JVM");
        assertFalse(BoundedHeapLauncher.shouldFork(new String[] {"demo", "--help"}, List.of(), BIG, Map.of()));
        assertFalse(BoundedHeapLauncher.shouldFork(new String[] {"train", "data"}, List.of(), BIG, Map.of()),
                "only the demo");
        assertFalse(BoundedHeapLauncher.shouldFork(new String[] {}, List.of(), BIG, Map.of()));
    }

    @Test
    void theChildRunsTheSameJavaClassPathOptionsAndArgumentsWithABoundedHeap() {
        assertEquals(List.of(Path.of("/jdk", "bin", "java").toString(), "-Xmx384m", "-XX:+UseParallelGC", "-Dfoo=bar",
                "-XX:+AlwaysPreTouch", "-cp", "tsm.jar", "io.github.tsm4j.examples.TsmCli", "demo", "--epochs", "3"),
                BoundedHeapLauncher.childCommand(new String[] {"demo", "--epochs", "3"},
                        List.of("-Dfoo=bar", "-XX:+AlwaysPreTouch"), "/jdk", "tsm.jar"));
        // a collector of the user's own is kept, and no second one is added
        for (String gc : new String[] {"-XX:+UseG1GC", "-XX:+UseSerialGC", "-XX:+UseZGC", "-XX:-UseParallelGC"}) {
            assertEquals(List.of(Path.of("/jdk", "bin", "java").toString(), "-Xmx384m", gc, "-cp", "tsm.jar",
                    "io.github.tsm4j.examples.TsmCli", "demo"),
                    BoundedHeapLauncher.childCommand(new String[] {"demo"}, List.of(gc), "/jdk", "tsm.jar"), gc);
        }
    }

    @Test
    void aForkedRunPassesTheChildsExitCodeOn() throws Exception {
        // the child of the test JVM: same class path; an unknown option is a usage error (2) in the child
        assertEquals(TsmCli.EXIT_USAGE, BoundedHeapLauncher.fork(new String[] {"demo", "--no-such-option"}));
        assertEquals(0, BoundedHeapLauncher.fork(new String[] {"demo", "--help"}));
    }
}
