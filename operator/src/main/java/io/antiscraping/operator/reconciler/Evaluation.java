package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.operator.decision.DecisionEvent;
import io.antiscraping.operator.decision.EffectCheck;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.decision.MetricsHealth;
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
 * @param suspectCount  client addresses that no ban may cover above the offender bar
 * @param suspects      the ClientAddressesSuspect message; empty when no client address looks suspect
 * @param effect        the spec.enforcementCheck verdict; null without a check or when its signal failed
 */
public record Evaluation(EnforcementPlan plan, int levelIndex, Consumer<ScrapingPolicyStatus> writeState,
                         List<DecisionEvent> notices, MetricsHealth metrics, boolean banCapReached,
                         Integer knownGood, boolean held, int suspectCount, String suspects,
                         EffectCheck.Result effect) {
}
