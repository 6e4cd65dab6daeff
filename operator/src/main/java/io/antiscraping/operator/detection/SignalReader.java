package io.antiscraping.operator.detection;

import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.Readings;
import io.antiscraping.operator.decision.SignalReading;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Turns a policy's signals into {@link Readings}, one instant query each (through a {@link QueryRunner}, normally a
 * shared {@link QueryCache}).
 *
 * <ul>
 *   <li>A scalar signal accepts a scalar or a single-element vector; several series are a failure ("expected one
 *   series, got N"), so are no series, NaN and infinities.</li>
 *   <li>A per-client signal reads its {@code perClient.label} from each series; series without it are counted
 *   ({@link SignalReading.PerClient#unlabeled()}); two series with the same label value keep the higher value; an
 *   empty result means no client has a value (not a failure: per-client queries are often filtered, e.g.
 *   {@code > 20}).</li>
 * </ul>
 */
public final class SignalReader {

  private final QueryRunner runner;

  public SignalReader(QueryRunner runner) {
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  /** Below this much time left before the deadline, a signal is not queried at all. */
  static final Duration MIN_QUERY_TIME = Duration.ofMillis(100);

  /**
   * What one evaluation may spend: a deadline for all of its queries (each query's timeout is cut to the time left;
   * the signals left when it passes are not queried), and a query budget ({@code takeQuery} false: not queried,
   * {@code overBudget} says why).
   */
  public record Bounds(Instant deadline, Clock clock, BooleanSupplier takeQuery, String overBudget) {
    /** No deadline, no budget. */
    public static final Bounds NONE = new Bounds(Instant.MAX, Clock.systemUTC(), () -> true, "");
  }

  /** Evaluates every signal against the endpoint; never throws. */
  public Readings read(PrometheusEndpoint endpoint, List<Signal> signals) {
    return read(endpoint, signals, Bounds.NONE);
  }

  /** Evaluates the signals within the bounds; never throws. */
  public Readings read(PrometheusEndpoint endpoint, List<Signal> signals, Bounds bounds) {
    Map<String, SignalReading> out = new LinkedHashMap<>();
    for (Signal s : signals == null ? List.<Signal>of() : signals) {
      if (s == null || s.getName() == null || out.containsKey(s.getName())) {
        continue;
      }
      if (s.getQuery() == null || s.getQuery().isBlank()) {
        out.put(s.getName(), new SignalReading.Unavailable("the signal has no query"));
        continue;
      }
      Duration left = bounds.deadline().equals(Instant.MAX) ? endpoint.timeout()
          : Duration.between(bounds.clock().instant(), bounds.deadline());
      if (left.compareTo(MIN_QUERY_TIME) < 0) {
        out.put(s.getName(), new SignalReading.Unavailable("not queried: the evaluation's deadline passed (the "
            + "signals before it took the time; a slow Prometheus or a shorter prometheus.timeout)"));
        continue;
      }
      PrometheusEndpoint ep = left.compareTo(endpoint.timeout()) < 0 ? endpoint.withTimeout(left) : endpoint;
      // Only the label the signal reads is kept of each series (none for a scalar signal); the budget is charged
      // only for a query sent to Prometheus, not for an answer shared with another policy.
      QueryResult result = runner.query(ep, s.getQuery(),
          s.getPerClient() == null ? null : s.getPerClient().getLabel(), bounds.takeQuery());
      out.put(s.getName(), result == null ? new SignalReading.Unavailable(bounds.overBudget()) : interpret(s, result));
    }
    return new Readings(out);
  }

  /** What a query result means for a signal. */
  public static SignalReading interpret(Signal signal, QueryResult result) {
    String label = signal.getPerClient() == null ? null : signal.getPerClient().getLabel();
    if (label == null) {
      if (result instanceof QueryResult.Scalar s) {
        return new SignalReading.Scalar(s.value());
      }
      if (result instanceof QueryResult.Vector v) {
        if (v.series().size() != 1) {
          return new SignalReading.Unavailable("expected one series, got " + v.series().size()
              + ": aggregate the query, e.g. sum(...)");
        }
        double x = v.series().get(0).value();
        if (Double.isNaN(x)) {
          return new SignalReading.Unavailable("value is NaN");
        }
        if (Double.isInfinite(x)) {
          return new SignalReading.Unavailable("value is " + (x > 0 ? "+Inf" : "-Inf"));
        }
        return new SignalReading.Scalar(x);
      }
      return new SignalReading.Unavailable(((QueryResult.Failure) result).message());
    }
    if (result instanceof QueryResult.Vector v) {
      Map<String, Double> values = new HashMap<>(v.series().size() * 2);
      int unlabeled = 0;
      for (QueryResult.Series s : v.series()) {
        String client = s.labels().get(label);
        if (client == null || client.isEmpty()) {
          unlabeled++;
        } else {
          values.merge(client, s.value(), PerClientMax::max);
        }
      }
      return new SignalReading.PerClient(values, unlabeled, v.dropped());
    }
    if (result instanceof QueryResult.Failure f && f.kind() == QueryResult.Kind.EMPTY) {
      return new SignalReading.PerClient(Map.of());
    }
    if (result instanceof QueryResult.Scalar) {
      return new SignalReading.Unavailable("expected one series per client (label " + label + "), got a scalar");
    }
    return new SignalReading.Unavailable(((QueryResult.Failure) result).message());
  }

  /** Max that prefers a number over NaN. */
  private static final class PerClientMax {
    static Double max(Double a, Double b) {
      if (a.isNaN()) {
        return b;
      }
      if (b.isNaN()) {
        return a;
      }
      return Math.max(a, b);
    }
  }
}
