package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.TargetStatus;
import io.antiscraping.operator.decision.MetricsHealth;
import io.antiscraping.operator.enforcement.EnforcementReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the next status from an evaluation and an enforcement report. The Enforced condition comes from an ordered
 * list of rules (the first that applies decides its reason and message); one aggregator derives Ready and Degraded
 * from the conditions; and the warnings to publish as Events are the conditions of Warning severity whose message
 * changed, so that Events follow transitions, never repeat a steady state.
 */
final class StatusBuilder {

  private static final int MAX_LISTED_TARGETS = 100;

  private StatusBuilder() {
  }

  /** An optional data plane that cannot run: {@code reason} is the Enforced condition's reason. */
  record Unavailable(String reason, String message) {
  }

  /** A Warning Event to publish: a condition of Warning severity that changed. */
  record Warning(String reason, String message) {
  }

  /** The next status and the Warning Events its transitions call for. */
  record Built(ScrapingPolicyStatus status, List<Warning> warnings) {
  }

  /** What one reconcile produced, as the rules read it. */
  private record Input(ScrapingPolicy policy, Evaluation evaluation, EnforcementReport report, String writeFailure,
                       Unavailable unavailable, String targetKind, long enforcedTargets) {

    boolean dryRun() {
      return policy.getSpec().isDryRun();
    }

    String level() {
      return evaluation.plan().level();
    }
  }

  /**
   * One way the Enforced condition can read: it applies when {@code applies} holds; {@code warning}: a change of its
   * message is published as a Warning Event; {@code degrades}: the policy is Degraded while it stands.
   */
  private record EnforcedRule(String reason, boolean warning, boolean degrades,
                              java.util.function.Predicate<Input> applies,
                              java.util.function.Function<Input, String> message) {
  }

  /** The Enforced condition's rules, in precedence order; only the last one means enforced. */
  private static final List<EnforcedRule> ENFORCED_RULES = List.of(
      new EnforcedRule("WriteFailed", true, true, in -> in.writeFailure() != null, Input::writeFailure),
      new EnforcedRule(null, true, true, in -> in.unavailable() != null, in -> in.unavailable().message()),
      new EnforcedRule("DryRun", false, false, Input::dryRun, in -> "dry run: nothing is written; level " + in.level()
          + " would apply to " + in.enforcedTargets() + " target(s)" + notEnforceableSuffix(in.report())),
      new EnforcedRule("NoTargets", false, false, in -> in.report().targets().isEmpty(),
          in -> "spec.targets.selector selects no " + in.targetKind() + " in namespace "
              + in.policy().getMetadata().getNamespace()),
      // Written, but the data plane has not accepted it (yet): its own words are in the target messages.
      new EnforcedRule("NotAccepted", false, false, in -> in.enforcedTargets() == 0
          && in.report().conflicts().isEmpty() && in.report().notEnforceable().isEmpty(),
          in -> "level " + in.level() + " is written but in force on no target yet: "
              + in.report().targets().stream().map(EnforcementReport.TargetResult::message).distinct()
                  .collect(java.util.stream.Collectors.joining("; "))),
      new EnforcedRule("Conflict", false, false, in -> in.enforcedTargets() == 0 && !in.report().conflicts().isEmpty(),
          in -> "every selected target is held by a conflict (see Conflict)"),
      new EnforcedRule("NotEnforceable", true, false, in -> !in.report().notEnforceable().isEmpty(),
          in -> "level " + in.level() + " applied to " + in.enforcedTargets() + " target(s), but not enforceable there: "
              + String.join("; ", in.report().notEnforceable())),
      new EnforcedRule("NotTakingEffect", true, true,
          in -> in.evaluation().effect() != null && !in.evaluation().effect().takingEffect(),
          in -> "level " + in.level() + " written to " + in.enforcedTargets() + " target(s), but not taking effect: "
              + in.evaluation().effect().message()),
      new EnforcedRule("Enforced", false, false, in -> true,
          in -> "level " + in.level() + " applied to " + in.enforcedTargets() + " target(s)"));

