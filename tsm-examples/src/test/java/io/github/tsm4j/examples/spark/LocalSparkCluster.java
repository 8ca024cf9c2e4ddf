package io.github.tsm4j.examples.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster of separate JVMs on 127.0.0.1, made of Spark's own
 * {@code org.apache.spark.deploy.master.Master} and {@code org.apache.spark.deploy.worker.Worker} classes from the
 * test class path. Its "Spark distribution" ({@code SPARK_HOME/jars}) holds links to every third-party jar of the
 * class path (Spark, Hadoop, DL4J, JavaCV…) but none of tsm4j's own classes: applications bring those, through
 * {@code spark.executor.extraClassPath} or the application jar of spark-submit. Every process is started here and
 * stopped by its own pid ({@link #close}); every wait is bounded.
 */
final class LocalSparkCluster implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    private static final long START_SECONDS = 120;

    private final Path dir;
    private final Path sparkHome;
    private final String classPath;
    private final int port;
    private Process master;
    private final List<Worker> workers = new ArrayList<>();
    private final List<ProcessHandle> orphans = new ArrayList<>();

    /** One worker JVM. */
    record Worker(int index, Process process, int webUiPort, Path log) {}

    private LocalSparkCluster(Path dir) throws IOException {
        this.dir = dir;
        this.classPath = System.getProperty("java.class.path");
        this.sparkHome = Files.createDirectories(dir.resolve("spark-home"));
        Path jars = Files.createDirectories(sparkHome.resolve("jars"));
        for (String e : classPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.endsWith(".jar") && !isTsm4j(p) && Files.isRegularFile(p)) {
                Path link = jars.resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p.toAbsolutePath());
                }
            }
        }
        this.port = freePort();
    }

    /**
     * Starts a master and {@code workers} workers (1 core, {@code memoryMb} each) and waits until all registered.
     */
    static LocalSparkCluster start(Path dir, int workers, int memoryMb) throws IOException, InterruptedException {
        LocalSparkCluster c = new LocalSparkCluster(dir);
        try {
            c.master = c.launch("master", List.of("org.apache.spark.deploy.master.Master", "--host", HOST, "--port",
                    Integer.toString(c.port), "--webui-port", Integer.toString(freePort())));
            c.await(c.master, dir.resolve("master.log"), "I have been elected leader");
            List<Worker> started = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                started.add(c.launchWorker(memoryMb));
            }
            for (Worker w : started) {
                c.await(w.process(), w.log(), "Successfully registered with master");
            }
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** @return spark://127.0.0.1:PORT */
    String masterUrl() {
        return "spark://" + HOST + ":" + port;
    }

    /** @return the test class path (what executors get as spark.executor.extraClassPath) */
    String classPath() {
        return classPath;
    }

    /** @return SPARK_HOME of the cluster (jars/ holds the "distribution") */
    Path sparkHome() {
        return sparkHome;
    }

    List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** Starts one more worker and waits until it registered. */
    Worker addWorker(int memoryMb) throws IOException, InterruptedException {
        Worker w = launchWorker(memoryMb);
        await(w.process(), w.log(), "Successfully registered with master");
        return w;
    }

    private Worker launchWorker(int memoryMb) throws IOException {
        int index = workers.size() + 1;
        int ui = freePort();
        Path work = Files.createDirectories(dir.resolve("worker-" + index));
        Process p = launch("worker-" + index, List.of("org.apache.spark.deploy.worker.Worker", "--host", HOST,
                "--cores", "1", "--memory", memoryMb + "m", "--work-dir", work.toString(), "--webui-port",
                Integer.toString(ui), masterUrl()));
        Worker w = new Worker(index, p, ui, dir.resolve("worker-" + index + ".log"));
        workers.add(w);
        return w;
    }

    /**
     * SIGKILLs a worker JVM and the executor JVMs it started (a lost machine), by their pids.
     *
     * @return the pids killed
     */
    List<Long> kill(Worker w) throws InterruptedException {
        List<ProcessHandle> children = w.process().descendants().toList();
        List<Long> pids = new ArrayList<>();
        pids.add(w.process().pid());
        w.process().destroyForcibly();
        for (ProcessHandle h : children) {
            pids.add(h.pid());
            h.destroyForcibly();
            orphans.add(h);
        }
        w.process().waitFor(30, TimeUnit.SECONDS);
        return pids;
    }

    private Process launch(String name, List<String> mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath));
        cmd.addAll(ClusterConf.JAVA17_OPENS);
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        environment(pb.environment(), sparkHome);
        return pb.start();
    }

    /** The environment of every cluster JVM (and of spark-submit): loopback, this SPARK_HOME, one OpenMP thread. */
    static void environment(Map<String, String> env, Path sparkHome) {
        env.put("SPARK_LOCAL_IP", HOST);
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_SCALA_VERSION", "2.12");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("OMP_NUM_THREADS", "1");
        env.remove("SPARK_CONF_DIR");
        env.remove("HADOOP_CONF_DIR");
    }

    private void await(Process p, Path log, String line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(line)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(log.getFileName() + " exited with " + p.exitValue() + ": "
                        + tail(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + line + "' in " + log + " after " + START_SECONDS + " s: "
                + tail(log));
    }

    static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        String s = Files.readString(log, StandardCharsets.ISO_8859_1);
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    /** Whether a class path entry is one of tsm4j's modules (classes folder or module jar). */
    static boolean isTsm4j(Path p) {
        String name = p.getFileName().toString();
        return Files.isDirectory(p) || name.matches("tsm-(core|models|data|examples)-.*\\.jar");
    }

    /**
     * An application jar of tsm4j's main classes (core, models, data, examples) from the class path, with their
     * service registrations merged: what a user would submit (the shaded tsm.jar minus the third-party classes, which
     * this cluster's SPARK_HOME/jars provides).
     */
    Path applicationJar() throws IOException {
        Path jar = dir.resolve("tsm4j-app.jar");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, StringBuilder> services = new LinkedHashMap<>();
        for (String e : classPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            boolean mainClasses = Files.isDirectory(p) && p.getFileName().toString().equals("classes")
                    && p.getParent() != null && p.getParent().getParent() != null
                    && p.getParent().getParent().getFileName().toString().matches("tsm-(core|models|data|examples)");
            if (mainClasses) {
                try (Stream<Path> files = Files.walk(p)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        add(p.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f), entries, services);
                    }
                }
            } else if (isTsm4j(p) && Files.isRegularFile(p)) {
                try (JarFile jf = new JarFile(p.toFile())) {
                    for (Enumeration<JarEntry> en = jf.entries(); en.hasMoreElements(); ) {
                        JarEntry je = en.nextElement();
                        if (!je.isDirectory() && !je.getName().startsWith("META-INF/maven")
                                && !je.getName().equals("META-INF/MANIFEST.MF")) {
                            add(je.getName(), jf.getInputStream(je).readAllBytes(), entries, services);
                        }
                    }
                }
            }
        }
        if (!entries.containsKey("io/github/tsm4j/examples/TsmCli.class")) {
            throw new IllegalStateException("tsm4j's classes are not on the class path " + classPath);
        }
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
            for (Map.Entry<String, StringBuilder> e : services.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().toString().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    private static void add(String name, byte[] bytes, Map<String, byte[]> entries,
            Map<String, StringBuilder> services) {
        if (name.startsWith("META-INF/services/")) {
            services.computeIfAbsent(name, k -> new StringBuilder()).append(new String(bytes, StandardCharsets.UTF_8))
                    .append('\n');
        } else {
            entries.putIfAbsent(name, bytes);
        }
    }

    /** Stops every process this cluster started (workers with their executors, then the master), by pid. */
    @Override
    public void close() {
        try {
            for (Worker w : workers) {
                List<ProcessHandle> children = w.process().descendants().toList();
                w.process().destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
                orphans.addAll(children);
                w.process().waitFor(30, TimeUnit.SECONDS);
            }
            if (master != null) {
                master.destroyForcibly();
                master.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.forEach(w -> w.process().destroyForcibly());
            if (master != null) {
                master.destroyForcibly();
            }
        }
        for (ProcessHandle h : orphans) {
            h.destroyForcibly();
        }
        // the links of the "distribution" (JUnit would warn about each one when it cleans the temporary folder)
        try (Stream<Path> links = Files.list(sparkHome.resolve("jars"))) {
            for (Path l : links.toList()) {
                Files.deleteIfExists(l);
            }
        } catch (IOException ignored) {
            // left for the temporary folder's cleanup
        }
    }
}
