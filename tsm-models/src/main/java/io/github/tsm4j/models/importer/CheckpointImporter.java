package io.github.tsm4j.models.importer;

import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a PyTorch checkpoint into a {@link TsmModel}: reads it ({@link TorchCheckpoint}), detects its
 * {@link KeyLayout}, renames its keys to torchvision module paths, infers the {@link TsmConfig} and copies the
 * weights.
 *
 * <p>Inference, in decreasing priority: the caller's {@link ImportOptions}; the tensors (backbone from the
 * blocks per stage and the block type, ResNet width from {@code conv1}, classes from the classifier, placement
 * from where {@code .net} wrappers sit, temporal pooling from {@code layer2.net}); the official file name
 * ({@link CheckpointHint}: segments and fold divisor, which no tensor records); the defaults (8 segments, fold
 * divisor 8, ImageNet 224/256 input). The online demo checkpoint gets a {@link ShiftDirection#UNIDIRECTIONAL}
 * shift (use it through {@code TsmStreamingModel.of}).
 */
public final class CheckpointImporter {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointImporter.class);
    private static final Pattern BLOCK_KEY = Pattern.compile("layer([1-4])\\.(\\d+)\\.conv1\\.weight");
    /** torchvision MobileNetV2 blocks that expand and keep a residual connection: where TSM shifts. */
    static final Set<String> MBV2_SHIFTED = Set.of("features.3", "features.5", "features.6", "features.8", "features.9",
            "features.10", "features.12", "features.13", "features.15", "features.16");

    private CheckpointImporter() {
    }

    /**
     * Reads and imports a checkpoint file.
     *
     * @param file a {@code .pth}/{@code .pth.tar}
     * @param options the caller's overrides
     * @return the model, the layout and the inference notes
     * @throws IOException if the file cannot be read (see {@link TorchCheckpoint#read})
     * @throws StateDictMismatchException if the tensors do not fit the inferred or requested network
     * @throws IllegalArgumentException if no network can be inferred
     */
    public static ImportResult importFile(Path file, ImportOptions options) throws IOException {
        ImportResult r = importCheckpoint(TorchCheckpoint.read(file), options);
        java.util.Map<String, Object> source = new java.util.LinkedHashMap<>(r.model().source());
        source.put("sha256", sha256(file));
        return new ImportResult(r.model().withSource(source), r.layout(), r.notes(), r.skipped());
    }

    /** Hex SHA-256 of a file, read in 1 MiB blocks. */
    static String sha256(Path file) throws IOException {
        java.security.MessageDigest digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            byte[] block = new byte[1 << 20];
            for (int n; (n = in.read(block)) > 0; ) {
                digest.update(block, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Imports a checkpoint that has been read.
     *
     * @param ckpt the checkpoint
     * @param options the caller's overrides
     * @return the model, the layout and the inference notes
     */
    public static ImportResult importCheckpoint(TorchCheckpoint ckpt, ImportOptions options) {
        List<String> notes = new ArrayList<>();
        notes.add("format " + ckpt.format());
        ckpt.epoch().ifPresent(e -> notes.add("checkpoint epoch " + e
                + ckpt.bestPrec1().stream().mapToObj(p -> ", best_prec1 " + p).findFirst().orElse("")));
        ImportResult r = importStateDict(ckpt.path(), ckpt.stateDict(), ckpt.arch(), options, notes);
        // the provenance's source (TsmModel.save writes it): which checkpoint, how it was read
        java.util.Map<String, Object> source = new java.util.LinkedHashMap<>();
        source.put("imported", ckpt.path().getFileName().toString());
        source.put("format", ckpt.format().toString());
        source.put("layout", r.layout().toString());
        ckpt.arch().ifPresent(a -> source.put("arch", a));
        ckpt.epoch().ifPresent(e -> source.put("checkpointEpoch", e));
        ckpt.bestPrec1().ifPresent(p -> source.put("bestPrec1", p));
        if (!r.skipped().isEmpty()) {
            source.put("notLoaded", r.skipped());
        }
        return new ImportResult(r.model().withSource(source), r.layout(), r.notes(), r.skipped());
    }

    /**
     * Imports a state dict (keys without {@code module.}).
     *
     * @param file where it came from (its name is the hint; messages name it)
     * @param stateDict the tensors
     * @param arch the wrapper's {@code arch} entry, if any
     * @param options the caller's overrides
     * @param notes notes so far (appended to)
     * @return the model, the layout and the inference notes
     */
    static ImportResult importStateDict(Path file, java.util.Map<String, TorchTensor> stateDict, Optional<String> arch,
            ImportOptions options, List<String> notes) {
        KeyLayout layout = KeyLayout.detect(stateDict.keySet());
        notes.add("key layout " + layout + ", " + stateDict.size() + " tensors");
        CanonicalStateDict sd = CanonicalStateDict.of(layout, stateDict);
        String fileName = file.getFileName().toString();
        Optional<CheckpointHint> hint = CheckpointHint.parse(fileName);
        hint.ifPresent(h -> notes.add("file name hint: " + h));

        // backbone
        Backbone inferred = inferBackbone(sd);
        Backbone backbone = options.backbone().orElse(inferred);
        notes.add("backbone " + backbone + (options.backbone().isPresent() ? " (given)" : " (from the tensors)"));
        String archName = arch.orElse(hint.map(CheckpointHint::arch).orElse(null));
        if (archName != null && !archName.equalsIgnoreCase(inferred.archName())) {
            notes.add("warning: checkpoint says arch '" + archName + "' but the tensors are " + inferred.archName());
        }
        int baseWidth = backbone.isResNet() && sd.tensors().containsKey("conv1.weight")
                ? Math.toIntExact(sd.tensors().get("conv1.weight").shape()[0]) : TsmConfig.DEFAULT_BASE_WIDTH;
        if (backbone.isResNet() && baseWidth != TsmConfig.DEFAULT_BASE_WIDTH) {
            notes.add("ResNet stem width " + baseWidth + " (narrow variant)");
        }

        // classifier
        TorchTensor fcWeight = sd.tensors().get("fc.weight");
        int ckptClasses = fcWeight == null ? -1 : Math.toIntExact(fcWeight.shape()[0]);
        int classes = options.numClasses().orElse(ckptClasses);
        if (classes < 1) {
            throw new IllegalArgumentException("checkpoint " + file + " has no classifier (fc/new_fc/classifier/cls_head.fc_cls):"
                    + " give the number of classes");
        }
        Set<String> skip = new java.util.LinkedHashSet<>();
        if (ckptClasses != classes && options.keepsClassifier()) {
            throw new IllegalArgumentException("checkpoint " + file.getFileName() + " has a classifier for " + ckptClasses
                    + " classes but the label list has " + classes + " labels");
        }
        if (ckptClasses != classes) {
            sd.tensors().keySet().stream().filter(k -> k.startsWith("fc.")).forEach(skip::add);
            notes.add(ckptClasses < 0 ? "no classifier in the checkpoint: fc initialised randomly for " + classes + " classes"
                    : "classifier dropped (" + ckptClasses + " classes in the checkpoint, " + classes
                            + " requested): fc initialised randomly");
        } else {
            notes.add(classes + " classes (from the classifier)");
        }

        // shift
        if (!sd.residualShifts().isEmpty() && !sd.inPlaceShifts().isEmpty()) {
            throw new IllegalArgumentException("checkpoint " + file + " wraps both convs " + sd.residualShifts()
                    + " and whole blocks " + sd.inPlaceShifts() + ": mixed shift placements are not a TSM variant");
        }
        ShiftPlacement fromTensors = layout == KeyLayout.ONLINE_DEMO ? ShiftPlacement.RESIDUAL
                : !sd.inPlaceShifts().isEmpty() ? ShiftPlacement.IN_PLACE
                : !sd.residualShifts().isEmpty() ? ShiftPlacement.RESIDUAL : ShiftPlacement.NONE;
        ShiftPlacement placement = options.placement().orElse(fromTensors);
        notes.add("placement " + placement + (options.placement().isPresent() ? " (given)"
                : layout == KeyLayout.ONLINE_DEMO ? " (the online demo shifts 10 blocks)" : " (from the .net wrappers)"));
        if (options.placement().isEmpty() && layout != KeyLayout.ONLINE_DEMO && placement != ShiftPlacement.NONE) {
            checkShiftedBlocks(file, backbone, placement, placement == ShiftPlacement.IN_PLACE ? sd.inPlaceShifts()
                    : sd.residualShifts(), sd);
        }
        boolean tpool = options.temporalPool().orElse(sd.temporalPool());
        if (tpool) {
            notes.add("temporal pooling before layer2" + (options.temporalPool().isPresent() ? " (given)" : " (layer2 is wrapped)"));
        }
        int segments = options.segments().orElse(hint.map(CheckpointHint::segments).orElse(TsmConfig.DEFAULT_SEGMENTS));
        notes.add("segments " + segments + source(options.segments().isPresent(), hint.isPresent()));
        int defaultFoldDiv = placement == ShiftPlacement.NONE && backbone.isResNet()
                ? Math.min(TsmConfig.DEFAULT_FOLD_DIV, baseWidth) : TsmConfig.DEFAULT_FOLD_DIV;
        int foldDiv = options.foldDiv().orElse(hint.flatMap(CheckpointHint::foldDiv).orElse(defaultFoldDiv));
        if (placement != ShiftPlacement.NONE) {
            notes.add("fold divisor " + foldDiv + source(options.foldDiv().isPresent(), hint.flatMap(CheckpointHint::foldDiv).isPresent()));
        }
        ShiftDirection direction = layout == KeyLayout.ONLINE_DEMO ? ShiftDirection.UNIDIRECTIONAL : ShiftDirection.BIDIRECTIONAL;
        if (hint.isPresent() && hint.get().placement() != fromTensors && layout == KeyLayout.OFFICIAL_TSM) {
            notes.add("warning: the file name says placement " + hint.get().placement() + " but the tensors say " + fromTensors);
        }

        TsmConfig config = TsmConfig.builder(backbone, classes)
                .input(options.input(segments))
                .placement(placement)
                .foldDiv(foldDiv)
                .direction(direction)
                .temporalPool(tpool)
                .baseWidth(baseWidth)
                .build();
        List<String> labels = options.labels().orElse(TsmModel.defaultLabels(classes));
        TsmModel model = TsmModel.create(config, labels);
        String network = "TSM " + backbone + " (width " + baseWidth + ", placement " + placement + ", " + classes + " classes)";
        int loaded = WeightLoader.load(model.graph(), sd, skip, network);
        notes.add(loaded + " tensors loaded");
        if (options.isStrict() && layout != KeyLayout.ONLINE_DEMO) {
            if (placement != fromTensors) {
                throw new IllegalArgumentException("the tensors give placement " + fromTensors + " but " + placement
                        + " was requested");
            }
            if (tpool != sd.temporalPool()) {
                throw new IllegalArgumentException("the tensors give temporal pooling " + sd.temporalPool() + " but "
                        + tpool + " was requested");
            }
            if (placement != ShiftPlacement.NONE) {
                checkShiftedBlocks(file, backbone, placement, placement == ShiftPlacement.IN_PLACE ? sd.inPlaceShifts()
                        : sd.residualShifts(), sd);
            }
        }
        for (String n : notes) {
            if (n.startsWith("warning")) {
                LOG.warn("{}: {}", fileName, n);
            } else {
                LOG.debug("{}: {}", fileName, n); // the notes travel in the result; callers print them
            }
        }
        return new ImportResult(model, layout, notes, skip.stream().map(k -> sd.originalKeys().getOrDefault(k, k)).toList());
    }

    private static String source(boolean given, boolean fromName) {
        return given ? " (given)" : fromName ? " (from the file name)" : " (default)";
    }

    /** Backbone from the tensors: ResNet depth from the blocks per stage and the block type, or MobileNetV2. */
    static Backbone inferBackbone(CanonicalStateDict sd) {
        if (sd.tensors().containsKey("features.0.0.weight")) {
            return Backbone.MOBILENET_V2;
        }
        if (!sd.tensors().containsKey("conv1.weight")) {
            throw new IllegalArgumentException("cannot tell the backbone: neither conv1.weight (ResNet) nor "
                    + "features.0.0.weight (MobileNetV2) among " + sd.tensors().keySet().stream().limit(6).toList());
        }
        int[] blocks = new int[4];
        for (String k : sd.tensors().keySet()) {
            Matcher m = BLOCK_KEY.matcher(k);
            if (m.matches()) {
                int stage = Integer.parseInt(m.group(1)) - 1;
                blocks[stage] = Math.max(blocks[stage], Integer.parseInt(m.group(2)) + 1);
            }
        }
        boolean bottleneck = sd.tensors().containsKey("layer1.0.conv3.weight");
        for (Backbone b : Backbone.values()) {
            if (b.isResNet() && b.bottleneck() == bottleneck && Arrays.equals(b.blocksPerStage(), blocks)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no ResNet with " + (bottleneck ? "Bottleneck" : "BasicBlock") + " blocks "
                + Arrays.toString(blocks) + " per stage (known: resnet18/34/50/101/152)");
    }

    private static void checkShiftedBlocks(Path file, Backbone backbone, ShiftPlacement placement, Set<String> found,
            CanonicalStateDict sd) {
        Set<String> expected = new TreeSet<>();
        if (backbone.isResNet()) {
            int[] stages = backbone.blocksPerStage();
            int every = placement == ShiftPlacement.RESIDUAL && stages[2] >= 23 ? 2 : 1;
            for (int s = 0; s < 4; s++) {
                for (int b = 0; b < stages[s]; b += every) {
                    expected.add("layer" + (s + 1) + "." + b);
                }
            }
        } else {
            expected.addAll(MBV2_SHIFTED);
        }
        if (!expected.equals(found)) {
            Set<String> onlyCkpt = new TreeSet<>(found);
            onlyCkpt.removeAll(expected);
            Set<String> onlyNet = new TreeSet<>(expected);
            onlyNet.removeAll(found);
            throw new IllegalArgumentException("checkpoint " + file + " shifts a different set of blocks than TSM " + backbone
                    + " with placement " + placement + ": only in the checkpoint " + onlyCkpt + ", only in the network " + onlyNet);
        }
    }
}
