package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.train.EpochRecord;
import io.github.tsm4j.models.train.TrainingProgress;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Renders a {@link TrainingProgress} as one {@link ProgressDisplay} task per epoch (loss, accuracy, clips/s) on
 * the error stream — a bar on a terminal, plain periodic lines in a pipe or CI log — and one summary line per
 * epoch on the command's output.
 */
final class ConsoleProgress implements TrainingProgress {
    private final String name;
    private final int batchesPerEpoch;
    private final PrintStream bars;
    private final PrintWriter out;
    private ProgressDisplay.Task bar;

    /**
     * @param name task name shown before the bar
     * @param batchesPerEpoch minibatches per epoch (bar length)
     * @param bars stream for the progress, or null for none (tests, non-interactive runs)
     * @param out summary lines
     */
    ConsoleProgress(String name, int batchesPerEpoch, PrintStream bars, PrintWriter out) {
        this.name = name;
        this.batchesPerEpoch = batchesPerEpoch;
        this.bars = bars;
        this.out = out;
    }

    @Override
    public void epochStarted(int epoch, int epochs) {
        if (bars != null) {
            bar = ProgressDisplay.start(String.format(Locale.ROOT, "%s %d/%d", name, epoch, epochs), batchesPerEpoch,
                    ProgressDisplay.Unit.ITEMS, bars);
        }
    }

    @Override
    public void batchDone(int epoch, int batch, double loss, double accuracy, double clipsPerSecond) {
        if (bar != null) {
            bar.extra(String.format(Locale.ROOT, " loss %.3f acc %.2f %.1f clips/s", loss, accuracy, clipsPerSecond));
            bar.stepTo(batch);
        }
    }

    @Override
    public void epochDone(EpochRecord r) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.printf(Locale.ROOT, "%s epoch %d: loss %.4f  train acc %.3f%s  %.1f clips/s  %.1f s%n", name, r.epoch(),
                r.loss(), r.trainAccuracy(),
                r.valTop1() == null ? "" : String.format(Locale.ROOT, "  val top-1 %.3f", r.valTop1()),
                r.clipsPerSecond(), r.seconds());
        out.flush();
    }
}