  /**
   * @param targetKind  what the policy's selector selects, for the NoTargets message
   * @param unavailable the policy's data plane cannot run (its APIs are not served or not allowed); null when it can
   */
  static Built build(ScrapingPolicy policy, ScrapingPolicyStatus previous, Evaluation evaluation,
                     EnforcementReport report, String writeFailure, Instant now, String targetKind,
                     Unavailable unavailable) {
    ScrapingPolicyStatus next = previous.toBuilder().build();
    long generation = generation(policy);
    next.setObservedGeneration(generation);
    evaluation.writeState().accept(next);
    long enforcedTargets = report.targets().stream().filter(EnforcementReport.TargetResult::enforced).count();
    next.setTargetCount((int) enforcedTargets);
    next.setTargets(listed(report));
    Input in = new Input(policy, evaluation, report, writeFailure, unavailable, targetKind, enforcedTargets);
    boolean dryRun = in.dryRun();
    String level = in.level();

    Conditions c = new Conditions(previous.getConditions(), generation, now);
    c.set(Conditions.INVALID, false, "Valid", "the spec is valid");
    c.set(Conditions.STALLED, false, "Valid", "the spec is valid");
    MetricsHealth m = evaluation.metrics();
    c.set(Conditions.METRICS_AVAILABLE, m.available(), m.reason(), m.message());
    boolean conflict = !report.conflicts().isEmpty();
    c.set(Conditions.CONFLICT, conflict, conflict ? "TargetConflict" : "NoConflict",
        conflict ? String.join("; ", report.conflicts()) : "no other policy or owner competes for the targets");
    EnforcedRule rule = ENFORCED_RULES.stream().filter(r -> r.applies().test(in)).findFirst().orElseThrow();
    boolean enforced = rule == ENFORCED_RULES.get(ENFORCED_RULES.size() - 1);
    String enforcedReason = rule.reason() != null ? rule.reason() : unavailable.reason();
    c.set(Conditions.ENFORCED, enforced, enforcedReason, rule.message().apply(in));
    boolean suspect = evaluation.suspects() != null && !evaluation.suspects().isEmpty();
    c.set(Conditions.CLIENT_ADDRESSES_SUSPECT, suspect, suspect ? "ExemptClientsAboveBar" : "NoSuspectClients",
        suspect ? evaluation.suspects() : "no client that no ban may cover is above the offender bar");

    // The aggregate: Ready when in force (or computed, in dry run) with nothing in the way; Degraded when something
    // the policy asks for is not in force, or when client addresses are suspect: the policy is in force (Ready may
    // stay True), but an address that stands for many clients (a proxy, a load balancer, a node) is above the
    // offender bar, so the offender rule cannot tell its clients apart and a real-IP misconfiguration is likely.
    boolean ready = (enforced || (dryRun && writeFailure == null && unavailable == null)) && !conflict && m.available();
    boolean notInForce = !ready
        && (conflict || !m.available() || !report.notEnforceable().isEmpty() || rule.degrades());
    boolean degraded = notInForce || suspect;
    c.set(Conditions.DEGRADED, degraded, notInForce ? "Degraded" : suspect ? "ClientAddressesSuspect" : "Healthy",
        notInForce ? "see the Enforced, Conflict and MetricsAvailable conditions"
            + (suspect ? ", and ClientAddressesSuspect" : "")
        : suspect ? "in force, but client addresses are suspect: " + evaluation.suspects()
        : "everything the policy asks is in force");
    c.set(Conditions.READY, ready, ready ? (dryRun ? "DryRun" : "Enforced") : notReadyReason(conflict, m),
        ready ? "level " + level + (dryRun ? " computed (dry run)" : " in force") : "see the other conditions");
    next.setConditions(c.build());

    List<Warning> warnings = new ArrayList<>();
    warnOnChange(previous, next, Conditions.CONFLICT, conflict, "Conflict", warnings);
    warnOnChange(previous, next, Conditions.CLIENT_ADDRESSES_SUSPECT, suspect, "SuspectClientAddresses", warnings);
    warnOnChange(previous, next, Conditions.ENFORCED, rule.warning(), enforcedReason, warnings);
    return new Built(next, warnings);
  }

  /** A warning when condition {@code type} calls for one ({@code warn}) and its message changed. */
  private static void warnOnChange(ScrapingPolicyStatus previous, ScrapingPolicyStatus next, String type, boolean warn,
                                   String reason, List<Warning> out) {
    String now = Conditions.message(next.getConditions(), type);
    if (warn && !Conditions.message(previous.getConditions(), type).equals(now)) {
      out.add(new Warning(reason, now));
    }
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

  private static String notReadyReason(boolean conflict, MetricsHealth m) {
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
