package io.antiscraping.operator.apiserver;

import static org.awaitility.Awaitility.await;

import io.prometheus.client.CollectorRegistry;
import java.time.Duration;
import java.util.List;

/**
 * Waits counted in evaluations of a policy rather than in seconds, read from the operator's own counter
 * {@code antiscraping_evaluations_total{namespace,policy,result}}: "nothing was written" means nothing was written
 * while the policy was evaluated n more times, whatever the machine's speed.
 *
 * <p>The counter grows at the end of an evaluation, after its status and events are written: an evaluation whose
 * status a test has just seen may be counted only after the test asked. A caller that must see n evaluations
 * beyond that one asks for n + 1.
 */
public final class Evaluations {

  /** Long enough for a few evaluations every second or two on a loaded machine. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  private static final String COUNTER = "antiscraping_evaluations_total";
  private static final String[] LABELS = {"namespace", "policy", "result"};

  private Evaluations() {
  }

  /** Evaluations of {@code ns/policy} with {@code result} (ok, invalid, error) counted so far (0 before the first). */
  public static double count(CollectorRegistry registry, String ns, String policy, String result) {
    Double value = registry.getSampleValue(COUNTER, LABELS, new String[] {ns, policy, result});
    return value == null ? 0 : value;
  }

  /** The same, summed over the registries of several operator instances. */
  public static double count(List<CollectorRegistry> registries, String ns, String policy, String result) {
    return registries.stream().mapToDouble(r -> count(r, ns, policy, result)).sum();
  }

  /** Waits until {@code n} more evaluations with {@code result} than now were counted, within {@link #DEFAULT_WAIT}. */
  public static void awaitEvaluations(CollectorRegistry registry, String ns, String policy, String result, int n) {
    awaitEvaluations(List.of(registry), ns, policy, result, n, DEFAULT_WAIT);
  }

  /** Waits until {@code n} more evaluations with {@code result} than now were counted, within {@code atMost}. */
  public static void awaitEvaluations(CollectorRegistry registry, String ns, String policy, String result, int n,
                                      Duration atMost) {
    awaitEvaluations(List.of(registry), ns, policy, result, n, atMost);
  }

  /**
   * Waits until {@code n} more evaluations with {@code result} than now were counted by the operator instances of
   * {@code registries} together (one leads and evaluates; which one need not be known), within {@code atMost}.
   */
  public static void awaitEvaluations(List<CollectorRegistry> registries, String ns, String policy, String result,
                                      int n, Duration atMost) {
    double target = count(registries, ns, policy, result) + n;
    awaitCount(registries, ns, policy, result, target, atMost);
  }

  /** Waits until at least {@code target} evaluations with {@code result} were counted, within {@code atMost}. */
  public static void awaitCount(CollectorRegistry registry, String ns, String policy, String result, double target,
                                Duration atMost) {
    awaitCount(List.of(registry), ns, policy, result, target, atMost);
  }

  private static void awaitCount(List<CollectorRegistry> registries, String ns, String policy, String result,
                                 double target, Duration atMost) {
    await("evaluations of " + ns + "/" + policy + " with result " + result + " to reach " + (long) target)
        .atMost(atMost).pollInterval(Duration.ofMillis(50))
        .until(() -> count(registries, ns, policy, result) >= target);
  }
}
