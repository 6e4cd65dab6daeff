package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.EnforcementPlan;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/** Keeps every policy at its baseline level with no bans: static limits, no detection. */
public final class BaselineEvaluator implements PolicyEvaluator {

  @Override
  public Evaluation evaluate(ScrapingPolicy policy, ScrapingPolicyStatus previous, Instant now) {
    ScrapingPolicySpec spec = policy.getSpec();
    Level baseline = spec.getLevels().get(0);
    EnforcementPlan plan = planFor(spec, baseline);
    return new Evaluation(plan, 0, status -> {
      if (!baseline.getName().equals(status.getLevel()) || status.getLevelSince() == null) {
        status.setLevelSince(now.toString());
      }
      status.setLevel(baseline.getName());
      status.setBanned(List.of());
      status.setBannedCount(0);
      status.setLastEvaluation(now.toString());
    }, List.of(), new Evaluation.MetricsState(true, "NotEvaluated", "signals are not evaluated: baseline only"), false);
  }

  static EnforcementPlan planFor(ScrapingPolicySpec spec, Level level) {
    RateLimit r = level.getRateLimit();
    EnforcementPlan.RateLimits limits = r == null ? EnforcementPlan.RateLimits.NONE
        : new EnforcementPlan.RateLimits(opt(r.getRequestsPerSecond()), opt(r.getRequestsPerMinute()),
            opt(r.getBurstMultiplier()), opt(r.getConnections()));
    Waf w = level.getWaf();
    EnforcementPlan.WafSettings waf = w == null ? EnforcementPlan.WafSettings.DISABLED
        : new EnforcementPlan.WafSettings(w.getMode() == null ? Waf.Mode.DISABLED : w.getMode(),
            Boolean.TRUE.equals(w.getCoreRuleSet()), opt(w.getParanoiaLevel()));
    List<Cidr> allowlist = spec.getAllowlist() == null || spec.getAllowlist().getCidrs() == null ? List.of()
        : spec.getAllowlist().getCidrs().stream().map(Cidr::parse).flatMap(java.util.Optional::stream)
            .filter(Objects::nonNull).distinct().toList();
    return new EnforcementPlan(level.getName(), limits, waf, allowlist, List.of());
  }

  private static OptionalInt opt(Integer v) {
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }
}
