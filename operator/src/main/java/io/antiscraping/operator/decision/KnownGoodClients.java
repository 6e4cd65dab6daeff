package io.antiscraping.operator.decision;

import io.antiscraping.operator.decision.CompiledPolicy.KnownGoodRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The known-good clients of one evaluation: the single addresses of the known-good signal whose value is strictly
 * above the rule's bar, the highest values first, at most the rule's maximum (the rest are counted as left out).
 * Keys that are prefixes rather than single addresses are not known-good: one label must not exempt a network.
 * The cap bounds what the data plane is given (route-budget exemptions); protection from prefix bans costs nothing
 * to write, so every qualifying address counts there.
 *
 * @param clients   the known-good addresses within the cap, sorted (the route-budget exemptions)
 * @param leftOut   qualifying addresses dropped by the cap
 * @param qualifying every qualifying address (protection from prefix bans)
 */
record KnownGoodClients(NavigableSet<Cidr> clients, int leftOut, NavigableSet<Cidr> qualifying) {

  static final KnownGoodClients NONE = new KnownGoodClients(new TreeSet<>(), 0, new TreeSet<>());

  KnownGoodClients {
    clients = Collections.unmodifiableNavigableSet(new TreeSet<>(clients));
    qualifying = Collections.unmodifiableNavigableSet(new TreeSet<>(qualifying));
  }

  static KnownGoodClients select(KnownGoodRule rule, Map<Cidr, Double> values) {
    List<Map.Entry<Cidr, Double>> qualifying = new ArrayList<>();
    for (Map.Entry<Cidr, Double> e : values.entrySet()) {
      if (e.getKey().prefixLength() == e.getKey().bits() && e.getValue() > rule.above()) {
        qualifying.add(e);
      }
    }
    qualifying.sort(Comparator.comparingDouble((Map.Entry<Cidr, Double> e) -> -e.getValue())
        .thenComparing(Map.Entry::getKey));
    NavigableSet<Cidr> out = new TreeSet<>();
    NavigableSet<Cidr> all = new TreeSet<>();
    for (int i = 0; i < qualifying.size(); i++) {
      all.add(qualifying.get(i).getKey());
      if (i < rule.max()) {
        out.add(qualifying.get(i).getKey());
      }
    }
    return new KnownGoodClients(out, Math.max(0, qualifying.size() - rule.max()), all);
  }

  /** Whether a known-good client lies inside {@code prefix}. */
  boolean anyInside(Cidr prefix) {
    // Clients are single addresses sorted by (family, network): the first one at or after the prefix's network
    // decides.
    Cidr first = qualifying.ceiling(prefix);
    return first != null && prefix.contains(first);
  }
}
