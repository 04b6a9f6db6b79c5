package io.poolpair.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The PNG chart of a bench run: throughput of poolpair's delta replication against the raw apply limit and
 * PostgreSQL logical replication per size and store, and the capture cost, as grouped bars (JFreeChart,
 * headless).
 */
final class BenchChart {

    private final Figures figures;
    private final List<String> stores;

    BenchChart(Figures figures, List<String> stores) {
        this.figures = figures;
        this.stores = stores;
    }

    void write(Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String store : stores) {
            String label = store.equals("h2") ? "H2" : "PG";
            for (Figures.Row row : figures.rows()) {
                String series = series(row.id());
                if (series == null) {
                    continue;
                }
                Optional<Double> v = figures.median(row.id(), store);
                String category = label + " " + category(row.id());
                v.ifPresent(value -> data.addValue(value, series, category));
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("poolpair bench: throughput (medians; PG = PostgreSQL)", null,
                "rows or changes per second",
                data, PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 700);
    }

    private static String series(String id) {
        if (id.startsWith("delta-")) {
            return "poolpair delta, end to end";
        }
        if (id.startsWith("raw-")) {
            return "raw apply (batched JDBC upserts)";
        }
        if (id.startsWith("pg-logical-")) {
            return "PostgreSQL logical replication";
        }
        if (id.endsWith("-plain")) {
            return "write without capture";
        }
        if (id.endsWith("-capture")) {
            return "write with capture";
        }
        return null;
    }

    private static String category(String id) {
        if (id.startsWith("insert-") || id.startsWith("update-")) {
            return id.substring(0, 6);
        }
        return BenchReport.shortCount(Long.parseLong(id.substring(id.lastIndexOf('-') + 1)));
    }
}
