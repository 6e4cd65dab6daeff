package io.antiscraping.operator.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import io.prometheus.client.SimpleCollector;
import io.prometheus.client.hotspot.DefaultExports;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The operator's own metrics. One instance per operator runtime, registered in its own registry (so tests can run
 * several runtimes in one JVM). Names are part of the user-facing contract: the chart's alerts use them.
 */
public final class OperatorMetrics {

  private final CollectorRegistry registry;
  private final Gauge level;
  private final Gauge levelMax;
  private final Gauge signalValue;
  private final Gauge activeBans;
  private final Gauge banCapReached;
  private final Gauge metricsAvailable;
  private final Gauge knownGood;
  private final Gauge suspectClients;
  private final Gauge stillServed;
  private final Gauge updatesHeld;
  private final Counter levelTransitions;
  private final Counter queries;
  private final Histogram queryDuration;
  private final Counter evaluations;
  private final Histogram evaluationDuration;
  private final Counter apiWrites;

  public OperatorMetrics(CollectorRegistry registry) {
    this.registry = registry;
    DefaultExports.register(registry);
    level = Gauge.build("antiscraping_policy_level",
            "Index of the level in force (0 = baseline).")
        .labelNames("namespace", "policy").register(registry);
    levelMax = Gauge.build("antiscraping_policy_level_max",
            "Index of the policy's highest level.")
        .labelNames("namespace", "policy").register(registry);
    signalValue = Gauge.build("antiscraping_signal_value",
            "Last value of a signal (for per-client signals: the highest client value).")
        .labelNames("namespace", "policy", "signal").register(registry);
    activeBans = Gauge.build("antiscraping_active_bans", "Bans in force.")
        .labelNames("namespace", "policy").register(registry);
    banCapReached = Gauge.build("antiscraping_ban_cap_reached",
            "1 when offenders.maxBanned was reached at the last evaluation.")
        .labelNames("namespace", "policy").register(registry);
    metricsAvailable = Gauge.build("antiscraping_metrics_available",
            "1 when every signal of the policy was evaluated at the last evaluation.")
        .labelNames("namespace", "policy").register(registry);
    knownGood = Gauge.build("antiscraping_known_good_clients",
            "Known-good clients at the last evaluation (policies with spec.knownGood).")
        .labelNames("namespace", "policy").register(registry);
    suspectClients = Gauge.build("antiscraping_suspect_client_addresses",
            "Client addresses that no ban may cover (allowlisted or never banned) above the offender bar at the last "
                + "evaluation: a proxy's address standing for many clients, or forged addresses.")
        .labelNames("namespace", "policy").register(registry);
    stillServed = Gauge.build("antiscraping_banned_clients_still_served",
            "Clients inside bans handed to the data plane at least spec.enforcementCheck.after ago that the check "
                + "signal still shows served (policies with spec.enforcementCheck).")
        .labelNames("namespace", "policy").register(registry);
    updatesHeld = Gauge.build("antiscraping_ban_updates_held",
            "1 while the write budget (spec.banUpdateInterval) holds decided ban or exemption changes back.")
        .labelNames("namespace", "policy").register(registry);
    levelTransitions = Counter.build("antiscraping_level_transitions_total", "Level changes.")
        .labelNames("namespace", "policy", "from", "to").register(registry);
    queries = Counter.build("antiscraping_prometheus_queries_total",
            "Prometheus queries sent, by outcome (ok or the failure reason).")
        .labelNames("outcome").register(registry);
    queryDuration = Histogram.build("antiscraping_prometheus_query_duration_seconds",
            "Latency of Prometheus queries.")
        .buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    evaluations = Counter.build("antiscraping_evaluations_total",
            "Policy evaluations by result (ok, invalid, error).")
        .labelNames("namespace", "policy", "result").register(registry);
    evaluationDuration = Histogram.build("antiscraping_evaluation_duration_seconds",
            "Duration of one policy evaluation: detection, decision, enforcement and status.")
        .buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    apiWrites = Counter.build("antiscraping_api_writes_total",
            "Writes to the Kubernetes API, by kind and verb.")
        .labelNames("kind", "verb").register(registry);
  }

