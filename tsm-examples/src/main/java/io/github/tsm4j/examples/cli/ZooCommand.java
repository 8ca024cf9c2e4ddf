package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.zoo.Catalogue;
import io.github.tsm4j.models.zoo.DownloadListener;
import io.github.tsm4j.models.zoo.ModelCache;
import io.github.tsm4j.models.zoo.PretrainedModels;
import io.github.tsm4j.models.zoo.PublishedAccuracy;
import io.github.tsm4j.models.zoo.ZooEntry;
import io.github.tsm4j.models.zoo.ZooOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tsm zoo list | get ID [--from FILE]}: the catalogue of published checkpoints and the verified cache
 * ({@link PretrainedModels}). The cache folder is {@code --cache}, else {@code $TSM4J_CACHE}, else
 * {@code ~/.cache/tsm4j}.
 */
@Command(name = "zoo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pretrained models: the catalogue of published TSM checkpoints, downloaded, verified and cached.",
            "Cache: --cache DIR, else $TSM4J_CACHE, else ~/.cache/tsm4j."},
        subcommands = {ZooCommand.ListCommand.class, ZooCommand.GetCommand.class})
public final class ZooCommand implements Callable<Integer> {
    /** The environment variable naming the cache folder (read by the CLI only). */
    public static final String CACHE_ENV = "TSM4J_CACHE";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    /**
     * The zoo settings of the CLI: the cache folder from {@code cache}, else {@value #CACHE_ENV}, else the
     * default; download progress on {@code progress} (a bar on a terminal, plain lines elsewhere), or none.
     *
     * @param cache {@code --cache} or null
     * @param progress where progress goes, or null for none
     * @return the options
     */
    public static ZooOptions options(Path cache, PrintWriter progress) {
        String env = System.getenv(CACHE_ENV);
        Path dir = cache != null ? cache : env != null && !env.isBlank() ? Path.of(env) : defaultCacheDir();
        ZooOptions o = ZooOptions.in(dir);
        return progress == null ? o : o.withListener(new ProgressListener(progress));
    }

