package io.antiscraping.operator.enforcement;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;

/**
 * Which policy a target belongs to when several select it: the oldest policy whose selector matches the target's
 * labels, ties broken by name ({@link PolicyRef#PRECEDENCE}). The others leave the target alone and report Conflict.
 */
public final class TargetArbiter {

  private TargetArbiter() {
  }

  /** A target another policy wins: the winner and the Conflict message. */
  public record Lost(PolicyRef winner, String why) {
  }

  /**
   * Whether {@code policy} loses {@code target} (of kind {@code kind}, as users know it) to another policy among
   * {@code competing} (every live policy of the data plane in the namespace, {@code policy} included).
   */
  public static Optional<Lost> lost(PolicyRef policy, List<PolicyRef> competing, HasMetadata target, String kind) {
    return competing.stream()
        .filter(p -> p.selector().matches(target.getMetadata().getLabels()))
        .min(PolicyRef.PRECEDENCE)
        .filter(winner -> !winner.sameAs(policy))
        .map(winner -> new Lost(winner, kind + " " + target.getMetadata().getName() + " is also selected by policy "
            + winner.name() + ", which takes precedence (older, or same age and first by name)"));
  }
}
