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
 * @param suspects      internal clients (never banned, or private and allowlisted) above the offender bar, strongest
 *                      first: the sign of a proxy's address standing for many clients or of forged addresses
 */
public record Decision(EngineState next, EnforcementPlan plan, List<DecisionEvent> events, MetricsHealth metrics,
                       boolean banCapReached, List<SignalSummary> signals, PublishedPlan published, boolean held,
                       KnownGoodCount knownGood, List<SuspectClient> suspects) {

  /** A client above its offender bar ({@code value > bar}) that no ban may cover. */
  public record SuspectClient(Cidr client, double value, double bar) {
    public static final java.util.Comparator<SuspectClient> STRONGEST_FIRST =
        java.util.Comparator.comparingDouble(SuspectClient::value).reversed().thenComparing(SuspectClient::client);
  }

  /** Known-good clients kept, and those left out by {@code spec.knownGood.maxClients}. */
  public record KnownGoodCount(int clients, int leftOut) {
  }

  public Decision {
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(metrics, "metrics");
    events = List.copyOf(events);
    signals = List.copyOf(signals);
    suspects = suspects == null ? List.of() : List.copyOf(suspects);
    Objects.requireNonNull(published, "published");
  }

  /**
   * The ClientAddressesSuspect message: up to five suspects with their bar (not their values, which change at every
   * evaluation and would rewrite the status), and what the sign means; empty when there is none.
   */
  public String suspectsMessage() {
    if (suspects.isEmpty()) {
      return "";
    }
    List<String> listed = suspects.stream().limit(5)
        .map(x -> x.client() + " (above " + Formatting.num(x.bar()) + ")").toList();
    return suspects.size() + " internal client address(es) that no ban may cover (never-banned, or private and "
        + "allowlisted) are above the offender bar: " + String.join(", ", listed)
        + (suspects.size() > listed.size() ? " and " + (suspects.size() - listed.size()) + " more" : "")
        + ". Either a load balancer, proxy or node address stands for many clients (ingress-nginx: set "
        + "use-forwarded-headers and proxy-real-ip-cidr to the load balancer's ranges, or use the PROXY protocol or "
        + "externalTrafficPolicy: Local), or clients forge their address (proxy-real-ip-cidr 0.0.0.0/0, the "
        + "default, trusts every client's X-Forwarded-For)";
  }

  /** Whether any event has the given reason. */
  public boolean hasEvent(String reason) {
    return events.stream().anyMatch(e -> e.reason().equals(reason));
  }
}
