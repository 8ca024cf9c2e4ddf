package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ShiftDirection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The code example of docs/models.md, compiled and run (keep the two in sync). */
class ModelsDocExampleTest {

    // --- docs/models.md example begins ---
    static List<Prediction> example(Path dir) throws IOException {
        List<String> labels = List.of("pushing", "pulling", "waving");
        // a small TSM-ResNet-18 (the paper's model: TsmConfig.builder(Backbone.RESNET50, 174).build())
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, labels.size())
                .segments(4)              // T frames per clip
                .inputSize(32, 36)        // crop 32, scale 36
                .baseWidth(16)            // narrow: 1/4 of torchvision's widths
                .build();                 // RESIDUAL shift, 1/8 each way, AVG consensus, dropout 0.5
        TsmModel model = TsmModel.create(config, labels);

        INDArray clips = Nd4j.rand(DataType.FLOAT, 2 * 4, 3, 32, 32);  // 2 videos × 4 frames, NCHW
        INDArray probabilities = model.output(clips);                    // [2, 3]

        Path file = dir.resolve("tsm-r18.zip");
        model.save(file, false);                                         // config + labels inside the zip
        TsmModel loaded = TsmModel.load(file);

        // online: a uni-directional MobileNetV2, one frame at a time for 2 camera streams
        TsmConfig online = TsmConfig.builder(Backbone.MOBILENET_V2, labels.size())
                .segments(4).inputSize(32, 36)
                .direction(ShiftDirection.UNIDIRECTIONAL).consensus(ConsensusMode.IDENTITY).build();
        TsmStreamingModel stream = TsmStreamingModel.of(TsmModel.create(online, labels), 2);
        INDArray logits = stream.step(Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32)); // [2, 3] per-frame logits
        stream.reset(1);                                                   // stream 1 starts a new video

        return loaded.predict(clips.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)), 2);
    }
    // --- docs/models.md example ends ---

    @Test
    void docExampleRunsAndPredictsTwoLabels(@TempDir Path dir) throws IOException {
        List<Prediction> top = example(dir);
        assertEquals(2, top.size());
        assertArrayEquals(new boolean[] {true, true},
                new boolean[] {top.get(0).probability() >= top.get(1).probability(),
                        List.of("pushing", "pulling", "waving").contains(top.get(0).label())});
    }
}
