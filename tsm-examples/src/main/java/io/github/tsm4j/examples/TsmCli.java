package io.github.tsm4j.examples;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code tsm} command line: one entry point for every job of the library.
 *
 * <p>Exit codes: 0 success, 1 failure (bad input file, failed run), 2 usage error (unknown flag,
 * missing argument). Failures print one line naming the problem; {@code -v} adds the stack trace and
 * debug logging.
 *
 * <p>Run as {@code java -jar tsm-examples/target/tsm.jar <command> [options]}.
 */
@Command(
        name = "tsm",
        mixinStandardHelpOptions = true,
        versionProvider = TsmCli.Version.class,
        description = "Temporal Shift Module (TSM) video recognition on the JVM.",
        subcommands = {
            CommandLine.HelpCommand.class,
            io.github.tsm4j.examples.cli.DemoCommand.class,
            io.github.tsm4j.examples.cli.TrainCommand.class,
            io.github.tsm4j.examples.cli.EvalCommand.class,
            io.github.tsm4j.examples.cli.StreamCommand.class,
            io.github.tsm4j.examples.cli.PredictCommand.class,
            io.github.tsm4j.examples.cli.InfoCommand.class,
            io.github.tsm4j.examples.cli.ExtractFramesCommand.class,
            io.github.tsm4j.examples.cli.ImportCommand.class,
            io.github.tsm4j.examples.cli.ZooCommand.class,
            io.github.tsm4j.examples.cli.BenchCommand.class,
            io.github.tsm4j.examples.cli.ExportCommand.class,
        })
public final class TsmCli implements Callable<Integer> {

    /** Exit code of a failed run (bad input, I/O error, failed computation). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a usage error (unknown option, missing parameter). */
    public static final int EXIT_USAGE = 2;

    @Option(names = {"-v", "--verbose"}, description = "Debug logging and full stack traces.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @Override
    public Integer call() {
        new CommandLine(this).usage(new PrintWriter(System.out, true));
        return EXIT_USAGE;
    }

    /**
     * Builds the configured picocli command line (exit codes and one-line error reporting).
     *
     * @return the command line, ready for {@link CommandLine#execute(String...)}
     */
    public static CommandLine commandLine() {
        return commandLine(CommandLine.defaultFactory());
    }

    /**
     * Builds the command line with another factory for the command objects (tests inject fakes).
     *
     * @param factory creates command instances
     * @return the command line, ready for {@link CommandLine#execute(String...)}
     */
    public static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cli = new CommandLine(new TsmCli(), factory);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(TsmCli::handleFailure);
        cli.setParameterExceptionHandler(TsmCli::handleUsage);
        return cli;
    }

    /**
     * Runs the command line and returns the exit code, without calling {@link System#exit}.
     *
     * @param args command-line arguments
     * @return the exit code
     */
    public static int run(String... args) {
        boolean verbose = List.of(args).contains("-v") || List.of(args).contains("--verbose");
        Logging.configure(verbose);
        try {
            ExecutionOverrides.fromSystemProperties();   // a bad -Dtsm4j.* value fails before any work
            if (ExecutionOverrides.ffmpegLog(System.getProperties())) {
                io.github.tsm4j.data.video.FFmpegLogLevel.showFFmpegLog();
            }
        } catch (IllegalArgumentException e) {
            System.err.println("tsm: " + e.getMessage());
            return EXIT_USAGE;
        }
        return commandLine().execute(args);
    }

    public static void main(String[] args) {
        skipPhysicalMemoryChecks(System.getProperties());
        if (BoundedHeapLauncher.shouldFork(args, java.lang.management.ManagementFactory.getRuntimeMXBean()
                .getInputArguments(), Runtime.getRuntime().maxMemory(), System.getenv())) {
            try {
                System.exit(BoundedHeapLauncher.fork(args));
            } catch (java.io.IOException e) {
                System.err.println("tsm: cannot start the demo's JVM (" + e.getMessage() + "); running it here");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                System.exit(EXIT_FAILURE);
            }
        }
        System.exit(run(args));
    }

    /** javacpp's property for the physical-memory limit (either spelling is read). */
    static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

    /**
     * Turns off javacpp's physical-memory check unless the user set a limit: with a limit, javacpp reads the
     * process's resident size on every native allocation, and ND4J allocates several small native objects per op
     * (measured: 27 % of the main thread's time in {@code Pointer.physicalBytesInaccurate} while training the demo
     * network; a step took 26 ms with the check and 19 ms without). Memory stays bounded by the workspaces and,
     * in training and evaluation, by {@code ExecutionOptions}' native memory budget. Must run before javacpp loads.
     *
     * @param properties the system properties
     * @return whether the default was applied
     */
    static boolean skipPhysicalMemoryChecks(java.util.Properties properties) {
        if (properties.getProperty(MAX_PHYSICAL_BYTES) != null
                || properties.getProperty(MAX_PHYSICAL_BYTES.toLowerCase(java.util.Locale.ROOT)) != null) {
            return false;
        }
        properties.setProperty(MAX_PHYSICAL_BYTES, "0");
        return true;
    }

    private static int handleFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = isVerbose(cmd);
        PrintWriter err = cmd.getErr();
        err.println("tsm " + cmd.getCommandName() + ": " + describe(e));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    }

    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("tsm: " + e.getMessage());
        err.println("Try '" + helpCommand(cmd) + "' for usage.");
        err.flush();
        return EXIT_USAGE;
    }

    /** {@code tsm --help} at the root, {@code tsm stream --help} for a subcommand. */
    static String helpCommand(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName(" ") + " --help";
    }

    /**
     * Whether {@code -v} was given, before or after the subcommand name.
     *
     * @param cmd any command line of the parsed tree
     * @return true if verbose
     */
    public static boolean isVerbose(CommandLine cmd) {
        for (CommandLine.ParseResult pr = cmd.getCommandSpec().root().commandLine().getParseResult();
                pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("-v")) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message;
    }

    /** Prints the library version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TsmCli.class.getPackage().getImplementationVersion();
            return new String[] {"tsm4j " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