    /** @return the CLI's default cache folder, {@code ~/.cache/tsm4j} (the user's home from {@code user.home}) */
    public static Path defaultCacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "tsm4j");
    }

    /** Download progress as a {@link ProgressDisplay} task per transfer. */
    static final class ProgressListener implements DownloadListener {
        private final PrintWriter out;
        private ProgressDisplay.Task task;

        ProgressListener(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void started(String id, String url, long offset, long total) {
            if (task != null) {
                task.close();
            }
            task = ProgressDisplay.start("download " + id + (offset > 0 ? " (resumed)" : ""), total,
                    ProgressDisplay.Unit.BYTES, out);
            task.stepTo(offset);
        }

        @Override
        public void progress(long done, long total) {
            if (task != null) {
                task.stepTo(done);
            }
        }

        @Override
        public void finished(String id, Path file) {
            if (task != null) {
                task.close();
                task = null;
            }
        }
    }

    /** {@code tsm zoo list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the catalogue: id, dataset, backbone, "
            + "frames, published top-1, weights size, cached or not.")
    public static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--all", description = "Also the entries tsm4j cannot load (non-local, flow, other backbones), with the reason.")
        boolean all;

        @Option(names = "--cache", paramLabel = "DIR", description = "Cache folder (default: $TSM4J_CACHE, else ~/.cache/tsm4j).")
        Path cache;

        @Override
        public Integer call() {
            list(Catalogue.builtIn(), options(cache, null), all, spec.commandLine().getOut());
            return 0;
        }
    }

    /**
     * Prints the catalogue as a table.
     *
     * @param catalogue the catalogue
     * @param options the cache to look into
     * @param all include entries that are not loadable
     * @param out where
     */
    static void list(Catalogue catalogue, ZooOptions options, boolean all, PrintWriter out) {
        ModelCache cache = new ModelCache(options);
        String fmt = "%-44s %-24s %-12s %6s %7s %8s %s%n";
        out.printf(Locale.ROOT, fmt, "ID", "DATASET", "BACKBONE", "FRAMES", "TOP-1", "SIZE", "CACHED");
        for (ZooEntry e : catalogue.entries()) {
            if (!e.loadable() && !all) {
                continue;
            }
            Double top1 = e.bestTop1();
            String size = e.parameters() == null ? "-" : String.format(Locale.ROOT, "%.0f MB", e.parameters() * 4 / 1e6);
            String cached = !e.loadable() ? "not loadable: " + e.reason() : cache.isCached(e) ? "yes" : "no";
            out.printf(Locale.ROOT, fmt, e.id(), e.dataset(), e.backbone(), e.segments(),
                    top1 == null ? "-" : String.format(Locale.ROOT, "%.2f", top1), size, cached);
        }
        out.printf(Locale.ROOT, "%nTOP-1: the best published figure (protocols differ: tsm zoo get ID shows them); SIZE: float32 "
                + "weights; cache %s%n", options.cacheDir());
        out.flush();
    }

    /** {@code tsm zoo get ID [--from FILE] [--out MODEL]}. */
    @Command(name = "get", mixinStandardHelpOptions = true, description = {
        "Download (or take from the cache, or from --from FILE), verify and import a pretrained model.",
        "Without network: download the URL by hand and pass the file with --from."})
    public static final class GetCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "Catalogue id (tsm zoo list).")
        String id;

        @Option(names = "--from", paramLabel = "FILE", description = "A checkpoint downloaded by hand: verified and cached.")
        Path from;

        @Option(names = {"-o", "--out"}, paramLabel = "MODEL", description = "Also save the model as a tsm4j zip.")
        Path out;

        @Option(names = "--cache", paramLabel = "DIR", description = "Cache folder (default: $TSM4J_CACHE, else ~/.cache/tsm4j).")
        Path cache;

        @Option(names = "--no-progress", description = "No download progress.")
        boolean noProgress;

        @Override
        public Integer call() throws IOException {
            ZooOptions o = options(cache, noProgress ? null : spec.commandLine().getErr());
            get(PretrainedModels.of(Catalogue.builtIn(), o), id, from, out, spec.commandLine().getOut());
            return 0;
        }
    }

    /**
     * Fetches, imports and describes one model.
     *
     * @param zoo the facade
     * @param id catalogue id
     * @param from hand-downloaded file or null
     * @param save model zip to write or null
     * @param out where the description goes
     * @return the model
     * @throws IOException on download, verification or import failures
     */
    static TsmModel get(PretrainedModels zoo, String id, Path from, Path save, PrintWriter out) throws IOException {
        ZooEntry e = zoo.catalogue().get(id);
        TsmModel m = from == null ? zoo.load(id) : zoo.loadFrom(id, from);
        out.printf(Locale.ROOT, "%s: %s, %s, %d frames, %d classes (%s)%n", e.id(), e.dataset(), e.backbone(), e.segments(),
                e.numClasses(), e.origin());
        out.printf(Locale.ROOT, "  file    %s%n  sha256  %s%n  url     %s%n", zoo.cache().fileFor(e), m.source().get("sha256"),
                e.urls().get(0));
        for (PublishedAccuracy p : e.published()) {
            out.printf(Locale.ROOT, "  top-1 %.2f%s  %s  [%s]%n", p.top1(),
                    p.top5() == null ? "" : String.format(Locale.ROOT, ", top-5 %.2f", p.top5()), p.protocol(), p.source());
        }
        for (String u : e.unverified()) {
            out.printf(Locale.ROOT, "  unverified: %s%n", u);
        }
        if (save != null) {
            m.save(save, false);
            out.printf(Locale.ROOT, "saved %s%n", save);
        }
        out.flush();
        return m;
    }
}
