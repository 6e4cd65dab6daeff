package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.KnownGood;
import io.antiscraping.api.v1alpha1.NetworkAggregation;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.LevelOffenders;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.PrefixAggregation;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.WhenCondition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A spec read once per evaluation into the form the engine needs. Tolerates what schema validation should have
 * rejected (missing thresholds, bad durations, out-of-range prefix lengths) by choosing the safe reading.
 */
final class CompiledPolicy {

  /** One {@code when} comparison. */
  record Cond(String key, String signal, boolean above, double threshold, Duration forDuration) {
    boolean test(double v) {
      return above ? v > threshold : v < threshold;
    }

    String describe(Double value) {
      return signal + "=" + (value == null ? "?" : Formatting.num(value)) + (above ? " > " : " < ") + Formatting.num(threshold)
          + " for " + Formatting.duration(forDuration);
    }
  }

  /**
   * The offenders rule in force at one level: spec.offenders with the level-scoped overrides of every level up to
   * this one (an unset field inherits from the level below).
   *
   * @param key      the base rule's key ({@code <signal>><above>} of spec.offenders): pending offenders are kept while
   *                 it stays the same, whatever level-scoped bar applies
   * @param prefixes the prefix aggregation rule, or null
   */
  record OffendersRule(String key, String signal, double above, Duration forDuration, Duration banFor, int maxBanned,
                       int ipv4PrefixLength, int ipv6PrefixLength, PrefixRule prefixes) {

    int prefixLength(Cidr c) {
      return c.ipv6() ? ipv6PrefixLength : ipv4PrefixLength;
    }

    String describe(double value) {
      return describe(value, bar());
    }

    /** What {@link #describe} puts after {@code <signal>=<value>}: the same for every value (loops build it once). */
    String bar() {
      return " > " + Formatting.num(above) + " for " + Formatting.duration(forDuration);
    }

    String describe(double value, String bar) {
      return signal + "=" + Formatting.num(value) + bar;
    }
  }

  /**
   * Prefix aggregation: per-client values summed per prefix of {@code ipv4Length}/{@code ipv6Length}; a prefix
   * qualifies when the sum is strictly above {@code above}, it has at least {@code minMembers} active members (value
   * &gt; 0) and at least {@code minShare} of them are strictly above {@code memberAbove}.
   */
  record PrefixRule(int ipv4Length, int ipv6Length, double above, Duration forDuration, double memberAbove,
                    double minShare, int minMembers, Duration banFor) {
    int length(Cidr c) {
      return c.ipv6() ? ipv6Length : ipv4Length;
    }

    String key() {
      return ipv4Length + "/" + ipv6Length;
    }
  }

  /**
   * Network bans with shopper carve-outs ({@code spec.offenders.networks}), judged from level {@code fromIndex} on:
   * the {@code signal}'s per-client values summed per network of {@code ipv4Length}/{@code ipv6Length} under
   * {@code prefix}'s thresholds; the {@code shoppers} signal's clients above {@code shoppersAbove} (null: none) and
   * the known-good clients are innocent members, carved out of a ban, at most {@code maxCarveOuts} per network.
   */
  record NetworkRule(int fromIndex, String signal, PrefixRule prefix, String shoppers, double shoppersAbove,
                     int maxCarveOuts) {
    /** Whether {@code ban} is a network ban: as broad as a network or broader. */
    boolean covers(Cidr ban) {
      return ban.prefixLength() <= prefix.length(ban);
    }
  }

  /** The known-good clients' signal: a client whose value is strictly above {@code above}, at most {@code max}. */
  record KnownGoodRule(String signal, double above, int max) {
  }

  final List<String> levels = new ArrayList<>();
  final Map<String, Integer> levelIndex = new HashMap<>();
  final List<List<Cond>> conditions = new ArrayList<>();
  final Map<String, Signal> signals = new LinkedHashMap<>();
  final Set<String> referenced = new LinkedHashSet<>();
  final Duration cooldown;
  final Duration staleAfter;
  final boolean hold;
  final OffendersRule offenders;
  /** The offenders rule in force at each level (by index); all null without spec.offenders. */
  final List<OffendersRule> offendersByLevel = new ArrayList<>();
  final KnownGoodRule knownGood;
  /** Network bans, or null. */
  final NetworkRule networks;
  final Duration banUpdateInterval;
  final List<Cidr> allowlist;

  /** The admin's never-banned ranges (beside the built-in ones). */
  private final List<Cidr> neverBanned;

