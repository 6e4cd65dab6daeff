package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.RouteBudget;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Waf;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

/** Turns a level of a policy into the {@link EnforcementPlan} every data plane enforces. */
public final class Plans {

  private Plans() {
  }

  /**
   * The plan for level {@code levelName} of {@code spec}: the level's rate limits and WAF settings (absent: none /
   * disabled), the policy's allowlist (canonical; entries that are not an IP address or CIDR are left out: such a
   * policy is reported Invalid by the validator before any plan is made) and the given bans.
   *
   * @throws IllegalArgumentException when the spec has no level of that name
   */
  public static EnforcementPlan forLevel(ScrapingPolicySpec spec, String levelName, Collection<Cidr> bans) {
    return forLevel(spec, levelName, bans, List.of());
  }

  /**
   * As {@link #forLevel(ScrapingPolicySpec, String, Collection)}, with the known-good clients that the level's route
   * budget exempts (ignored at a level without a route budget).
   */
  public static EnforcementPlan forLevel(ScrapingPolicySpec spec, String levelName, Collection<Cidr> bans,
                                         Collection<Cidr> knownGood) {
    Level level = levels(spec).stream().filter(l -> l != null && levelName.equals(l.getName())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no level named " + levelName + " in spec.levels"));
    RouteBudget b = level.getRouteBudget();
    EnforcementPlan.RouteBudget budget = b == null || b.getRequestsPerSecond() == null ? null
        : new EnforcementPlan.RouteBudget(Math.max(0, b.getRequestsPerSecond()), opt(b.getPerClientRequestsPerMinute()));
    return new EnforcementPlan(level.getName(), rateLimits(level.getRateLimit()), waf(level.getWaf()),
        allowlist(spec), List.copyOf(bans),
        level.getDenyUserAgents() == null ? List.of() : List.copyOf(level.getDenyUserAgents()), budget,
        List.copyOf(knownGood));
  }

  /** The name of the baseline (first) level. */
  public static String baseline(ScrapingPolicySpec spec) {
    List<Level> levels = levels(spec);
    if (levels.isEmpty() || levels.get(0) == null || levels.get(0).getName() == null) {
      throw new IllegalArgumentException("spec.levels must start with a named baseline level");
    }
    return levels.get(0).getName();
  }

  /**
   * The allowlist entries that parse as an IP address or CIDR, canonical, sorted, without duplicates. IPv4-mapped
   * IPv6 entries ({@code ::ffff:10.0.0.0/104}) are normalised to the IPv4 prefix they denote, as client keys are, so
   * that they protect the clients they name.
   */
  public static List<Cidr> allowlist(ScrapingPolicySpec spec) {
    TreeSet<Cidr> out = new TreeSet<>();
    for (String s : allowlistEntries(spec)) {
      Cidr.parse(s == null ? null : s.trim()).map(Cidr::unmapIpv4).ifPresent(out::add);
    }
    return List.copyOf(out);
  }

  /**
   * Addresses no ban may ever cover, whatever the policy says: the unspecified, loopback and link-local ranges, the
   * IPv4-compatible and IPv4-mapped IPv6 ranges (a ban over them would reach IPv4 clients through their mapped
   * form) and multicast. A client key there is the sign of a misconfigured metric (a proxy's own address, a
   * forged label), never of a real client.
   */
  public static final List<Cidr> NEVER_BANNED = java.util.stream.Stream.of("0.0.0.0/8", "127.0.0.0/8",
          "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32", "::/96", "::ffff:0:0/96", "fe80::/10", "ff00::/8")
      .map(c -> Cidr.parse(c).orElseThrow()).toList();

  static EnforcementPlan.RateLimits rateLimits(RateLimit r) {
    if (r == null) {
      return EnforcementPlan.RateLimits.NONE;
    }
    return new EnforcementPlan.RateLimits(opt(r.getRequestsPerSecond()), opt(r.getRequestsPerMinute()),
        opt(r.getBurstMultiplier()), opt(r.getConnections()));
  }

  static EnforcementPlan.WafSettings waf(Waf w) {
    if (w == null) {
      return EnforcementPlan.WafSettings.DISABLED;
    }
    Waf.Mode mode = w.getMode() == null ? Waf.Mode.DISABLED : w.getMode();
    return new EnforcementPlan.WafSettings(mode, Boolean.TRUE.equals(w.getCoreRuleSet()), opt(w.getParanoiaLevel()));
  }

  private static OptionalInt opt(Integer i) {
    return i == null ? OptionalInt.empty() : OptionalInt.of(i);
  }

  private static List<Level> levels(ScrapingPolicySpec spec) {
    return spec.getLevels() == null ? List.of() : spec.getLevels();
  }

  private static List<String> allowlistEntries(ScrapingPolicySpec spec) {
    return Optional.ofNullable(spec.getAllowlist()).map(Allowlist::getCidrs).orElse(List.of());
  }
}