  public CollectorRegistry registry() {
    return registry;
  }

  public void policyLevel(String namespace, String policy, int index, int maxIndex) {
    level.labels(namespace, policy).set(index);
    levelMax.labels(namespace, policy).set(maxIndex);
  }

  public void levelTransition(String namespace, String policy, String from, String to) {
    levelTransitions.labels(namespace, policy, from, to).inc();
  }

  public void signal(String namespace, String policy, String signal, Double value) {
    if (value == null || value.isNaN()) {
      signalValue.remove(namespace, policy, signal);
    } else {
      signalValue.labels(namespace, policy, signal).set(value);
    }
  }

  public void bans(String namespace, String policy, int count, boolean capReached) {
    activeBans.labels(namespace, policy).set(count);
    banCapReached.labels(namespace, policy).set(capReached ? 1 : 0);
  }

  /** The known-good count (null: none configured, or its signal failed: the series is removed) and the write budget. */
  public void aggregate(String namespace, String policy, Integer knownGoodClients, boolean held) {
    if (knownGoodClients == null) {
      knownGood.remove(namespace, policy);
    } else {
      knownGood.labels(namespace, policy).set(knownGoodClients);
    }
    updatesHeld.labels(namespace, policy).set(held ? 1 : 0);
  }

  /** Suspect client addresses, and clients still served inside bans (null: no check, the series is removed). */
  public void effect(String namespace, String policy, int suspects, Integer stillServedInsideBans) {
    suspectClients.labels(namespace, policy).set(suspects);
    if (stillServedInsideBans == null) {
      stillServed.remove(namespace, policy);
    } else {
      stillServed.labels(namespace, policy).set(stillServedInsideBans);
    }
  }

  public void metricsAvailable(String namespace, String policy, boolean available) {
    metricsAvailable.labels(namespace, policy).set(available ? 1 : 0);
  }

  public void query(String outcome, Duration latency) {
    queries.labels(outcome).inc();
    queryDuration.observe(latency.toNanos() / 1e9);
  }

  public void evaluation(String namespace, String policy, String result, Duration duration) {
    evaluations.labels(namespace, policy, result).inc();
    evaluationDuration.observe(duration.toNanos() / 1e9);
  }

  public void apiWrite(String kind, String verb) {
    apiWrites.labels(kind, verb).inc();
  }

  /** Total writes so far, for tests and the lab report. */
  public double apiWrites() {
    double total = 0;
    for (var family : apiWrites.collect()) {
      for (var sample : family.samples) {
        if (sample.name.endsWith("_total")) {
          total += sample.value;
        }
      }
    }
    return total;
  }

  /**
   * Forgets every series of a deleted policy: those labelled only by namespace and policy, and those with more labels
   * (signal; from and to; result), found among the collectors' children.
   */
  public void forget(String namespace, String policy) {
    removeChildren(signalValue, namespace, policy);
    removeChildren(levelTransitions, namespace, policy);
    removeChildren(evaluations, namespace, policy);
    level.remove(namespace, policy);
    levelMax.remove(namespace, policy);
    activeBans.remove(namespace, policy);
    banCapReached.remove(namespace, policy);
    metricsAvailable.remove(namespace, policy);
    knownGood.remove(namespace, policy);
    updatesHeld.remove(namespace, policy);
    suspectClients.remove(namespace, policy);
    stillServed.remove(namespace, policy);
  }

  /** Removes every child of {@code collector} whose first two labels are {@code namespace} and {@code policy}. */
  private static void removeChildren(SimpleCollector<?> collector, String namespace, String policy) {
    Set<List<String>> children = new HashSet<>();
    for (Collector.MetricFamilySamples family : collector.collect()) {
      for (Collector.MetricFamilySamples.Sample sample : family.samples) {
        List<String> values = sample.labelValues;
        if (values.size() >= 2 && namespace.equals(values.get(0)) && policy.equals(values.get(1))) {
          children.add(List.copyOf(values));
        }
      }
    }
    children.forEach(values -> collector.remove(values.toArray(String[]::new)));
  }
}
