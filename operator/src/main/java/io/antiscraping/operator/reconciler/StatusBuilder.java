package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.TargetStatus;
import io.antiscraping.operator.decision.MetricsHealth;
import io.antiscraping.operator.enforcement.EnforcementReport;
import java.time.Instant;
import java.util.List;

/** Builds the next status from an evaluation and an enforcement report. */
final class StatusBuilder {

  private static final int MAX_LISTED_TARGETS = 100;

  private StatusBuilder() {
  }

  /** An optional data plane that cannot run: {@code reason} is the Enforced condition's reason. */
  record Unavailable(String reason, String message) {
  }

  /**
   * @param targetKind  what the policy's selector selects, for the NoTargets message
   * @param unavailable the policy's data plane cannot run (its APIs are not served or not allowed); null when it can
   */
  static ScrapingPolicyStatus build(ScrapingPolicy policy, ScrapingPolicyStatus previous, Evaluation evaluation,
                                    EnforcementReport report, String writeFailure, Instant now, String targetKind,
                                    Unavailable unavailable) {
    ScrapingPolicyStatus next = previous.toBuilder().build();
    long generation = generation(policy);
    next.setObservedGeneration(generation);
    evaluation.writeState().accept(next);
    long enforcedTargets = report.targets().stream().filter(EnforcementReport.TargetResult::enforced).count();
    next.setTargetCount((int) enforcedTargets);
    next.setTargets(listed(report));
    boolean dryRun = policy.getSpec().isDryRun();
    String level = evaluation.plan().level();

    Conditions c = new Conditions(previous.getConditions(), generation, now);
    c.set(Conditions.INVALID, false, "Valid", "the spec is valid");
    c.set(Conditions.STALLED, false, "Valid", "the spec is valid");
    MetricsHealth m = evaluation.metrics();
    c.set(Conditions.METRICS_AVAILABLE, m.available(), m.reason(), m.message());
    boolean conflict = !report.conflicts().isEmpty();
    c.set(Conditions.CONFLICT, conflict, conflict ? "TargetConflict" : "NoConflict",
        conflict ? String.join("; ", report.conflicts()) : "no other policy or owner competes for the targets");

    boolean enforced;
    if (writeFailure != null) {
      enforced = false;
      c.set(Conditions.ENFORCED, false, "WriteFailed", writeFailure);
    } else if (unavailable != null) {
      enforced = false;
      c.set(Conditions.ENFORCED, false, unavailable.reason(), unavailable.message());
    } else if (dryRun) {
      enforced = false;
      c.set(Conditions.ENFORCED, false, "DryRun", "dry run: nothing is written; level " + level + " would apply to "
          + enforcedTargets + " target(s)" + notEnforceableSuffix(report));
    } else if (report.targets().isEmpty()) {
      enforced = false;
      c.set(Conditions.ENFORCED, false, "NoTargets",
          "spec.targets.selector selects no " + targetKind + " in namespace " + policy.getMetadata().getNamespace());
    } else if (enforcedTargets == 0 && report.conflicts().isEmpty() && report.notEnforceable().isEmpty()) {
      // Written, but the data plane has not accepted it (yet): its own words are in the target messages.
      enforced = false;
      c.set(Conditions.ENFORCED, false, "NotAccepted", "level " + level + " is written but in force on no target yet: "
          + report.targets().stream().map(EnforcementReport.TargetResult::message).distinct()
              .collect(java.util.stream.Collectors.joining("; ")));
    } else if (enforcedTargets == 0 && !report.conflicts().isEmpty()) {
      enforced = false;
      c.set(Conditions.ENFORCED, false, "Conflict", "every selected target is held by a conflict (see Conflict)");
    } else if (!report.notEnforceable().isEmpty()) {
      enforced = false;
      c.set(Conditions.ENFORCED, false, "NotEnforceable", "level " + level + " applied to " + enforcedTargets
          + " target(s), but not enforceable there: " + String.join("; ", report.notEnforceable()));
    } else if (evaluation.effect() != null && !evaluation.effect().takingEffect()) {
      enforced = false;
      c.set(Conditions.ENFORCED, false, "NotTakingEffect", "level " + level + " written to " + enforcedTargets
          + " target(s), but not taking effect: " + evaluation.effect().message());
    } else {
      enforced = true;
      c.set(Conditions.ENFORCED, true, "Enforced", "level " + level + " applied to " + enforcedTargets + " target(s)");
    }
    boolean notTakingEffect = "NotTakingEffect".equals(Conditions.find(c.build(), Conditions.ENFORCED)
        .map(io.antiscraping.api.v1alpha1.StatusCondition::getReason).orElse(""));
    boolean suspect = evaluation.suspects() != null && !evaluation.suspects().isEmpty();
    c.set(Conditions.CLIENT_ADDRESSES_SUSPECT, suspect, suspect ? "ExemptClientsAboveBar" : "NoSuspectClients",
        suspect ? evaluation.suspects() : "no client that no ban may cover is above the offender bar");
    boolean ready = (enforced || (dryRun && writeFailure == null && unavailable == null)) && !conflict && m.available();
    boolean degraded = !ready && (conflict || !m.available() || !report.notEnforceable().isEmpty()
        || writeFailure != null || unavailable != null || notTakingEffect);
    c.set(Conditions.DEGRADED, degraded, degraded ? "Degraded" : "Healthy", degraded
        ? "see the Enforced, Conflict and MetricsAvailable conditions" : "everything the policy asks is in force");
    c.set(Conditions.READY, ready, ready ? (dryRun ? "DryRun" : "Enforced") : notReadyReason(c, enforced, conflict, m),
        ready ? "level " + level + (dryRun ? " computed (dry run)" : " in force") : "see the other conditions");
    next.setConditions(c.build());
    return next;
  }

