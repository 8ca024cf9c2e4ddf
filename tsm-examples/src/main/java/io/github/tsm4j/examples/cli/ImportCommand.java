package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.importer.CheckpointImporter;
import io.github.tsm4j.models.importer.ImportOptions;
import io.github.tsm4j.models.importer.ImportResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tsm import CKPT --out model.zip}: converts a PyTorch checkpoint (official TSM, the online demo,
 * torchvision or mmaction2; legacy or zip format) into a tsm4j model zip, printing what it inferred.
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Import a PyTorch checkpoint (.pth/.pth.tar: official TSM, online demo, torchvision, mmaction2) as a tsm4j model.",
            "Backbone, classes, shift placement and temporal pooling come from the tensors; segments and fold divisor from "
                    + "the official file name (TSM_{dataset}_RGB_{arch}_shift{d}_{place}_avg_segment{T}_e{E}.pth); options override both.",
            "Only tensors and containers are unpickled (as torch.load(weights_only=True)); nothing in the file is executed.",
        },
        footer = {
            "",
            "Examples:",
            "  tsm import TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e50.pth --out tsm_r50_kinetics.zip --labels kinetics400.txt",
            "  tsm import mobilenetv2_jester_online.pth.tar --out jester_online.zip --labels jester.txt",
            "  tsm import resnet50-0676ba61.pth --out r50_init.zip --num-classes 174 --placement residual --segments 8",
        })
public final class ImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CKPT", description = "PyTorch checkpoint (.pth, .pth.tar).")
    Path checkpoint;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "MODEL", description = "Model zip to write.")
    Path out;

    @Option(names = "--segments", paramLabel = "T", description = "Frames per clip (default: from the file name, else 8).")
    Integer segments;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class labels, one per line (their count must match the classifier, "
            + "or sets it when the classifier is dropped).")
    Path labels;

    @Option(names = "--arch", paramLabel = "NAME", description = "Backbone (resnet18|34|50|101|152, mobilenetv2); must agree with the tensors.")
    String arch;

    @Option(names = "--fold-div", paramLabel = "D", description = "Shift fold divisor (default: shift{d} of the file name, else 8).")
    Integer foldDiv;

    @Option(names = "--placement", paramLabel = "P", description = "Shift placement: ${COMPLETION-CANDIDATES} (default: where the "
            + "checkpoint wraps modules in .net).")
    ShiftPlacement placement;

    @Option(names = "--temporal-pool", paramLabel = "BOOL", description = "Temporal pooling before layer2 (default: whether layer2 is wrapped).")
    Boolean temporalPool;

    @Option(names = "--num-classes", paramLabel = "K", description = "Classes; a different count drops the checkpoint's classifier.")
    Integer numClasses;

    @Option(names = "--input-size", paramLabel = "PX", description = "Network input side (default 224; scale side 8/7 of it).")
    Integer inputSize;

    @Override
    public Integer call() throws IOException {
        ImportOptions options = ImportOptions.defaults();
        if (segments != null) {
            options.segments(segments);
        }
        if (arch != null) {
            options.backbone(Backbone.fromName(arch));
        }
        if (foldDiv != null) {
            options.foldDiv(foldDiv);
        }
        if (placement != null) {
            options.placement(placement);
        }
        if (temporalPool != null) {
            options.temporalPool(temporalPool);
        }
        if (labels != null) {
            options.labels(readLabels(labels));
        }
        if (numClasses != null) {
            options.numClasses(numClasses);
        }
        if (inputSize != null) {
            options.inputSize(inputSize, Math.max(inputSize, Math.round(inputSize * 8f / 7f)));
        }
        ImportResult result = CheckpointImporter.importFile(checkpoint, options);
        PrintWriter w = spec.commandLine().getOut();
        w.println("imported " + checkpoint);
        for (String note : result.notes()) {
            w.println("  " + note);
        }
        if (!result.skipped().isEmpty()) {
            w.println("  not loaded: " + result.skipped());
        }
        result.model().save(out, false);
        w.println("config " + result.model().config());
        w.println("saved " + out);
        w.flush();
        return 0;
    }

    static List<String> readLabels(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip).toList();
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).isEmpty()) {
            end--;
        }
        List<String> labels = lines.subList(0, end);
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).isEmpty()) {
                throw new IllegalArgumentException("labels file " + file + " line " + (i + 1) + " is empty");
            }
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("labels file " + file + " has no labels");
        }
        return labels;
    }
}
