package io.poolpair.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bench's measurements: samples per figure (a row of the table) and store (a column), each figure
 * reported as the median of its samples.
 */
final class Figures {

    /** A row of the table. */
    record Row(String id, String label, String unit) {
    }

    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();

    synchronized void add(String id, String label, String unit, String store, double value) {
        rows.putIfAbsent(id, new Row(id, label, unit));
        samples.computeIfAbsent(id + "|" + store, k -> new ArrayList<>()).add(value);
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows.values());
    }

    synchronized Optional<Double> median(String id, String store) {
        List<Double> values = samples.get(id + "|" + store);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return Optional.of(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }

    synchronized int runs(String id, String store) {
        List<Double> values = samples.get(id + "|" + store);
        return values == null ? 0 : values.size();
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
