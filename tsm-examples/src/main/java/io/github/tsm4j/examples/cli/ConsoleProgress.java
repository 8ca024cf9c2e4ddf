package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.train.EpochRecord;
import io.github.tsm4j.models.train.TrainingProgress;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Renders a {@link TrainingProgress} as one progress bar per epoch (loss, accuracy, clips/s) on the
 * error stream, and one summary line per epoch on the command's output.
 */
final class ConsoleProgress implements TrainingProgress {
    private final String name;
    private final int batchesPerEpoch;
    private final PrintStream bars;
    private final PrintWriter out;
    private ProgressBar bar;

    /**
     * @param name task name shown before the bar
     * @param batchesPerEpoch minibatches per epoch (bar length)
     * @param bars stream for the bars, or null for none (tests, non-interactive runs)
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
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "%s %d/%d", name, epoch, epochs))
                    .setInitialMax(batchesPerEpoch).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(bars)).build();
        }
    }

    @Override
    public void batchDone(int epoch, int batch, double loss, double accuracy, double clipsPerSecond) {
        if (bar != null) {
            bar.stepTo(batch);
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f acc %.2f %.1f clips/s", loss, accuracy,
                    clipsPerSecond));
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
