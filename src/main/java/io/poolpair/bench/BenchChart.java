package io.poolpair.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
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

    /**
     * The sustained-rate chart: lag p99 per rate step for poolpair on each store and PostgreSQL logical replication,
     * beside the 10 s limit (a step whose rows did not all arrive is left out). False when nothing was measured.
     */
    boolean writeSustained(Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        TreeMap<Long, Map<String, Double>> byRate = new TreeMap<>();
        for (Figures.Row row : figures.rows()) {
            boolean logical = row.id().startsWith("sustained-logical-lag-");
            if (!logical && !row.id().startsWith("sustained-lag-")) {
                continue;
            }
            long rate = Long.parseLong(row.id().substring(row.id().lastIndexOf('-') + 1));
            for (String store : stores) {
                String series = logical ? "PostgreSQL logical replication" : "poolpair " + BenchReport.label(store);
                figures.median(row.id(), store).filter(Double::isFinite)
                        .ifPresent(v -> byRate.computeIfAbsent(rate, r -> new TreeMap<>()).put(series, v));
            }
        }
        if (byRate.isEmpty()) {
            return false;
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        byRate.forEach((rate, values) -> {
            values.forEach((series, v) -> data.addValue(v, series, BenchReport.shortCount(rate) + "/s"));
            data.addValue(SustainedRate.P99_LIMIT_SECONDS, "limit (10 s)", BenchReport.shortCount(rate) + "/s");
        });
        JFreeChart chart = ChartFactory.createLineChart("poolpair bench: lag p99 by steady change rate (PT5S)",
                "changes per second", "lag p99 (s)", data, PlotOrientation.VERTICAL, true, false, false);
        // points, not only lines: a series may have one step, or none at a rate the other series stepped to
        ((LineAndShapeRenderer) chart.getCategoryPlot().getRenderer()).setDefaultShapesVisible(true);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 600);
        return true;
    }

    private static String series(String id) {
        if (id.startsWith("delta-")) {
            return "poolpair delta, end to end";
        }
        if (id.startsWith("raw-")) {
            return "raw apply (COPY + one upsert / batched MERGE)";
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
        if (id.endsWith("-plain") || id.endsWith("-capture")) {
            return id.substring(0, id.lastIndexOf('-')); // insert, update, multi-row-insert, multi-row-update
        }
        return BenchReport.shortCount(Long.parseLong(id.substring(id.lastIndexOf('-') + 1)));
    }
}
