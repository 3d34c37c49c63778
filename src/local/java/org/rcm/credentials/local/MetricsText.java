package org.rcm.credentials.local;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The broker's {@code /q/metrics} (Prometheus text format) as samples, for the benchmark and the
 * tests that read a running broker's counters.
 */
public final class MetricsText {

    private MetricsText() {
    }

    /** Every sample, keyed by its line's name and labels ({@code rcm_x_total{a="b"}}). */
    public static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (!line.startsWith("#") && space > 0) {
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    /** The sum of the samples of {@code metric} whose labels contain every {@code labels} fragment ({@code key="value"}). */
    public static double sum(Map<String, Double> samples, String metric, String... labels) {
        double total = 0;
        for (Map.Entry<String, Double> sample : samples.entrySet()) {
            String key = sample.getKey();
            if ((key.equals(metric) || key.startsWith(metric + "{")) && List.of(labels).stream().allMatch(key::contains)) {
                total += sample.getValue();
            }
        }
        return total;
    }

    /** The sample names (without labels). */
    public static Set<String> names(Map<String, Double> samples) {
        Set<String> names = new TreeSet<>();
        samples.keySet().forEach(key -> names.add(key.split("\\{", 2)[0]));
        return names;
    }
}
