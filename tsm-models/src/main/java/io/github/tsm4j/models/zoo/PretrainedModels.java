package io.github.tsm4j.models.zoo;

import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.importer.CheckpointImporter;
import io.github.tsm4j.models.importer.ImportOptions;
import io.github.tsm4j.models.importer.ImportResult;
import io.github.tsm4j.models.importer.StateDictMismatchException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * From a catalogue id to a ready {@link TsmModel}: fetch (or take from the cache, or from a file the user
 * downloaded), verify, import with the catalogue's settings (no flags), attach the label list and the provenance.
 *
 * <pre>{@code
 * TsmModel m = PretrainedModels.load("tsm-r50-kinetics400-8f", ZooOptions.in(Path.of("models")));
 * TsmModel offline = PretrainedModels.load("tsm-r50-kinetics400-8f", Path.of("TSM_kinetics_…_e50.pth"), ZooOptions.in(Path.of("models")));
 * }</pre>
 *
 * <p>The model's {@link TsmModel#source()} (saved as provenance) holds {@code zooId}, {@code origin},
 * {@code url}, {@code sha256}, {@code dataset}, {@code labels} (list id and source) and {@code published}
 * (top-1/top-5, protocol, source), besides the importer's entries. An online entry
 * ({@link ModelKind#ONLINE_RECOGNIZER}) comes as the offline network with the uni-directional shift: stream it
 * with {@code TsmStreamingModel.of(model, streams)}.
 */
public final class PretrainedModels {
    private final Catalogue catalogue;
    private final ZooOptions options;
    private final ModelCache cache;

    private PretrainedModels(Catalogue catalogue, ZooOptions options) {
        this.catalogue = catalogue;
        this.options = options;
        this.cache = new ModelCache(options);
    }

    /**
     * @param catalogue the catalogue ({@link Catalogue#builtIn()} or an extended copy)
     * @param options cache and download settings
     * @return the facade
     */
    public static PretrainedModels of(Catalogue catalogue, ZooOptions options) {
        return new PretrainedModels(catalogue, options);
    }

    /**
     * The pretrained model of a built-in catalogue id, downloaded into the cache on first use.
     *
     * @param id catalogue id, e.g. {@code tsm-r50-kinetics400-8f}
     * @param options cache and download settings
     * @return the model with labels and provenance
     * @throws UnknownModelException for an unknown id (close matches listed)
     * @throws DownloadException when the file cannot be downloaded (names the URL and the {@code --from} route)
     * @throws ChecksumMismatchException when the file's SHA-256 is not the catalogue's
     * @throws CatalogueMismatchException when the checkpoint's tensors do not fit the entry
     * @throws IOException when the cache cannot be written or the file read
     */
    public static TsmModel load(String id, ZooOptions options) throws IOException {
        return of(Catalogue.builtIn(), options).load(id);
    }

    /**
     * The pretrained model of a built-in catalogue id from a file downloaded by hand (verified, then cached).
     *
     * @param id catalogue id
     * @param file the downloaded checkpoint
     * @param options cache settings
     * @return the model with labels and provenance
     * @throws IOException as {@link #load(String, ZooOptions)}
     */
    public static TsmModel load(String id, Path file, ZooOptions options) throws IOException {
        return of(Catalogue.builtIn(), options).loadFrom(id, file);
    }

    /** @return the catalogue */
    public Catalogue catalogue() {
        return catalogue;
    }

    /** @return the cache */
    public ModelCache cache() {
        return cache;
    }

    /**
     * @param id catalogue id
     * @return the model (see {@link #load(String, ZooOptions)})
     * @throws IOException as there
     */
    public TsmModel load(String id) throws IOException {
        ZooEntry e = catalogue.get(id);
        e.requireLoadable();
        Path file = cache.fetch(e);
        return importEntry(e, file);
    }

    /**
     * @param id catalogue id
     * @param file a checkpoint downloaded by hand; verified and copied into the cache
     * @return the model
     * @throws IOException as {@link #load(String, ZooOptions)}
     */
    public TsmModel loadFrom(String id, Path file) throws IOException {
        ZooEntry e = catalogue.get(id);
        e.requireLoadable();
        Path cached = cache.put(e, file);
        return importEntry(e, cached);
    }

    /**
     * Downloads (or verifies the cached copy of) an entry's file without importing it.
     *
     * @param id catalogue id
     * @return the cached file
     * @throws IOException as {@link ModelCache#fetch}
     */
    public Path fetch(String id) throws IOException {
        ZooEntry e = catalogue.get(id);
        if (e.urls().isEmpty()) {
            throw new IllegalStateException("model '" + id + "' has no download: " + e.reason());
        }
        return cache.fetch(e);
    }

    /**
     * @param id catalogue id
     * @return whether its file is in the cache (see {@link ModelCache#isCached})
     */
    public boolean isCached(String id) {
        return cache.isCached(catalogue.get(id));
    }

    /**
     * Training initialisation as in the official recipe: the ImageNet weights of an
     * {@link ModelKind#IMAGENET_BACKBONE} entry in the backbone of a new network, the classifier new.
     *
     * @param id an ImageNet backbone id, e.g. {@code torchvision-resnet50-imagenet}
     * @param target the network to train (its backbone must be the entry's)
     * @param labels the training classes ({@code target.numClasses()} of them)
     * @return a model of {@code target} with the backbone's weights and a freshly initialised {@code fc}
     * @throws IOException as {@link #load(String)}
     */
    public TsmModel initialise(String id, TsmConfig target, List<String> labels) throws IOException {
        ZooEntry e = catalogue.get(id);
        e.requireLoadable();
        if (e.kind() != ModelKind.IMAGENET_BACKBONE) {
            throw new IllegalArgumentException("model '" + id + "' is a " + e.kind() + ", not an ImageNet backbone (ids: "
                    + catalogue.entries().stream().filter(x -> x.kind() == ModelKind.IMAGENET_BACKBONE).map(ZooEntry::id).toList() + ")");
        }
        if (e.tsmBackbone() != target.backbone()) {
            throw new IllegalArgumentException("model '" + id + "' holds " + e.tsmBackbone() + " weights but the network to train is "
                    + target.backbone());
        }
        Path file = cache.fetch(e);
        TsmModel model = initialiseFromFile(file, target, labels);
        Map<String, Object> source = new LinkedHashMap<>(model.source());
        source.putAll(zooSource(e, cache.recordedSha256(e)));
        return model.withSource(source);
    }

    /**
     * Training initialisation from an ImageNet checkpoint file (torchvision layout): backbone weights copied, the
     * classifier fresh.
     *
     * @param file a torchvision {@code .pth} of {@code target.backbone()}
     * @param target the network to train
     * @param labels the training classes
     * @return the model
     * @throws IOException when the file cannot be read
     */
    public static TsmModel initialiseFromFile(Path file, TsmConfig target, List<String> labels) throws IOException {
        int k = labels.size();
        ImportOptions opt = ImportOptions.defaults().backbone(target.backbone()).placement(target.placement())
                .foldDiv(target.foldDiv()).temporalPool(target.temporalPool()).segments(target.segments())
                .inputSize(target.input().cropSize(), target.input().scaleSize())
                .normalisation(target.input().mean(), target.input().std())
                .numClasses(k).labels(labels);
        ImportResult imported = CheckpointImporter.importFile(file, opt);
        TsmModel fresh = TsmModel.create(target.toBuilder().numClasses(k).build(), labels);
        copyBackbone(imported.model().graph(), fresh.graph());
        Map<String, Object> source = new LinkedHashMap<>(imported.model().source());
        source.put("init", "ImageNet backbone weights; classifier fc initialised afresh for " + k + " classes");
        return fresh.withSource(source);
    }

    private static void copyBackbone(ComputationGraph from, ComputationGraph to) {
        Map<String, INDArray> source = from.paramTable();
        for (Map.Entry<String, INDArray> p : to.paramTable().entrySet()) {
            if (p.getKey().startsWith(io.github.tsm4j.models.TsmNetworks.FC + "_")) {
                continue;
            }
            INDArray src = source.get(p.getKey());
            if (src == null || !java.util.Arrays.equals(src.shape(), p.getValue().shape())) {
                throw new IllegalArgumentException("ImageNet checkpoint lacks parameter '" + p.getKey() + "' of shape "
                        + java.util.Arrays.toString(p.getValue().shape()));
            }
            p.getValue().assign(src);
        }
    }

    /** Imports a verified file with the entry's settings and checks what the tensors say against the entry. */
    TsmModel importEntry(ZooEntry e, Path file) throws IOException {
        List<String> labels = e.labels() == null ? TsmModel.defaultLabels(e.numClasses()) : catalogue.labels(e.labels());
        if (labels.size() != e.numClasses()) {
            throw new IllegalArgumentException("model '" + e.id() + "' has a classifier for " + e.numClasses()
                    + " classes but its label list '" + e.labels() + "' has " + labels.size() + " labels");
        }
        TsmConfig expected = e.config();
        ImportOptions opt = ImportOptions.defaults().backbone(expected.backbone()).placement(e.placement())
                .temporalPool(e.temporalPool()).segments(e.segments()).foldDiv(e.foldDiv())
                .inputSize(e.cropSize(), e.scaleSize()).normalisation(e.mean(), e.std()).labels(labels).keepClassifier().strict();
        ImportResult r;
        try {
            r = CheckpointImporter.importFile(file, opt);
        } catch (StateDictMismatchException m) {
            String first = !m.unexpected().isEmpty() ? m.unexpected().get(0)
                    : !m.wrongShape().isEmpty() ? m.wrongShape().get(0) : m.missing().get(0);
            throw new CatalogueMismatchException("checkpoint " + file.getFileName() + " does not match catalogue entry '"
                    + e.id() + "': first mismatching key " + first + " (" + m.getMessage() + ")", first, m);
        } catch (IllegalArgumentException m) {
            throw new CatalogueMismatchException("checkpoint " + file.getFileName() + " does not match catalogue entry '"
                    + e.id() + "': " + m.getMessage(), "", m);
        }
        TsmConfig got = r.model().config();
        mismatch(e, file, "direction", expected.direction(), got.direction());
        mismatch(e, file, "baseWidth", expected.baseWidth(), got.baseWidth());
        Map<String, Object> source = new LinkedHashMap<>(r.model().source());
        source.putAll(zooSource(e, cache.isCached(e) ? cache.recordedSha256(e) : ModelCache.sha256(file)));
        return r.model().withSource(source);
    }

    private static void mismatch(ZooEntry e, Path file, String field, Object expected, Object got) {
        if (!expected.equals(got)) {
            throw new CatalogueMismatchException("checkpoint " + file.getFileName() + " does not match catalogue entry '"
                    + e.id() + "': its tensors give " + field + " " + got + ", the entry says " + expected, field, null);
        }
    }

    private Map<String, Object> zooSource(ZooEntry e, String sha) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("zooId", e.id());
        s.put("origin", e.origin().toString());
        s.put("url", e.urls().isEmpty() ? null : e.urls().get(0));
        s.put("sha256", sha);
        s.put("dataset", e.dataset());
        if (e.labels() != null) {
            s.put("labels", Map.of("id", e.labels(), "source", catalogue.labelList(e.labels()).source()));
        }
        s.put("published", e.published().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("top1", p.top1());
            if (p.top5() != null) {
                m.put("top5", p.top5());
            }
            m.put("protocol", p.protocol());
            m.put("source", p.source());
            return m;
        }).toList());
        if (!e.unverified().isEmpty()) {
            s.put("unverified", e.unverified());
        }
        return s;
    }
}
