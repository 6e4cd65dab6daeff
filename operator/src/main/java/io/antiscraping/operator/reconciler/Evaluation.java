package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.operator.decision.EnforcementPlan;
import java.util.List;
import java.util.function.Consumer;

/**
 * The outcome of detection and decision for one evaluation of one policy: the plan to enforce, how it changes the
 * persisted state in the status, what to tell the user, and whether the metrics were there.
 *
 * @param plan          what the data plane must enforce
 * @param levelIndex    index of the level in force in spec.levels
 * @param writeState    writes level, bans, signal values and engine memory into the next status
 * @param notices       events to record (level changes, bans, metrics problems)
 * @param metrics       MetricsAvailable condition
 * @param banCapReached offenders.maxBanned was hit
 * @param knownGood     known-good clients counted (null without spec.knownGood or when its signal failed)
 * @param held          the write budget holds decided ban or known-good changes back until the next publication
 */
public record Evaluation(EnforcementPlan plan, int levelIndex, Consumer<ScrapingPolicyStatus> writeState,
                         List<Notice> notices, MetricsState metrics, boolean banCapReached, Integer knownGood,
                         boolean held) {

  /** Something worth an Event. */
  public record Notice(boolean warning, String reason, String message) {
  }

  /** The MetricsAvailable condition. */
  public record MetricsState(boolean available, String reason, String message) {
  }
}
