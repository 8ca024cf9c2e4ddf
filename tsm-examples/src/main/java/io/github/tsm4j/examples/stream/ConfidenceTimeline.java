package io.github.tsm4j.examples.stream;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Prediction confidence over time for one stream, drawn as a PNG with XChart: the softmax probability
 * of each class that was the reported (smoothed) label at some frame, at most {@value #MAX_SERIES}
 * classes (those reported most often), against the time of the frame in seconds.
 */
public final class ConfidenceTimeline {

    /** Most classes drawn, to keep the legend readable. */
    public static final int MAX_SERIES = 8;

    private final List<String> labels;
    private final List<Double> seconds = new ArrayList<>();
    private final List<float[]> probabilities = new ArrayList<>();
    private final int[] reported;

    /**
     * @param labels class names, index = probability position
     */
    public ConfidenceTimeline(List<String> labels) {
        this.labels = List.copyOf(labels);
        this.reported = new int[labels.size()];
    }

    /**
     * Adds one processed frame.
     *
     * @param timeSeconds time of the frame in the source
     * @param probs softmax probabilities {@code [K]}; copied
     * @param reportedClass the label reported for the frame
     */
    public void add(double timeSeconds, float[] probs, int reportedClass) {
        if (probs.length != labels.size()) {
            throw new IllegalArgumentException("timeline has " + labels.size() + " labels, probabilities have "
                    + probs.length);
        }
        seconds.add(timeSeconds);
        probabilities.add(probs.clone());
        reported[reportedClass]++;
    }

    /**
     * Frames added.
     *
     * @return count
     */
    public int size() {
        return seconds.size();
    }

    /**
     * Classes drawn: those reported at least once, most often first, at most {@value #MAX_SERIES}.
     *
     * @return class indices
     */
    public List<Integer> drawnClasses() {
        List<Integer> classes = new ArrayList<>();
        for (int k = 0; k < reported.length; k++) {
            if (reported[k] > 0) {
                classes.add(k);
            }
        }
        classes.sort(Comparator.comparingInt((Integer k) -> -reported[k]).thenComparingInt(k -> k));
        return classes.subList(0, Math.min(MAX_SERIES, classes.size()));
    }

    /**
     * Writes the chart.
     *
     * @param png output file (.png)
     * @param title chart title (the source name)
     * @throws IOException if the file cannot be written
     */
    public void save(Path png, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(400).title(title)
                .xAxisTitle("time (s)").yAxisTitle("probability").build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setMarkerSize(0);
        double[] x = seconds.stream().mapToDouble(Double::doubleValue).toArray();
        if (x.length == 0) {
            throw new IOException("no frames were processed: nothing to draw in " + png);
        }
        for (int k : drawnClasses()) {
            double[] y = new double[x.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = probabilities.get(i)[k];
            }
            XYSeries s = chart.addSeries(uniqueName(chart, labels.get(k)), x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        try {
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    private static String uniqueName(XYChart chart, String name) {
        String candidate = name;
        for (int i = 2; chart.getSeriesMap().containsKey(candidate); i++) {
            candidate = name + " (" + i + ")";
        }
        return candidate;
    }

    @Override
    public String toString() {
        return "ConfidenceTimeline" + Arrays.toString(reported);
    }
}
