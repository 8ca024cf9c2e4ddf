package io.github.tsm4j.models.zoo;

import java.nio.file.Path;

/** A second program fetching into the same cache (run as a child JVM by {@link PretrainedModelsTest}). */
public final class FetchMain {
    private FetchMain() {
    }

    /**
     * @param args cache folder, URL, file name, SHA-256
     * @throws Exception on failure (exit code 1)
     */
    public static void main(String[] args) throws Exception {
        ZooEntry e = ZooEntry.builder("test-r18", "resnet18", 5).placement(io.github.tsm4j.models.ShiftPlacement.IN_PLACE)
                .foldDiv(4).temporalPool(true).segments(4).inputSize(32, 32).baseWidth(4).dataset("fixture", null)
                .kind(ModelKind.IMAGENET_BACKBONE).url(args[1]).fileName(args[2]).sha256(args[3]).build();
        Path file = new ModelCache(ZooOptions.in(Path.of(args[0]))).fetch(e);
        System.out.println("fetched " + ModelCache.sha256(file));
    }
}
