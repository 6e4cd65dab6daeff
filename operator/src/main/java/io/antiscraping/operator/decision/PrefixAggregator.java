package io.antiscraping.operator.decision;

import io.antiscraping.operator.decision.EngineState.PrefixEvidence;
import io.antiscraping.operator.decision.Policy.PrefixRule;
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
  record Due(Cidr prefix, PrefixEvidence evidence) {
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
    // Summed by the prefix's network number (IPv4 as a long, IPv6 as a BigInteger): a prefix object is built only
    // for the prefixes that reach the bar.
    Map<Long, Sum> v4 = new HashMap<>();
    Map<java.math.BigInteger, Sum> v6 = new HashMap<>();
    for (Map.Entry<Cidr, Double> e : clients.entrySet()) {
      Cidr client = e.getKey();
      double v = e.getValue();
      int len = rule.length(client);
      if (!(v > 0) || client.prefixLength() < len) {
        continue;
      }
      Sum s = client.ipv6() ? v6.computeIfAbsent(client.network().shiftRight(128 - len), k -> new Sum())
          : v4.computeIfAbsent(client.network().longValue() >>> (32 - len), k -> new Sum());
      s.members++;
      s.sum += v;
      if (v > rule.memberAbove()) {
        s.suspicious++;
      }
    }
    Map<Cidr, Instant> qualifying = new HashMap<>();
    List<Due> due = new ArrayList<>();
    java.util.function.BiConsumer<Cidr, Sum> consider = (prefix, s) -> {
      double share = (double) s.suspicious / s.members;
      if (!allowlisted.test(prefix) && !knownGood.anyInside(prefix)) {
        Instant prev = previous.get(prefix);
        Instant since = prev == null || prev.isAfter(now) ? now : prev;
        qualifying.put(prefix, since);
        if (!since.plus(rule.forDuration()).isAfter(now)) {
          due.add(new Due(prefix, new PrefixEvidence(s.members, s.sum, share)));
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

  /** Sum, members and purity: everything but the allowlist and the known-good clients. */
  private static boolean reaches(PrefixRule rule, Sum s) {
    return s.sum > rule.above() && s.members >= rule.minMembers()
        && (double) s.suspicious / s.members >= rule.minShare();
  }

  /** The reason text of a prefix ban. */
  static String describe(String signal, PrefixRule rule, PrefixEvidence e) {
    return "prefix: " + e.members() + (e.members() == 1 ? " member" : " members") + ", sum " + signal + "="
        + Fmt.num(e.sum()) + " > " + Fmt.num(rule.above()) + " for " + Fmt.duration(rule.forDuration()) + ", "
        + Math.round(e.suspiciousShare() * 100) + "% above " + Fmt.num(rule.memberAbove());
  }
}
