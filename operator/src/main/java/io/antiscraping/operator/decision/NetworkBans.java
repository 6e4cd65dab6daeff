package io.antiscraping.operator.decision;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Network bans ({@code spec.offenders.networks}) at one evaluation: a per-client signal summed per network (see
 * {@link PrefixAggregator#evaluateNetworks}), enforced as the network minus its <em>innocent</em> clients, the
 * known-good and shopper-like single addresses inside it. The rules:
 * <ul>
 *   <li>A network ban is never enforced without knowing who is inside: while the innocents are unknown (a signal
 *   failed) no network qualifies, and what was last published for a network ban stays as it was.</li>
 *   <li>A network ban holding more innocents than {@code maxCarveOuts} is not enforced (a network of shoppers, not of
 *   a crawl); one holding more than twice that is withdrawn even from a deny list the write budget holds. Nor is one
 *   whose carved pieces exceed the entry budget ({@link #entryBudget}).</li>
 *   <li>A per-client or prefix ban inside an enforced network ban that does not carve it out adds nothing.</li>
 * </ul>
 *
 * @param rule      the networks rule, or null when the policy has none (then this part does nothing)
 * @param innocents the innocent single addresses, or null when unknown or without a networks rule
 */
record NetworkBans(CompiledPolicy.NetworkRule rule, NavigableSet<Cidr> innocents) {

  static final NetworkBans NONE = new NetworkBans(null, null);

  /**
   * The innocents of this evaluation: the known-good clients (null: unknown) and the single addresses whose value of
   * the networks rule's shoppers signal is above its bar.
   */
  static NetworkBans of(CompiledPolicy policy, SignalValues signals, KnownGoodClients knownGood) {
    CompiledPolicy.NetworkRule n = policy.networks;
    if (n == null) {
      return NONE;
    }
    if (knownGood == null) {
      return new NetworkBans(n, null);
    }
    NavigableSet<Cidr> out = new TreeSet<>(knownGood.qualifying());
    if (n.shoppers() != null) {
      Map<Cidr, Double> shoppers = signals.clients(n.shoppers());
      if (shoppers == null) {
        return new NetworkBans(n, null);
      }
      for (Map.Entry<Cidr, Double> c : shoppers.entrySet()) {
        if (c.getKey().prefixLength() == c.getKey().bits() && c.getValue() > n.shoppersAbove()) {
          out.add(c.getKey());
        }
      }
    }
    return new NetworkBans(n, out);
  }

  /** The networks qualifying and due at level {@code level}, from the networks rule's own level on. */
  PrefixAggregator.Outcome evaluate(int level, SignalValues signals, Map<Cidr, Instant> previous,
                                    Predicate<Cidr> allowlisted, Instant now) {
    if (rule == null || level < rule.fromIndex()) {
      return PrefixAggregator.NONE;
    }
    Map<Cidr, Double> clients = signals.clients(rule.signal());
    return clients == null ? PrefixAggregator.NONE
        : PrefixAggregator.evaluateNetworks(rule, clients, innocents, previous, allowlisted, now);
  }

  /**
   * Whether network ban {@code net} is enforced now: its innocents are known, within the carve-out cap, and the
   * network minus them fits the carve-out entry budget ({@link #entryBudget}).
   */
  boolean enforced(Cidr net) {
    if (innocents == null) {
      return false;
    }
    java.util.NavigableSet<Cidr> inside = net.inside(innocents);
    if (inside.size() > rule.maxCarveOuts()) {
      return false;
    }
    long bound = 0;
    for (Cidr hole : inside) {
      bound += Math.max(0, hole.prefixLength() - net.prefixLength());
    }
    return bound <= entryBudget() || net.without(inside).size() <= entryBudget();
  }

  /**
   * The most deny entries one network ban may take once its innocents are carved out: what {@code maxCarveOuts}
   * single addresses cost at worst in an IPv4 network of the rule's length (each hole costs at most its length minus
   * the network's). An IPv4 network within the cap always fits; an IPv6 one, where a single address costs up to 96
   * entries in a /32, is not enforced beyond it (its members' own bans still apply), so that a few shoppers cannot
   * turn one network into tens of thousands of entries that crowd out every other ban.
   */
  long entryBudget() {
    return Math.max(1L, (long) rule.maxCarveOuts() * (32 - rule.prefix().ipv4Length()));
  }

  /**
   * Whether an enforced network ban among {@code banned} covers {@code c} (a client or a prefix) and does not carve
   * it out: banning {@code c} as well would add nothing.
   */
  boolean covers(Cidr c, Set<Cidr> banned) {
    if (rule == null) {
      return false;
    }
    int len = rule.prefix().length(c);
    Cidr net = c.widenTo(len);
    return len < c.prefixLength() && banned.contains(net) && enforced(net) && c.inside(innocents).isEmpty();
  }

  /**
   * The ban book as the data planes get it: each network ban minus its innocents, and nothing of it beyond the
   * carve-out cap. While the innocents are unknown, what was last published for a network ban stays.
   */
  List<Cidr> denylist(Collection<Cidr> book, PublishedPlan published) {
    if (rule == null) {
      return new ArrayList<>(book);
    }
    TreeSet<Cidr> out = new TreeSet<>();
    for (Cidr b : book) {
      if (!rule.covers(b)) {
        out.add(b);
      } else if (innocents != null) {
        if (enforced(b)) {
          out.addAll(b.without(innocents));
        }
      } else if (published != null) {
        for (Cidr p : published.plan().bans()) {
          if (b.contains(p)) {
            out.add(p);
          }
        }
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * What the write budget must know of the network bans: which of them to withdraw from a held deny list at once,
   * and whether the next publication should wait for a network ban about to come due.
   *
   * @param book       the bans in force
   * @param qualifying the prefixes and networks qualifying now, and since when
   */
  Outlook outlook(Set<Cidr> book, Map<Cidr, Instant> qualifying, PublishedPlan published, Instant now) {
    if (rule == null) {
      return Outlook.NONE;
    }
    List<Cidr> crowded = innocents == null ? List.of() : book.stream()
        .filter(b -> rule.covers(b) && b.inside(innocents).size() > 2L * rule.maxCarveOuts()).toList();
    return new Outlook(rule, book, crowded, awaitNetwork(book, qualifying, published, now));
  }

  /**
   * Whether a per-client or prefix ban not yet published lies inside a network that qualifies for a network ban but
   * has not for the networks' {@code for} yet, and is not banned: that network's ban comes due within {@code for}
   * if it keeps qualifying, and the next write should carry it.
   */
  private boolean awaitNetwork(Set<Cidr> book, Map<Cidr, Instant> qualifying, PublishedPlan published, Instant now) {
    if (published == null) {
      return false;
    }
    List<Cidr> coming = qualifying.entrySet().stream()
        .filter(q -> rule.covers(q.getKey()) && !book.contains(q.getKey())
            && q.getValue().plus(rule.prefix().forDuration()).isAfter(now))
        .map(Map.Entry::getKey).toList();
    if (coming.isEmpty()) {
      return false;
    }
    Set<Cidr> sent = new HashSet<>(published.plan().bans());
    return book.stream()
        .anyMatch(b -> !rule.covers(b) && !sent.contains(b) && coming.stream().anyMatch(net -> net.contains(b)));
  }

  /**
   * The network bans' side of the write budget.
   *
   * @param crowded      network bans holding more than twice the carve-out cap of innocents: withdrawn at once
   * @param awaitNetwork a list change the interval allows waits for a network ban about to come due
   */
  record Outlook(CompiledPolicy.NetworkRule rule, Set<Cidr> book, List<Cidr> crowded, boolean awaitNetwork) {

    static final Outlook NONE = new Outlook(null, Set.of(), List.of(), false);

    /**
     * A held deny list less the pieces of the crowded network bans; per-client and prefix bans stay (a network of
     * shoppers is withdrawn, not the crawlers banned inside it).
     */
    List<Cidr> withdraw(List<Cidr> held) {
      if (crowded.isEmpty()) {
        return held;
      }
      List<Cidr> out = new ArrayList<>();
      for (Cidr e : held) {
        boolean perClientOrPrefix = book.contains(e) && !rule.covers(e);
        if (perClientOrPrefix || crowded.stream().noneMatch(b -> b.contains(e))) {
          out.add(e);
        }
      }
      return out;
    }
  }
}
