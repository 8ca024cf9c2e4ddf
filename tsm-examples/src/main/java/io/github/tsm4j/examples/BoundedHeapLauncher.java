package io.github.tsm4j.examples;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs {@code tsm demo} in a child JVM with a bounded heap when the user gave the JVM no heap size.
 *
 * <p>Why: ND4J frees an array's native memory when the collector finds its Java object, and it makes many small
 * Java objects per op; with the JVM's default heap (a quarter of the RAM) collections are rare, so dead native arrays
 * and the heap itself grow: the demo peaked at 1.04–1.23 GB resident. With {@value #DEMO_HEAP} of heap it runs at the
 * same speed in 0.81 GB (measured, docs/demo.md). A running JVM cannot change its maximum heap and {@code java -jar}
 * takes no JVM options from the jar, so the demo restarts itself once: same Java, same class path, the user's JVM
 * options, plus {@code -Xmx}{@value #DEMO_HEAP} and, unless the user chose a collector, {@value #DEMO_GC};
 * standard input/output are inherited and the exit code is passed on.
 *
 * <p>Why the parallel collector: DL4J's training makes thousands of short-lived ND4J arrays per step, each with weak
 * and phantom references for its native memory. With G1 (the default) on two cores its young collections took 50–70 ms
 * each, about one every ten steps of the demo's networks, and its concurrent threads compete with the training's;
 * the stop-the-world parallel collector does the same work in far less time. Measured on the 2-vCPU VM, the same
 * demo run (identical losses and accuracies): 107.9 s and 791 MiB peak with G1, 75.9 s and 636 MiB with
 * {@value #DEMO_GC} (docs/demo.md).
 *
 * <p>Any explicit heap option ({@code -Xmx}, {@code -XX:MaxHeapSize}, {@code -XX:MaxRAMPercentage}, …) or the
 * environment variable {@value #ENV} keeps everything in one JVM.
 */
final class BoundedHeapLauncher {

    /** The child's maximum heap. */
    static final String DEMO_HEAP = "384m";
    /** The child's collector when the user chose none. */
    static final String DEMO_GC = "-XX:+UseParallelGC";
    /** Set in the child (and honoured when set by the user): run in this JVM. */
    static final String ENV = "TSM4J_IN_PROCESS";
    /** Heaps at most this large are left alone. */
    static final long SMALL_HEAP_BYTES = 512L << 20;

    private static final Set<String> HEAP_OPTIONS = Set.of("-Xmx", "-XX:MaxHeapSize", "-XX:MaxRAMPercentage",
            "-XX:MaxRAMFraction", "-XX:MaxRAM");

    private BoundedHeapLauncher() {
    }

    /**
     * Whether {@code args} should run in a child JVM with a bounded heap.
     *
     * @param args the command line
     * @param jvmOptions this JVM's options ({@code RuntimeMXBean.getInputArguments()})
     * @param maxHeap this JVM's maximum heap in bytes
     * @param env the environment
     * @return true for {@code demo} (not its help) when no heap option was given and the heap is large
     */
    static boolean shouldFork(String[] args, List<String> jvmOptions, long maxHeap, Map<String, String> env) {
        if (env.containsKey(ENV) || maxHeap <= SMALL_HEAP_BYTES || !"demo".equals(command(args))) {
            return false;
        }
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return false;
            }
        }
        for (String o : jvmOptions) {
            for (String h : HEAP_OPTIONS) {
                if (o.startsWith(h)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The first argument that is not an option (the subcommand), or null. */
    private static String command(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a.toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /**
     * The child's command line: this Java, {@code -Xmx}{@value #DEMO_HEAP}, {@value #DEMO_GC} unless this JVM's
     * options choose a collector ({@code -XX:+Use…GC}), this JVM's options, this class path, the CLI's main class and
     * the same arguments.
     *
     * @param args the command line
     * @param jvmOptions this JVM's options
     * @param javaHome {@code java.home}
     * @param classPath {@code java.class.path}
     * @return the command
     */
    static List<String> childCommand(String[] args, List<String> jvmOptions, String javaHome, String classPath) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(javaHome, "bin", "java").toString());
        cmd.add("-Xmx" + DEMO_HEAP);
        if (jvmOptions.stream().noneMatch(o -> o.matches("-XX:[+-]Use\\w*GC"))) {
            cmd.add(DEMO_GC);
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(TsmCli.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs the child and waits for it; a shutdown of this JVM (Ctrl-C) stops it too.
     *
     * @param args the command line
     * @return the child's exit code
     * @throws IOException if the child cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    static int fork(String[] args) throws IOException, InterruptedException {
        List<String> cmd = childCommand(args, ManagementFactory.getRuntimeMXBean().getInputArguments(),
                System.getProperty("java.home"), System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put(ENV, "1");
        Process child = pb.start();
        Thread stop = new Thread(child::destroy, "tsm-child-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return child.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }
}