  /**
   * The IPv4 addresses of the allowlist and the never-banned ranges (built in and the admin's) as disjoint intervals,
   * sorted: {@code [v4Starts[i], v4Ends[i]]}, inclusive. An IPv4 prefix overlaps one of those CIDRs exactly when its
   * own interval meets one of these (CIDR blocks are nested or disjoint), which a binary search tells.
   */
  private final long[] v4Starts;
  private final long[] v4Ends;

  private CompiledPolicy(ScrapingPolicySpec spec, List<Cidr> neverBanned) {
    this.neverBanned = List.copyOf(neverBanned);
    List<Level> ls = spec.getLevels() == null ? List.of() : spec.getLevels();
    if (ls.isEmpty()) {
      throw new IllegalArgumentException("spec.levels is empty: a policy needs at least its baseline level");
    }
    for (Signal s : spec.getSignals() == null ? List.<Signal>of() : spec.getSignals()) {
      if (s != null && s.getName() != null) {
        signals.putIfAbsent(s.getName(), s);
      }
    }
    for (int i = 0; i < ls.size(); i++) {
      Level l = ls.get(i);
      String name = l == null || l.getName() == null ? "level-" + i : l.getName();
      levels.add(name);
      levelIndex.putIfAbsent(name, i);
      List<Cond> cs = new ArrayList<>();
      if (i > 0 && l != null && l.getWhen() != null) {
        for (int j = 0; j < l.getWhen().size(); j++) {
          WhenCondition w = l.getWhen().get(j);
          if (w == null) {
            continue;
          }
          boolean above = w.getAbove() != null;
          Double t = above ? w.getAbove() : w.getBelow();
          double threshold = t == null ? Double.NaN : t;
          String signal = String.valueOf(w.getSignal());
          String key = name + "/" + j + ":" + signal + (above ? ">" : "<") + Formatting.num(threshold);
          cs.add(new Cond(key, signal, above, threshold, Formatting.parseDuration(w.getForDuration(), Duration.ZERO)));
          referenced.add(signal);
        }
      }
      conditions.add(List.copyOf(cs));
    }
    cooldown = Formatting.parseDuration(spec.getCooldown(), Formatting.parseDuration(ScrapingPolicySpec.DEFAULT_COOLDOWN, null));
    staleAfter = Formatting.parseDuration(spec.getStaleAfter(),
        Formatting.parseDuration(ScrapingPolicySpec.DEFAULT_STALE_AFTER, null));
    hold = spec.getOnMetricsUnavailable() != ScrapingPolicySpec.OnMetricsUnavailable.BASELINE;
    Offenders o = spec.getOffenders();
    if (o != null && o.getSignal() != null) {
      double above = o.getAbove() == null ? Double.NaN : o.getAbove();
      Duration banFor = Formatting.parseDuration(o.getBanFor(), Duration.ofHours(1));
      offenders = new OffendersRule(o.getSignal() + ">" + Formatting.num(above), o.getSignal(), above,
          Formatting.parseDuration(o.getForDuration(), Duration.ofMinutes(1)), banFor,
          clamp(o.getMaxBanned(), Offenders.DEFAULT_MAX_BANNED, 0, 5000),
          clamp(o.getIpv4PrefixLength(), 32, 8, 32),
          clamp(o.getIpv6PrefixLength(), 64, 32, 128), prefixRule(o.getPrefixes(), banFor));
      referenced.add(o.getSignal());
    } else {
      offenders = null;
    }
    OffendersRule inForce = offenders;
    for (int i = 0; i < ls.size(); i++) {
      LevelOffenders lo = i == 0 || ls.get(i) == null ? null : ls.get(i).getOffenders();
      if (inForce != null && lo != null) {
        inForce = tightened(inForce, lo);
      }
      offendersByLevel.add(inForce);
    }
    NetworkAggregation na = o == null || offenders == null ? null : o.getNetworks();
    int fromIndex = na == null || na.getFromLevel() == null ? -1 : levelIndex.getOrDefault(na.getFromLevel(), -1);
    if (na != null && na.getSignal() != null && fromIndex > 0) {
      PrefixRule p = new PrefixRule(clamp(na.getIpv4PrefixLength(), 16, NetworkAggregation.MIN_IPV4_PREFIX_LENGTH, 31),
          clamp(na.getIpv6PrefixLength(), 32, NetworkAggregation.MIN_IPV6_PREFIX_LENGTH, 127),
          na.getAbove() == null ? Double.NaN : na.getAbove(),
          Formatting.parseDuration(na.getForDuration(), Duration.ofSeconds(10)), finiteOr(na.getMemberAbove(), 0),
          share(na.getMinSuspiciousShare(), 0.9),
          clamp(na.getMinMembers(), 10, 1, 65536), Formatting.parseDuration(na.getBanFor(), offenders.banFor()));
      networks = new NetworkRule(fromIndex, na.getSignal(), p, na.getShoppers(), finiteOr(na.getShoppersAbove(), 0),
          clamp(na.getMaxCarveOuts(), 32, 0, NetworkAggregation.MAX_CARVE_OUTS));
      // Not "referenced": their failure stops network bans (no network is judged without knowing who is inside),
      // not the policy, as the known-good signal's does.
    } else {
      networks = null;
    }
    KnownGood kg = spec.getKnownGood();
    knownGood = kg == null || kg.getSignal() == null ? null : new KnownGoodRule(kg.getSignal(),
        kg.getAbove() == null || !Double.isFinite(kg.getAbove()) ? 0 : kg.getAbove(),
        clamp(kg.getMaxClients(), KnownGood.DEFAULT_MAX_CLIENTS, 1, KnownGood.MAX_CLIENTS));
    banUpdateInterval = Formatting.parseDuration(spec.getBanUpdateInterval(),
        Formatting.parseDuration(ScrapingPolicySpec.DEFAULT_BAN_UPDATE_INTERVAL, null));
    allowlist = Plans.allowlist(spec);
    List<long[]> v4 = new ArrayList<>();
    for (List<Cidr> ranges : List.of(allowlist, Plans.NEVER_BANNED, this.neverBanned)) {
      for (Cidr a : ranges) {
        if (!a.ipv6()) {
          v4.add(new long[] {v4Start(a), v4End(a)});
        }
      }
    }
    v4.sort((a, b) -> Long.compare(a[0], b[0]));
    List<long[]> merged = new ArrayList<>();
    for (long[] r : v4) {
      long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && r[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        merged.add(new long[] {r[0], r[1]});
      }
    }
    v4Starts = new long[merged.size()];
    v4Ends = new long[merged.size()];
    for (int i = 0; i < merged.size(); i++) {
      v4Starts[i] = merged.get(i)[0];
      v4Ends[i] = merged.get(i)[1];
    }
  }

