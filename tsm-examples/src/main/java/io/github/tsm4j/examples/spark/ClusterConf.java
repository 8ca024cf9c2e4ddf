package io.github.tsm4j.examples.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;

/**
 * What a tsm4j Spark application sets on its {@link SparkConf} before creating a context, and a check that a
 * standalone master is there at all (Spark itself would retry for a minute and then stop the context).
 */
public final class ClusterConf {
    /** The Java 17 {@code --add-opens} Spark 3.1 needs, on the driver and on every executor. */
    public static final List<String> JAVA17_OPENS = List.of("--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    static final String EXECUTOR_OPTIONS = "spark.executor.extraJavaOptions";

    private ClusterConf() {}

    /**
     * Adds to {@code spark.executor.extraJavaOptions} (keeping what the user set) the Java 17 opens and
     * {@code -Dname=value} for each given property that is not already there; turns the driver's web UI off unless
     * the user set it.
     *
     * @param conf the configuration (changed)
     * @param properties executor system properties as {@code name=value}
     * @return conf
     */
    public static SparkConf prepare(SparkConf conf, String... properties) {
        StringBuilder opts = new StringBuilder(conf.get(EXECUTOR_OPTIONS, "").trim());
        for (String open : JAVA17_OPENS) {
            if (!opts.toString().contains(open)) {
                opts.append(opts.length() == 0 ? "" : " ").append(open);
            }
        }
        for (String p : properties) {
            String name = p.substring(0, p.indexOf('='));
            if (!opts.toString().contains("-D" + name + "=")) {
                opts.append(' ').append("-D").append(p);
            }
        }
        conf.set(EXECUTOR_OPTIONS, opts.toString());
        if (!conf.contains("spark.ui.enabled")) {
            conf.set("spark.ui.enabled", "false");
        }
        return conf;
    }

    /**
     * Fails with a clear message when this JVM lacks the opens Spark 3.1 needs on Java 17 (Spark would otherwise die
     * in a static initialiser with an {@code InaccessibleObjectException}).
     *
     * @throws IllegalStateException naming the flags and where to put them
     */
    public static void requireOpens() {
        Module me = ClusterConf.class.getModule();
        for (String pkg : List.of("java.lang", "java.lang.invoke", "java.nio", "java.util", "sun.nio.ch")) {
            if (!Object.class.getModule().isOpen(pkg, me)) {
                throw new IllegalStateException("Spark needs java.base/" + pkg + " opened on Java 17: run "
                        + "'java -jar tsm.jar' (its manifest opens them), or add " + String.join(" ", JAVA17_OPENS)
                        + " to the java command (spark-submit: --driver-java-options)");
            }
        }
    }

    /**
     * Fails fast when a standalone master ({@code spark://host:port[,host:port…]}) accepts no connection; other
     * masters (local, yarn, k8s) are not checked.
     *
     * @param master the master URL
     * @throws IOException "no Spark master at URL (host:port: why)"
     */
    public static void requireReachable(String master) throws IOException {
        if (master == null || !master.startsWith("spark://")) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Spark master " + master + ": port of " + hostPort
                        + " is not a number");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 5000);
                return;
            } catch (IOException e) {
                problems.add(host + ":" + port + ": " + VideoLocations.oneLine(e));
            }
        }
        throw new IOException("no Spark master at " + master + " (" + String.join("; ", problems)
                + "): start one, or check the URL");
    }
}
