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
 * @param routeBudget the level's route budget, or null when it has none
 * @param knownGood   canonical known-good clients, sorted; only while a route budget is in force (they are exempt
 *                    from it), empty otherwise
 */
public record EnforcementPlan(String level, RateLimits rateLimits, WafSettings waf, List<Cidr> allowlist,
                              List<Cidr> bans, List<String> denyUserAgents, RouteBudget routeBudget,
                              List<Cidr> knownGood) {

  public EnforcementPlan {
    allowlist = List.copyOf(allowlist.stream().sorted().toList());
    bans = List.copyOf(bans.stream().sorted().toList());
    denyUserAgents = List.copyOf(denyUserAgents);
    knownGood = routeBudget == null ? List.of() : List.copyOf(knownGood.stream().sorted().toList());
  }

  /** A plan without denied user agents and without a route budget. */
  public EnforcementPlan(String level, RateLimits rateLimits, WafSettings waf, List<Cidr> allowlist, List<Cidr> bans) {
    this(level, rateLimits, waf, allowlist, bans, List.of());
  }

  /** A plan without a route budget. */
  public EnforcementPlan(String level, RateLimits rateLimits, WafSettings waf, List<Cidr> allowlist, List<Cidr> bans,
                         List<String> denyUserAgents) {
    this(level, rateLimits, waf, allowlist, bans, denyUserAgents, null, List.of());
  }

  /** The clients exempt from the route budget: the allowlist and the known-good clients, sorted, without duplicates. */
  public List<Cidr> exempt() {
    java.util.TreeSet<Cidr> out = new java.util.TreeSet<>(allowlist);
    out.addAll(knownGood);
    return List.copyOf(out);
  }

  /** The same plan with other bans and known-good clients (what the write budget holds back). */
  public EnforcementPlan withLists(List<Cidr> bans, List<Cidr> knownGood) {
    return new EnforcementPlan(level, rateLimits, waf, allowlist, bans, denyUserAgents, routeBudget, knownGood);
  }

  /**
   * A cap on the protected routes for every client outside {@link #exempt()}.
   *
   * @param requestsPerSecond          the shared (total) limit; 0 is a lockdown
   * @param perClientRequestsPerMinute the strict per-address limit used where the data plane has no shared limit
   */
  public record RouteBudget(int requestsPerSecond, OptionalInt perClientRequestsPerMinute) {
    public boolean lockdown() {
      return requestsPerSecond == 0;
    }
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