  static CompiledPolicy of(ScrapingPolicySpec spec) {
    return new CompiledPolicy(spec, List.of());
  }

  /** With ranges the operator's admin adds to {@link Plans#NEVER_BANNED} (load balancer, pod, node CIDRs). */
  static CompiledPolicy of(ScrapingPolicySpec spec, List<Cidr> neverBanned) {
    return new CompiledPolicy(spec, neverBanned);
  }

  private static long v4Start(Cidr c) {
    return c.network().longValue();
  }

  private static long v4End(Cidr c) {
    return c.network().longValue() + (1L << (32 - c.prefixLength())) - 1;
  }

  /** The offenders rule in force at level {@code index} (null without spec.offenders). */
  OffendersRule offendersAt(int index) {
    return index >= 0 && index < offendersByLevel.size() ? offendersByLevel.get(index) : offenders;
  }

  int indexOf(String level) {
    Integer i = level == null ? null : levelIndex.get(level);
    return i == null ? -1 : i;
  }

  /** Private ranges (RFC 1918, shared address space, unique local): where load balancers, nodes and pods live. */
  private static final List<Cidr> PRIVATE = java.util.stream.Stream.of("10.0.0.0/8", "172.16.0.0/12",
      "192.168.0.0/16", "100.64.0.0/10", "fc00::/7").map(c -> Cidr.parse(c).orElseThrow()).toList();

