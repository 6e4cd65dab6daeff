package io.antiscraping.operator.decision;

import java.util.List;
import java.util.Objects;

/**
 * Everything one evaluation decided.
 *
 * @param next          the state to keep (and persist with {@link StateCodec#toStatus}) for the next evaluation
 * @param plan          what every data plane must enforce now (also computed in dry run)
 * @param events        what changed, for Kubernetes Events
 * @param metrics       whether the signals the decisions use were available
 * @param banCapReached true when offenders qualified for a ban but {@code maxBanned} left no room
 * @param signals       one summary per declared signal, in declaration order
 */
public record Decision(EngineState next, EnforcementPlan plan, List<DecisionEvent> events, MetricsHealth metrics,
                       boolean banCapReached, List<SignalSummary> signals) {

  public Decision {
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(metrics, "metrics");
    events = List.copyOf(events);
    signals = List.copyOf(signals);
  }

  /** Whether any event has the given reason. */
  public boolean hasEvent(String reason) {
    return events.stream().anyMatch(e -> e.reason().equals(reason));
  }
}
