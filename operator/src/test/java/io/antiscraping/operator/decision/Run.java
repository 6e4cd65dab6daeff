package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Drives the engine through a sequence of evaluations, keeping the state between them. */
final class Run {

  final DecisionEngine engine;
  ScrapingPolicySpec spec;
  EngineState state;
  Decision last;
  final List<Decision> decisions = new ArrayList<>();
  /** Whether the write budget applies: each evaluation gets the previous decision's published plan back. */
  boolean budgeted;

  Run(ScrapingPolicySpec spec) {
    this(spec, new DecisionEngine());
  }

  Run(ScrapingPolicySpec spec, DecisionEngine engine) {
    this.engine = engine;
    this.spec = spec;
    this.state = EngineState.initial(spec, Policies.T0);
  }

  Decision at(long seconds, Readings readings) {
    return at(Policies.T0.plusSeconds(seconds), readings);
  }

  Decision atMillis(long millis, Readings readings) {
    return at(Policies.T0.plusMillis(millis), readings);
  }

  Decision at(Instant t, Readings readings) {
    last = engine.decide(spec, state, readings, t, budgeted && last != null ? last.published() : null);
    state = last.next();
    decisions.add(last);
    return last;
  }

  /** {@code reads} as given (null: unavailable) and {@code clients} as given (null: no clients). */
  static Readings readings(Double reads, Map<String, Double> clients) {
    Readings.Builder b = Readings.builder();
    if (reads == null) {
      b.unavailable("reads", "Prometheus unreachable: connection refused");
    } else {
      b.scalar("reads", reads);
    }
    b.perClient("clients", clients == null ? Map.of() : clients);
    return b.build();
  }

  static Readings reads(double v) {
    return readings(v, null);
  }

  static Readings clients(Map<String, Double> clients) {
    return readings(0.0, clients);
  }
}
