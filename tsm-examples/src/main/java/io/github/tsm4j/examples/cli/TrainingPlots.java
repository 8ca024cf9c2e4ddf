package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.train.EpochRecord;
import io.github.tsm4j.models.train.EvaluationResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots (XChart) written next to the checkpoints: training curves (loss; training and validation
 * accuracy) and the confusion matrix as a heat map.
 */
public final class TrainingPlots {
    /** File name of the training-curve plot. */
    public static final String CURVES = "training-curves.png";
    /** File name of the confusion-matrix plot. */
    public static final String CONFUSION = "confusion-matrix.png";

    private TrainingPlots() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /**
     * Plots loss and accuracy per epoch for one or more runs (e.g. TSN and TSM side by side).
     *
     * @param runs run name → its epoch records
     * @param file PNG to write ({@code .png} is kept as given)
     * @throws IOException when the file cannot be written
     */
    public static void curves(Map<String, List<EpochRecord>> runs, Path file) throws IOException {
        XYChart loss = new XYChartBuilder().width(640).height(400).title("Training loss").xAxisTitle("epoch")
                .yAxisTitle("cross-entropy").build();
        XYChart acc = new XYChartBuilder().width(640).height(400).title("Accuracy").xAxisTitle("epoch")
                .yAxisTitle("top-1").build();
        acc.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        for (Map.Entry<String, List<EpochRecord>> run : runs.entrySet()) {
            List<EpochRecord> h = run.getValue();
            double[] x = h.stream().mapToDouble(EpochRecord::epoch).toArray();
            loss.addSeries(run.getKey(), x, h.stream().mapToDouble(EpochRecord::loss).toArray())
                    .setMarker(SeriesMarkers.CIRCLE);
            acc.addSeries(run.getKey() + " train", x, h.stream().mapToDouble(EpochRecord::trainAccuracy).toArray())
                    .setMarker(SeriesMarkers.CIRCLE);
            if (h.stream().allMatch(r -> r.valTop1() != null)) {
                acc.addSeries(run.getKey() + " val", x, h.stream().mapToDouble(EpochRecord::valTop1).toArray())
                        .setMarker(SeriesMarkers.DIAMOND);
            }
        }
        String base = file.toString().endsWith(".png") ? file.toString().substring(0, file.toString().length() - 4)
                : file.toString();
        BitmapEncoder.saveBitmap(List.of(loss, acc), 1, 2, base, BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Plots a confusion matrix (rows: true class, columns: predicted class; cell = video count).
     *
     * @param result evaluation result
     * @param title chart title
     * @param file PNG to write
     * @throws IOException when the file cannot be written
     */
    public static void confusion(EvaluationResult result, String title, Path file) throws IOException {
        int k = result.confusion().length;
        HeatMapChart chart = new HeatMapChartBuilder().width(260 + 50 * k).height(120 + 50 * k).title(title)
                .xAxisTitle("predicted class").yAxisTitle("true class").build();
        chart.getStyler().setShowValue(true).setPlotContentSize(1.0).setLegendVisible(false);
        // rows: "index name" (shortened); columns: the index only, so the labels never overlap
        List<String> names = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            String label = result.labels().get(c).replace("something ", "");
            names.add(c + " " + (label.length() > 24 ? label.substring(0, 23) + "…" : label));
            columns.add(Integer.toString(c));
        }
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                cells.add(new Number[] {p, t, result.confusion()[t][p]});
            }
        }
        chart.addSeries("confusion", columns, names, cells);
        String base = file.toString().endsWith(".png") ? file.toString().substring(0, file.toString().length() - 4)
                : file.toString();
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
    }
}
