package io.github.tsm4j.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;

class TrainingWorkspacesTest {

    private static final int SIZE = 32;
    private static final int SEGMENTS = 2;

    /** A TSM-ResNet-18 of width 8 (shift in every block), NHWC, Nesterov + weight decay, as the demo trains. */
    private static ComputationGraph net(WorkspaceMode mode) {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 3).segments(SEGMENTS).inputSize(SIZE, SIZE)
                .baseWidth(8).dropout(0).dataFormat(CNN2DFormat.NHWC).build();
        ComputationGraphConfiguration conf = TsmNetworks.offline(config,
                TsmNetworks.defaultGlobals().updater(new Nesterovs(0.01, 0.9)).weightDecay(5e-4));
        conf.setTrainingWorkspaceMode(mode);
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static DataSet batch(int clips, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, clips, 3);
        for (int i = 0; i < clips; i++) {
            labels.putScalar(i, i % 3, 1f);
        }
        return new DataSet(Nd4j.randn(DataType.FLOAT, clips * SEGMENTS, 3, SIZE, SIZE), labels);
    }

    private static MemoryWorkspace activations() {
        return Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(TrainingWorkspaces.ACTIVATIONS);
    }

    /** Trains a fresh network on another thread (its own workspaces, learned by DL4J); params and learned size. */
    private static Object[] learnedElsewhere(List<DataSet> batches) throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            return other.submit(() -> {
                ComputationGraph g = net(WorkspaceMode.ENABLED);
                for (DataSet b : batches) {
                    g.fit(b);
                }
                long learned = activations().getCurrentSize();
                TrainingWorkspaces.release();
                return new Object[] {g.params().dup(), learned};
            }).get();
        } finally {
            other.shutdownNow();
        }
    }

    @BeforeEach
    @AfterEach
    void noWorkspacesOnThisThread() {
        TrainingWorkspaces.release();
    }

    /**
     * The size from DL4J's memory report is the size DL4J learns in its first step (so nothing spills), training
     * does not reallocate it or spill, and the trained parameters are those of a network that learned its
     * workspace.
     */
    @Test
    void presizedWorkspaceIsWhatDl4jLearnsAndTrainingIsUnchanged() throws Exception {
        List<DataSet> batches = List.of(batch(2, 1), batch(2, 2), batch(2, 3));
        Object[] twin = learnedElsewhere(batches);
        long learned = (long) twin[1];

        ComputationGraph g = net(WorkspaceMode.ENABLED);
        long size = TrainingWorkspaces.presize(g, batches.get(0).getFeatures());
        assertEquals(size, activations().getCurrentSize());
        long report = TrainingWorkspaces.activationBytes(g, InputType.convolutional(SIZE, SIZE, 3), 2 * SEGMENTS);
        assertTrue(Math.abs(size - report * 1.05) <= 2, "size " + size + " = 1.05 × " + report);
        assertTrue(size >= learned && size <= learned * 1.02 + 16384,
                "presized " + size + " bytes, DL4J learned " + learned);
        for (DataSet b : batches) {
            g.fit(b);
            assertEquals(size, activations().getCurrentSize(), "the workspace was reallocated");
            assertEquals(0, ((Nd4jWorkspace) activations()).getSpilledSize(), "allocations spilled");
        }
        assertEquals(twin[0], g.params(), "parameters after 3 steps, presized vs learned workspace");
    }

    /** A larger batch than the one presized for trains as without presizing (the excess outside the workspace). */
    @Test
    void aLargerBatchStillTrainsTheSame() throws Exception {
        List<DataSet> batches = List.of(batch(1, 4), batch(3, 5), batch(3, 6));
        Object[] twin = learnedElsewhere(batches);
        ComputationGraph g = net(WorkspaceMode.ENABLED);
        long size = TrainingWorkspaces.presize(g, batches.get(0).getFeatures());
        for (DataSet b : batches) {
            g.fit(b);
        }
        assertEquals(size, activations().getCurrentSize());
        assertEquals(twin[0], g.params());
    }

    @Test
    void nothingIsCreatedWithoutTrainingWorkspacesOrWhenTheWorkspaceExists() {
        DataSet b = batch(2, 1);
        assertEquals(0, TrainingWorkspaces.presize(net(WorkspaceMode.NONE), b.getFeatures()));
        assertFalse(Nd4j.getWorkspaceManager().checkIfWorkspaceExists(TrainingWorkspaces.ACTIVATIONS));

        ComputationGraph g = net(WorkspaceMode.ENABLED);
        long size = TrainingWorkspaces.presize(g, batch(1, 1).getFeatures());
        assertEquals(size, TrainingWorkspaces.presize(g, batch(3, 1).getFeatures()), "an existing workspace is kept");
        assertEquals(size, activations().getCurrentSize());

        long freed = TrainingWorkspaces.release();
        assertTrue(freed >= size, "freed " + freed + " of at least " + size);
        assertFalse(Nd4j.getWorkspaceManager().checkIfWorkspaceExists(TrainingWorkspaces.ACTIVATIONS));
        assertEquals(0, TrainingWorkspaces.release());
    }

    /** Trainer presizes before its first minibatch (nothing spills in any step) and releases at the end. */
    @Test
    void trainerPresizesAndReleases() throws Exception {
        List<DataSet> data = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            data.add(batch(2, 10 + i));
        }
        ComputationGraph g = net(WorkspaceMode.ENABLED);
        long expected = (long) (TrainingWorkspaces.activationBytes(g, InputType.convolutional(SIZE, SIZE, 3),
                2 * SEGMENTS) * (1 + TrainingWorkspaces.OVERALLOCATION));
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 3).segments(SEGMENTS).inputSize(SIZE, SIZE)
                .baseWidth(8).dropout(0).dataFormat(CNN2DFormat.NHWC).build();
        List<String> seen = new ArrayList<>();
        TrainingRecipe recipe = TrainingRecipe.builder().epochs(2).batchSize(2).learningRate(0.01)
                .referenceBatchSize(2).lrSteps(List.of(1)).weightDecay(5e-4).seed(7).build();
        Trainer.builder(TsmModel.wrap(g, config, List.of("a", "b", "c")), recipe)
                .progress(new TrainingProgress() {
                    @Override
                    public void batchDone(int epoch, int batch, double loss, double accuracy, double clipsPerSecond) {
                        seen.add(activations().getCurrentSize() + "/" + ((Nd4jWorkspace) activations()).getSpilledSize());
                    }
                }).build().fit(new InMemoryIterator(data, 1));
        assertEquals(java.util.Collections.nCopies(8, expected + "/0"), seen);
        assertFalse(Nd4j.getWorkspaceManager().checkIfWorkspaceExists(TrainingWorkspaces.ACTIVATIONS),
                "released after the run");
    }

    @Test
    void errorsNameTheValue() {
        ComputationGraph g = net(WorkspaceMode.ENABLED);
        assertEquals("TrainingWorkspaces: features must be [N·T, C, H, W] (rank 4, NCHW), found shape [4, 3, 32]",
                assertThrows(IllegalArgumentException.class,
                        () -> TrainingWorkspaces.presize(g, Nd4j.zeros(4, 3, 32))).getMessage());
        assertEquals("TrainingWorkspaces: examples must be 1 to 2147483647, found 0",
                assertThrows(IllegalArgumentException.class, () -> TrainingWorkspaces.activationBytes(g,
                        InputType.convolutional(SIZE, SIZE, 3), 0)).getMessage());
    }
}
