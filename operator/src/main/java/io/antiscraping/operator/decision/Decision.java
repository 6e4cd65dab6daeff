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
 * @param published     what to pass back to the next {@code decide} as what the data planes were handed
 * @param held          true when the write budget holds decided ban or known-good changes back (they go out with the
 *                      next publication)
 * @param knownGood     the known-good clients counted at this evaluation; null without spec.knownGood or when its
 *                      signal failed (the signal's error says why)
 */
public record Decision(EngineState next, EnforcementPlan plan, List<DecisionEvent> events, MetricsHealth metrics,
                       boolean banCapReached, List<SignalSummary> signals, PublishedPlan published, boolean held,
                       KnownGoodCount knownGood) {

  /** Known-good clients kept, and those left out by {@code spec.knownGood.maxClients}. */
  public record KnownGoodCount(int clients, int leftOut) {
  }

  public Decision {
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(metrics, "metrics");
    events = List.copyOf(events);
    signals = List.copyOf(signals);
    Objects.requireNonNull(published, "published");
  }

  /** Whether any event has the given reason. */
  public boolean hasEvent(String reason) {
    return events.stream().anyMatch(e -> e.reason().equals(reason));
  }
}
