package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.StatusCondition;
import io.antiscraping.operator.decision.Sanitizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** kstatus-compatible conditions; lastTransitionTime moves only when the status value changes. */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String METRICS_AVAILABLE = "MetricsAvailable";
  public static final String ENFORCED = "Enforced";
  public static final String INVALID = "Invalid";
  public static final String CONFLICT = "Conflict";
  public static final String DEGRADED = "Degraded";
  /**
   * True while client addresses that no ban may cover are above the offender bar: a proxy's address standing for many
   * clients, or forged addresses (abnormal-true, like Degraded).
   */
  public static final String CLIENT_ADDRESSES_SUSPECT = "ClientAddressesSuspect";
  /** kstatus reads Stalled=True as "Failed": set while the spec is invalid, since retrying cannot help. */
  public static final String STALLED = "Stalled";

  private static final int MAX_MESSAGE = 2048;

  private final List<StatusCondition> previous;
  private final List<StatusCondition> next = new ArrayList<>();
  private final long generation;
  private final Instant now;

  public Conditions(List<StatusCondition> previous, long generation, Instant now) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation;
    this.now = now;
  }

  public Conditions set(String type, boolean status, String reason, String message) {
    String value = status ? "True" : "False";
    String msg = Sanitizer.truncate(message, MAX_MESSAGE);
    String since = find(previous, type).filter(c -> value.equals(c.getStatus()))
        .map(StatusCondition::getLastTransitionTime).orElse(now.toString());
    next.removeIf(c -> c.getType().equals(type));
    next.add(new StatusCondition(type, value, reason, msg, since, generation));
    return this;
  }

  public List<StatusCondition> build() {
    return List.copyOf(next);
  }

  public static Optional<StatusCondition> find(List<StatusCondition> conditions, String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<StatusCondition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  public static String message(List<StatusCondition> conditions, String type) {
    return find(conditions, type).map(StatusCondition::getMessage).orElse("");
  }
}
