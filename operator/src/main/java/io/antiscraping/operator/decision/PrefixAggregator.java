package io.antiscraping.operator.decision;

import io.antiscraping.operator.decision.EngineState.PrefixEvidence;
import io.antiscraping.operator.decision.CompiledPolicy.PrefixRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Prefix aggregation with a purity guard. The offenders signal's per-client values are summed per aggregation
 * prefix; a prefix <em>qualifies</em> at an evaluation when
 * <ul>
 *   <li>the sum of its members' values is strictly above the rule's bar,</li>
 *   <li>it has at least {@code minMembers} active members (value &gt; 0),</li>
 *   <li>at least {@code minShare} of its active members are themselves suspicious (value strictly above
 *   {@code memberAbove}): purity, which protects shoppers who merely share a network (CGNAT, offices),</li>
 *   <li>it overlaps no allowlisted CIDR and contains no known-good client.</li>
 * </ul>
 * A prefix that has qualified at every evaluation for the rule's {@code for} is <em>due</em> for a ban. When the
 * known-good clients are unknown (their signal failed), no prefix qualifies: a prefix ban must never be decided
 * without knowing who is inside.
 */
final class PrefixAggregator {

  private PrefixAggregator() {
  }

  /** A prefix due for a ban, with its evidence. */
  record Due(Cidr prefix, PrefixEvidence evidence, int carved) {
  }

  /**
   * @param qualifying every prefix qualifying now, and since when (continuously)
   * @param due        the prefixes due for a ban, highest sum first
   */
  record Outcome(Map<Cidr, Instant> qualifying, List<Due> due) {
  }

  static final Outcome NONE = new Outcome(Map.of(), List.of());

  private static final class Sum {
    int members;
    int suspicious;
    int carved;
    double sum;
  }

  /**
   * @param previous  the qualifying prefixes of the previous evaluation and since when (empty after a rule change)
   * @param knownGood the known-good clients, or null when they are unknown
   */
  static Outcome evaluate(PrefixRule rule, Map<Cidr, Double> clients, Map<Cidr, Instant> previous,
                          Predicate<Cidr> allowlisted, KnownGoodClients knownGood, Instant now) {
    if (rule == null || knownGood == null || !Double.isFinite(rule.above())) {
      return NONE;
    }
    return evaluate(rule, clients, null, Integer.MAX_VALUE, previous,
        prefix -> !allowlisted.test(prefix) && !knownGood.anyInside(prefix), now);
  }

  /**
   * Networks ({@code spec.offenders.networks}): as prefixes, except that the innocent clients (shopper-like and
   * known-good) do not keep a network from qualifying: they are members that are never suspicious (their values
   * are not summed) and are carved out of its ban, at most {@code maxCarveOuts} of them.
   *
   * @param innocents the innocent single addresses, or null when they are unknown (no network qualifies)
   */
  static Outcome evaluateNetworks(CompiledPolicy.NetworkRule rule, Map<Cidr, Double> clients,
                                  java.util.NavigableSet<Cidr> innocents, Map<Cidr, Instant> previous,
                                  Predicate<Cidr> allowlisted, Instant now) {
    if (rule == null || innocents == null || !Double.isFinite(rule.prefix().above())) {
      return NONE;
    }
    return evaluate(rule.prefix(), clients, innocents, rule.maxCarveOuts(), previous, prefix -> !allowlisted.test(prefix),
        now);
  }

