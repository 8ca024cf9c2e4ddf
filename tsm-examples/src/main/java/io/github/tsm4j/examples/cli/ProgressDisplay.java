package io.github.tsm4j.examples.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress that fits where it is shown: a redrawn bar on a terminal; on a pipe, a file or a CI log (no console,
 * or {@code CI=true}) plain lines at most every {@link #LINE_INTERVAL} and one at the end, each with the
 * percentage, the rate and the time left, never a {@code \r} frame.
 *
 * <p>Used by every long command of the CLI: downloads, training epochs, frame extraction.
 */
public final class ProgressDisplay {
    /** Time between two plain progress lines. */
    public static final Duration LINE_INTERVAL = Duration.ofSeconds(10);

    /** What a task counts. */
    public enum Unit {
        /** Bytes, shown in MB. */
        BYTES,
        /** Items (batches, videos), shown as counts. */
        ITEMS
    }

    /** One running task; close it when done (a plain display then prints its final line). */
    public interface Task extends AutoCloseable {
        /** @param done units done so far */
        void stepTo(long done);

        /** Adds one unit. */
        void step();

        /** @param message extra text after the numbers (loss, accuracy) */
        void extra(String message);

        /** @param max a new total (e.g. known once a download starts), -1 when unknown */
        void maxHint(long max);

        @Override
        void close();
    }

    private ProgressDisplay() {
    }

    /**
     * Whether progress goes to a terminal: a console and no {@code CI=true} in the environment.
     *
     * @return true for a terminal
     */
    public static boolean isTerminal() {
        return System.console() != null && !"true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * A task on {@code stream}, as a bar on a terminal and as plain lines elsewhere.
     *
     * @param name task name
     * @param max total units, -1 when unknown
     * @param unit what is counted
     * @param stream where progress goes (the CLI uses standard error)
     * @return the task
     */
    public static Task start(String name, long max, Unit unit, PrintStream stream) {
        return start(name, max, unit, new PrintWriter(stream, true));
    }

    /**
     * A task on a writer (a picocli command's error writer), as a bar on a terminal and as plain lines elsewhere.
     *
     * @param name task name
     * @param max total units, -1 when unknown
     * @param unit what is counted
     * @param out where progress goes
     * @return the task
     */
    public static Task start(String name, long max, Unit unit, PrintWriter out) {
        return isTerminal() ? bar(name, max, unit, out) : lines(name, max, unit, out, System::nanoTime, LINE_INTERVAL);
    }

    /**
     * A redrawn progress bar (only for terminals).
     *
     * @param name task name
     * @param max total, -1 when unknown
     * @param unit what is counted
     * @param stream the terminal
     * @return the task
     */
    static Task bar(String name, long max, Unit unit, PrintWriter stream) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(name).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).setConsumer(new DelegatingProgressBarConsumer(line -> {
                    stream.print('\r' + line);
                    stream.flush();
                }));
        if (unit == Unit.BYTES) {
            b.setUnit(" MB", 1 << 20).showSpeed();
        }
        ProgressBar bar = b.build();
        return new Task() {
            @Override
            public void stepTo(long done) {
                bar.stepTo(done);
            }

            @Override
            public void step() {
                bar.step();
            }

            @Override
            public void extra(String message) {
                bar.setExtraMessage(message);
            }

            @Override
            public void maxHint(long newMax) {
                bar.maxHint(newMax);
            }

            @Override
            public void close() {
                bar.close();
                stream.println();
                stream.flush();
            }
        };
    }

    /**
     * Plain periodic lines, e.g. {@code download x: 45% 12.0/26.7 MB, 3.1 MB/s, ETA 0:05}.
     *
     * @param name task name
     * @param max total, -1 when unknown
     * @param unit what is counted
     * @param out where lines go
     * @param nanoClock time source (tests pass a fake one)
     * @param every minimum time between two lines
     * @return the task
     */
    static Task lines(String name, long max, Unit unit, PrintWriter out, LongSupplier nanoClock, Duration every) {
        return new LineTask(name, max, unit, out, nanoClock, every.toNanos());
    }

    private static final class LineTask implements Task {
        private final String name;
        private final Unit unit;
        private final PrintWriter out;
        private final LongSupplier clock;
        private final long every;
        private final long start;
        private long max;
        private long done;
        private long startDone = -1;
        private long lastLine;
        private String extra = "";
        private long printed = -1;
        private boolean closed;

        LineTask(String name, long max, Unit unit, PrintWriter out, LongSupplier clock, long every) {
            this.name = name;
            this.max = max;
            this.unit = unit;
            this.out = out;
            this.clock = clock;
            this.every = every;
            this.start = clock.getAsLong();
            this.lastLine = start;
        }

        @Override
        public synchronized void stepTo(long n) {
            if (startDone < 0) {
                startDone = n == 0 ? 0 : Math.max(0, done);
            }
            done = n;
            long now = clock.getAsLong();
            if (now - lastLine >= every) {
                lastLine = now;
                print(now);
            }
        }

        @Override
        public synchronized void step() {
            stepTo(done + 1);
        }

        @Override
        public synchronized void extra(String message) {
            extra = message == null ? "" : message;
        }

        @Override
        public synchronized void maxHint(long newMax) {
            max = newMax;
        }

        private void print(long now) {
            double seconds = (now - start) / 1e9;
            double rate = seconds > 0 ? (done - Math.max(0, startDone)) / seconds : 0;
            StringBuilder s = new StringBuilder(name).append(':');
            if (max > 0) {
                s.append(String.format(Locale.ROOT, " %d%%", Math.min(100, done * 100 / max)));
            }
            s.append(' ').append(amount(done));
            if (max > 0) {
                s.append('/').append(amount(max));
            }
            s.append(unit == Unit.BYTES ? " MB" : "");
            s.append(String.format(Locale.ROOT, ", %s/s", unit == Unit.BYTES ? amount(Math.round(rate)) + " MB"
                    : String.format(Locale.ROOT, "%.1f", rate)));
            if (max > 0 && rate > 0 && done < max) {
                long eta = Math.round((max - done) / rate);
                s.append(String.format(Locale.ROOT, ", ETA %d:%02d", eta / 60, eta % 60));
            } else if (max > 0 && done >= max) {
                s.append(String.format(Locale.ROOT, ", done in %.1f s", seconds));
            }
            s.append(extra);
            printed = done;
            out.println(s);
            out.flush();
        }

        private String amount(long v) {
            return unit == Unit.BYTES ? String.format(Locale.ROOT, "%.1f", v / 1048576.0) : Long.toString(v);
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                if (printed != done) {
                    print(clock.getAsLong());
                }
            }
        }
    }
}
