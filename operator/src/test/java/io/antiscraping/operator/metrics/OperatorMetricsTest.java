package io.antiscraping.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  static void record(OperatorMetrics m, String ns, String policy) {
    m.policyLevel(ns, policy, 1, 2);
    m.levelTransition(ns, policy, "normal", "elevated");
    m.levelTransition(ns, policy, "elevated", "normal");
    m.signal(ns, policy, "rps", 12.5);
    m.signal(ns, policy, "client-rate", 3.0);
    m.bans(ns, policy, 4, false);
    m.aggregate(ns, policy, 7, true);
    m.effect(ns, policy, 1, 2);
    m.metricsAvailable(ns, policy, true);
    m.evaluation(ns, policy, "ok", Duration.ofMillis(20));
    m.evaluation(ns, policy, "error", Duration.ofMillis(20));
  }

  static List<String> exposition(CollectorRegistry registry) throws IOException {
    StringWriter out = new StringWriter();
    TextFormat.write004(out, registry.metricFamilySamples());
    return Arrays.stream(out.toString().split("\n")).filter(l -> !l.startsWith("#")).toList();
  }

  /**
   * Security finding S4: forget left a deleted policy's signal_value, level_transitions and evaluations series in
   * the exposition for good (and a namespace's tenants could grow it without bound by creating and deleting
   * policies).
   */
  @Test
  void forgetRemovesEverySeriesOfThePolicyAndNoOther() throws IOException {
    CollectorRegistry registry = new CollectorRegistry();
    OperatorMetrics metrics = new OperatorMetrics(registry);
    record(metrics, "shop", "storefront");
    record(metrics, "shop", "checkout");
    record(metrics, "blog", "storefront");
    assertThat(exposition(registry)).filteredOn(l -> l.contains("namespace=\"shop\",policy=\"storefront\""))
        .anyMatch(l -> l.startsWith("antiscraping_signal_value{"))
        .anyMatch(l -> l.startsWith("antiscraping_level_transitions_total{"))
        .anyMatch(l -> l.startsWith("antiscraping_evaluations_total{"));

    metrics.forget("shop", "storefront");

    List<String> after = exposition(registry);
    assertThat(after).noneMatch(l -> l.contains("namespace=\"shop\",policy=\"storefront\""));
    long checkout = after.stream().filter(l -> l.contains("namespace=\"shop\",policy=\"checkout\"")).count();
    long blog = after.stream().filter(l -> l.contains("namespace=\"blog\",policy=\"storefront\"")).count();
    assertThat(checkout).as("the other policies keep theirs").isPositive().isEqualTo(blog);
    assertThat(after).anyMatch(l -> l.startsWith("antiscraping_signal_value{namespace=\"shop\",policy=\"checkout\""));
  }
}
