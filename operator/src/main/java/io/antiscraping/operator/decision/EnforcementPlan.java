package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.Waf;
import java.util.List;
import java.util.OptionalInt;

/**
 * What every data plane must enforce right now for one policy: the level in force, its limits and WAF settings,
 * the allowlist and the bans. Immutable; computed once per evaluation, read by each enforcer.
 *
 * @param level       the level in force
 * @param rateLimits  the level's per-client limits
 * @param waf         the level's WAF settings
 * @param allowlist   canonical CIDRs never limited nor banned, sorted
 * @param bans        canonical CIDRs banned right now, sorted
 * @param denyUserAgents the level's denied user agents (RE2 regular expressions), in spec order
 */
public record EnforcementPlan(String level, RateLimits rateLimits, WafSettings waf, List<Cidr> allowlist,
                              List<Cidr> bans, List<String> denyUserAgents) {

  public EnforcementPlan {
    allowlist = List.copyOf(allowlist.stream().sorted().toList());
    bans = List.copyOf(bans.stream().sorted().toList());
    denyUserAgents = List.copyOf(denyUserAgents);
  }

  /** A plan without denied user agents. */
  public EnforcementPlan(String level, RateLimits rateLimits, WafSettings waf, List<Cidr> allowlist, List<Cidr> bans) {
    this(level, rateLimits, waf, allowlist, bans, List.of());
  }

  /** Per-client limits; empty means "not set at this level". */
  public record RateLimits(OptionalInt requestsPerSecond, OptionalInt requestsPerMinute, OptionalInt burstMultiplier,
                           OptionalInt connections) {
    public static final RateLimits NONE =
        new RateLimits(OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
  }

  /** WAF settings of a level. */
  public record WafSettings(Waf.Mode mode, boolean coreRuleSet, OptionalInt paranoiaLevel) {
    public static final WafSettings DISABLED = new WafSettings(Waf.Mode.DISABLED, false, OptionalInt.empty());
  }
}