  private static Outcome evaluate(PrefixRule rule, Map<Cidr, Double> clients, java.util.NavigableSet<Cidr> innocents,
                                  int maxCarveOuts, Map<Cidr, Instant> previous, Predicate<Cidr> eligible,
                                  Instant now) {
    // Summed by the prefix's network number (IPv4 as a long, IPv6 as a BigInteger): a prefix object is built only
    // for the prefixes that reach the bar.
    Map<Long, Sum> v4 = new HashMap<>();
    Map<java.math.BigInteger, Sum> v6 = new HashMap<>();
    for (Map.Entry<Cidr, Double> e : clients.entrySet()) {
      Cidr client = e.getKey();
      double v = e.getValue();
      int len = rule.length(client);
      if (!(v > 0) || client.prefixLength() < len || (innocents != null && innocents.contains(client))) {
        continue;
      }
      Sum s = sumOf(client, len, v4, v6, true);
      s.members++;
      s.sum += v;
      if (v > rule.memberAbove()) {
        s.suspicious++;
      }
    }
    if (innocents != null) {
      for (Cidr client : innocents) {
        Sum s = sumOf(client, rule.length(client), v4, v6, false);
        if (s != null) {
          s.members++;
          s.carved++;
        }
      }
    }
    Map<Cidr, Instant> qualifying = new HashMap<>();
    List<Due> due = new ArrayList<>();
    java.util.function.BiConsumer<Cidr, Sum> consider = (prefix, s) -> {
      double share = (double) s.suspicious / s.members;
      if (s.carved <= maxCarveOuts && eligible.test(prefix)) {
        Instant prev = previous.get(prefix);
        Instant since = prev == null || prev.isAfter(now) ? now : prev;
        qualifying.put(prefix, since);
        if (!since.plus(rule.forDuration()).isAfter(now)) {
          due.add(new Due(prefix, new PrefixEvidence(s.members, s.sum, share), s.carved));
        }
      }
    };
    v4.forEach((net, s) -> {
      if (reaches(rule, s)) {
        int len = rule.ipv4Length();
        consider.accept(new Cidr(false, java.math.BigInteger.valueOf(len == 0 ? 0 : net << (32 - len)), len), s);
      }
    });
    v6.forEach((net, s) -> {
      if (reaches(rule, s)) {
        consider.accept(new Cidr(true, net.shiftLeft(128 - rule.ipv6Length()), rule.ipv6Length()), s);
      }
    });
    due.sort(Comparator.comparingDouble((Due d) -> -d.evidence().sum()).thenComparing(Due::prefix));
    return new Outcome(qualifying, due);
  }

  /** The running sum of {@code client}'s prefix of length {@code len}; null if absent and not {@code create}. */
  private static Sum sumOf(Cidr client, int len, Map<Long, Sum> v4, Map<java.math.BigInteger, Sum> v6,
                           boolean create) {
    if (client.ipv6()) {
      java.math.BigInteger k = client.network().shiftRight(128 - len);
      return create ? v6.computeIfAbsent(k, x -> new Sum()) : v6.get(k);
    }
    long k = client.network().longValue() >>> (32 - len);
    return create ? v4.computeIfAbsent(k, x -> new Sum()) : v4.get(k);
  }

  /** Sum, members and purity: everything but the allowlist and the known-good clients. */
  private static boolean reaches(PrefixRule rule, Sum s) {
    return s.sum > rule.above() && s.members >= rule.minMembers()
        && (double) s.suspicious / s.members >= rule.minShare();
  }

  /** The reason text of a network ban. */
  static String describeNetwork(CompiledPolicy.NetworkRule rule, Due d) {
    return "network: " + describe(rule.signal(), rule.prefix(), d.evidence()).substring("prefix: ".length())
        + (d.carved() == 0 ? "" : ", " + d.carved() + " shopper-like or known-good "
        + (d.carved() == 1 ? "client" : "clients") + " carved out");
  }

  /** The reason text of a prefix ban. */
  static String describe(String signal, PrefixRule rule, PrefixEvidence e) {
    return "prefix: " + e.members() + (e.members() == 1 ? " member" : " members") + ", sum " + signal + "="
        + Formatting.num(e.sum()) + " > " + Formatting.num(rule.above()) + " for " + Formatting.duration(rule.forDuration()) + ", "
        + Math.round(e.suspiciousShare() * 100) + "% above " + Formatting.num(rule.memberAbove());
  }
}