  /**
   * Whether {@code c} is an infrastructure address: never banned (built in or by the admin) or private. Such an
   * address above the offender bar is reported as suspect (a proxy's address for everyone, or a forged one).
   */
  boolean internal(Cidr c) {
    for (List<Cidr> ranges : List.of(Plans.NEVER_BANNED, neverBanned, PRIVATE)) {
      for (Cidr a : ranges) {
        if (a.contains(c)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether {@code c} overlaps the allowlist or the addresses no ban may cover ({@link Plans#NEVER_BANNED}): for
   * IPv4 (only IPv4 ranges can overlap an IPv4 prefix) a binary search of the merged intervals, otherwise
   * {@link #allowlistedByDefinition}, which it always equals.
   */
  boolean allowlisted(Cidr c) {
    if (c.ipv6()) {
      return allowlistedByDefinition(c);
    }
    long start = v4Start(c);
    // The first interval ending at or after the prefix's start: the prefix overlaps the ranges iff it starts there.
    int lo = 0;
    int hi = v4Ends.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (v4Ends[mid] < start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < v4Ends.length && v4Starts[lo] <= v4End(c);
  }

  /** {@link #allowlisted} by its definition: any allowlisted or never-banned CIDR overlapping {@code c}. */
  boolean allowlistedByDefinition(Cidr c) {
    for (Cidr a : allowlist) {
      if (a.overlaps(c)) {
        return true;
      }
    }
    for (Cidr a : Plans.NEVER_BANNED) {
      if (a.overlaps(c)) {
        return true;
      }
    }
    for (Cidr a : neverBanned) {
      if (a.overlaps(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The prefix to ban for an offending client: the client widened to the policy's prefix length, or the client
   * itself when the widened prefix would cover an allowlisted address; null when even the client is allowlisted.
   * The client must not be broader than the policy's prefix length (callers check).
   */
  Cidr banPrefix(Cidr client) {
    Cidr wide = client.widenTo(offenders.prefixLength(client));
    if (!allowlisted(wide)) {
      return wide;
    }
    return allowlisted(client) ? null : client;
  }

  private static PrefixRule prefixRule(PrefixAggregation p, Duration banFor) {
    if (p == null) {
      return null;
    }
    return new PrefixRule(clamp(p.getIpv4PrefixLength(), 24, PrefixAggregation.MIN_IPV4_PREFIX_LENGTH, 32),
        clamp(p.getIpv6PrefixLength(), 48, PrefixAggregation.MIN_IPV6_PREFIX_LENGTH, 128),
        p.getAbove() == null ? Double.NaN : p.getAbove(),
        Formatting.parseDuration(p.getForDuration(), Duration.ofMinutes(1)), finiteOr(p.getMemberAbove(), 0),
        share(p.getMinSuspiciousShare(), 0.8),
        clamp(p.getMinMembers(), 2, 1, 65536), Formatting.parseDuration(p.getBanFor(), banFor));
  }

  /** {@code r} with the level-scoped overrides of {@code lo}; only a tighter value replaces the one in force. */
  private static OffendersRule tightened(OffendersRule r, LevelOffenders lo) {
    double above = lo.getAbove() != null && lo.getAbove() < r.above() ? lo.getAbove() : r.above();
    Duration forDuration = Formatting.parseDuration(lo.getForDuration(), r.forDuration());
    if (forDuration.compareTo(r.forDuration()) > 0) {
      forDuration = r.forDuration();
    }
    Duration banFor = Formatting.parseDuration(lo.getBanFor(), r.banFor());
    PrefixRule p = r.prefixes();
    if (p != null) {
      double prefixAbove = lo.getPrefixAbove() != null && lo.getPrefixAbove() < p.above() ? lo.getPrefixAbove()
          : p.above();
      double memberAbove = lo.getMemberAbove() != null && lo.getMemberAbove() < p.memberAbove() ? lo.getMemberAbove()
          : p.memberAbove();
      Duration prefixBanFor = lo.getBanFor() != null ? banFor : p.banFor();
      Duration prefixFor = lo.getForDuration() != null && forDuration.compareTo(p.forDuration()) < 0 ? forDuration
          : p.forDuration();
      p = new PrefixRule(p.ipv4Length(), p.ipv6Length(), prefixAbove, prefixFor, memberAbove, p.minShare(),
          p.minMembers(), prefixBanFor);
    }
    return new OffendersRule(r.key(), r.signal(), above, forDuration, banFor, r.maxBanned(), r.ipv4PrefixLength(),
        r.ipv6PrefixLength(), p);
  }

  /** {@code v}, or {@code dflt} when unset or not finite. */
  private static double finiteOr(Double v, double dflt) {
    return v == null || !Double.isFinite(v) ? dflt : v;
  }

  /** A purity share: {@code v} capped at 1, or {@code dflt} when unset, negative or NaN. */
  private static double share(Double v, double dflt) {
    return v == null || !(v >= 0) ? dflt : Math.min(1, v);
  }

  private static int clamp(Integer v, int dflt, int min, int max) {
    int x = v == null ? dflt : v;
    return Math.max(min, Math.min(max, x));
  }
}
