package io.antiscraping.operator.decision;

import java.util.Objects;

/**
 * The plan last handed to the data planes for one policy, and when its ban and known-good lists were last allowed to
 * change. The caller keeps it between evaluations (in memory: after a restart the first plan goes out at once) and
 * passes it back, so that the engine can apply the write budget.
 */
public record PublishedPlan(EnforcementPlan plan, java.time.Instant at) {
  public PublishedPlan {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(at, "at");
  }
}