  static ScrapingPolicyStatus invalid(ScrapingPolicy policy, ScrapingPolicyStatus previous, String message, Instant now) {
    ScrapingPolicyStatus next = previous.toBuilder().build();
    long generation = generation(policy);
    next.setObservedGeneration(generation);
    Conditions c = new Conditions(previous.getConditions(), generation, now);
    for (var existing : previous.getConditions() == null ? java.util.List.<io.antiscraping.api.v1alpha1.StatusCondition>of()
        : previous.getConditions()) {
      if (!existing.getType().equals(Conditions.READY)) {
        c.set(existing.getType(), "True".equals(existing.getStatus()), existing.getReason(), existing.getMessage());
      }
    }
    c.set(Conditions.INVALID, true, "InvalidSpec", message);
    c.set(Conditions.STALLED, true, "InvalidSpec", "fix the spec: " + message);
    c.set(Conditions.READY, false, "InvalidSpec",
        "the spec is invalid; the last valid enforcement stays in place until it is fixed");
    next.setConditions(c.build());
    return next;
  }

  /**
   * An evaluation that threw: the persisted state (level, bans, memory) and the other conditions stay as they were;
   * Degraded says what failed and Ready is False.
   */
  static ScrapingPolicyStatus failed(ScrapingPolicy policy, ScrapingPolicyStatus previous, String message, Instant now) {
    ScrapingPolicyStatus next = previous.toBuilder().build();
    long generation = generation(policy);
    Conditions c = new Conditions(previous.getConditions(), generation, now);
    for (var existing : previous.getConditions() == null ? java.util.List.<io.antiscraping.api.v1alpha1.StatusCondition>of()
        : previous.getConditions()) {
      c.set(existing.getType(), "True".equals(existing.getStatus()), existing.getReason(), existing.getMessage());
    }
    c.set(Conditions.DEGRADED, true, "EvaluationFailed", message);
    c.set(Conditions.READY, false, "EvaluationFailed", "see the Degraded condition");
    next.setConditions(c.build());
    return next;
  }

  private static String notReadyReason(Conditions c, boolean enforced, boolean conflict, MetricsHealth m) {
    if (conflict) {
      return "Conflict";
    }
    if (!m.available()) {
      return "MetricsUnavailable";
    }
    return "NotEnforced";
  }

  private static String notEnforceableSuffix(EnforcementReport report) {
    return report.notEnforceable().isEmpty() ? "" : "; not enforceable there: " + String.join("; ", report.notEnforceable());
  }

  private static long generation(ScrapingPolicy policy) {
    Long g = policy.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  /** The target list for status: at most {@value #MAX_LISTED_TARGETS} entries (targetCount has the total). */
  private static List<TargetStatus> listed(EnforcementReport report) {
    return report.targets().stream().limit(MAX_LISTED_TARGETS)
        .map(x -> new TargetStatus(x.kind(), x.name(), x.enforced(), x.message())).toList();
  }
}
