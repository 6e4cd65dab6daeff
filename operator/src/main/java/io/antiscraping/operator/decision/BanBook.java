package io.antiscraping.operator.decision;

import io.antiscraping.operator.decision.EngineState.BanEntry;
import io.antiscraping.operator.decision.EngineState.Offending;
import io.antiscraping.operator.decision.EngineState.PrefixEvidence;
import io.antiscraping.operator.decision.CompiledPolicy.OffendersRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The bans in force, from one evaluation to the next, under the offenders rule of the level decided (the base rule
 * with the level-scoped overrides):
 * <ul>
 *   <li>A ban expires when {@code now >= until}. Bans the current spec no longer allows (allowlisted, broader than
 *   the prefix lengths, offenders removed, above a lowered {@code maxBanned}: the soonest to expire go first) are
 *   revoked.</li>
 *   <li>A client strictly above the bar at every evaluation for the rule's {@code for} qualifies; its ban prefix is
 *   banned until {@code now + banFor}, or its ban extended (an expiry never moves earlier). A known-good client is
 *   held to the base rule: the tighter bars of an attack level are for clients without an established history.</li>
 *   <li>Networks and prefixes due (see {@link NetworkBans}, {@link PrefixAggregator}) come first; a per-client ban a
 *   prefix or enforced network ban in force already covers adds nothing.</li>
 *   <li>At most {@code maxBanned} bans: bans in force keep their place until they expire (so equal offenders do not
 *   churn the data plane); new bans fill the free places, strongest first, ties by address.</li>
 *   <li>While metrics are unavailable nothing is banned or extended; clocks keep running on what was observed.</li>
 * </ul>
 */
final class BanBook {

  /** Qualifying prefixes remembered at most (the longest-qualifying ones). */
  static final int MAX_QUALIFYING_PREFIXES = 1000;

  /**
   * A qualifying offender: the prefix to ban, the client that caused it (null for a prefix or network ban, which
   * carries its evidence), and the ban's duration and reason under the rule that applied.
   */
  record Candidate(Cidr prefix, Cidr client, double value, PrefixEvidence evidence, Duration banFor, String reason) {
  }

  private static final Comparator<Candidate> STRONGEST_FIRST =
      Comparator.comparingDouble(Candidate::value).reversed().thenComparing(Candidate::prefix)
          .thenComparing(Candidate::client, Comparator.nullsFirst(Comparator.naturalOrder()));

  /**
   * What one evaluation did to the ban book.
   *
   * @param rule           the offenders rule in force (null: none at this level)
   * @param bans           the bans in force now
   * @param offending      clients above the bar now, since when
   * @param qualifying     prefixes and networks qualifying now, since when
   * @param expired        bans that expired
   * @param revoked        bans the spec no longer allows
   * @param bannedPrefixes new prefix and network bans
   * @param bannedClients  new per-client bans
   * @param leftOut        qualifying offenders {@code maxBanned} left no room for, strongest first
   * @param suspects       internal clients above the bar that no ban may cover, strongest first
   */
  record Change(OffendersRule rule, Map<Cidr, BanEntry> bans, Map<Cidr, Offending> offending,
                Map<Cidr, Instant> qualifying, List<Cidr> expired, List<Cidr> revoked, List<Candidate> bannedPrefixes,
                List<Candidate> bannedClients, List<Candidate> leftOut, List<Decision.SuspectClient> suspects) {

    boolean capReached() {
      return !leftOut.isEmpty();
    }

    Set<Cidr> revokedSet() {
      return new HashSet<>(revoked);
    }
  }

  private final CompiledPolicy policy;
  private final KnownGoodClients knownGood;
  private final NetworkBans networks;

  /**
   * @param knownGood the known-good clients, null when unknown (then no prefix qualifies)
   * @param networks  the network bans' innocents at this evaluation
   */
  BanBook(CompiledPolicy policy, KnownGoodClients knownGood, NetworkBans networks) {
    this.policy = policy;
    this.knownGood = knownGood;
    this.networks = networks;
  }

  /** The book after this evaluation under {@code rule}, the offenders rule at level {@code level}. */
  Change next(EngineState previous, OffendersRule rule, int level, SignalValues signals, boolean available,
              Instant now) {
    Map<Cidr, BanEntry> bans = new TreeMap<>(previous.bans());
    List<Cidr> expired = new ArrayList<>();
    Set<Cidr> revoked = new LinkedHashSet<>();
    bans.entrySet().removeIf(e -> {
      if (!e.getValue().until().isAfter(now)) {
        expired.add(e.getKey());
        return true;
      }
      Cidr c = e.getKey();
      if (rule == null || !allowed(rule, c) || policy.allowlisted(c)) {
        revoked.add(c);
        return true;
      }
      return false;
    });
    if (rule != null && bans.size() > rule.maxBanned()) {
      List<Map.Entry<Cidr, BanEntry>> bySoonest = new ArrayList<>(bans.entrySet());
      bySoonest.sort(Comparator.comparing((Map.Entry<Cidr, BanEntry> e) -> e.getValue().until())
          .thenComparing(Map.Entry::getKey));
      for (int i = 0; i < bySoonest.size() - rule.maxBanned(); i++) {
        Cidr c = bySoonest.get(i).getKey();
        bans.remove(c);
        revoked.add(c);
      }
    }
    Map<Cidr, Double> values = rule == null ? null : signals.clients(rule.signal());
    if (values == null) {
      return new Change(rule, bans, Map.of(), Map.of(), expired, List.copyOf(revoked), List.of(), List.of(),
          List.of(), List.of());
    }
    boolean sameRule = rule.key().equals(previous.offendersRule());
    Map<Cidr, Instant> previousQualifying = sameRule ? previous.prefixes() : Map.of();

    // Prefixes and networks; their qualifying clocks are kept while the base rule and the lengths stay the same.
    PrefixAggregator.Outcome prefixes = PrefixAggregator.evaluate(rule.prefixes(), values, previousQualifying,
        policy::allowlisted, knownGood, now);
    PrefixAggregator.Outcome nets = networks.evaluate(level, signals, previousQualifying, policy::allowlisted, now);
    List<Candidate> due = new ArrayList<>();
    if (available) {
      for (PrefixAggregator.Due d : nets.due()) {
        due.add(new Candidate(d.prefix(), null, d.evidence().sum(), d.evidence(), networks.rule().prefix().banFor(),
            PrefixAggregator.describeNetwork(networks.rule(), d)));
      }
      for (PrefixAggregator.Due d : prefixes.due()) {
        due.add(new Candidate(d.prefix(), null, d.evidence().sum(), d.evidence(), rule.prefixes().banFor(),
            PrefixAggregator.describe(rule.signal(), rule.prefixes(), d.evidence())));
      }
    }
    Map<Cidr, Offending> offending = new HashMap<>();
    List<Decision.SuspectClient> suspects = new ArrayList<>();
    due.addAll(perClient(previous, rule, sameRule, values, available, offending, suspects, now));

    List<Candidate> fresh = new ArrayList<>();
    Set<Cidr> inForce = new HashSet<>(bans.keySet());
    for (Candidate c : due) {
      BanEntry existing = bans.get(c.prefix());
      if (existing != null) {
        Instant until = now.plus(c.banFor());
        bans.put(c.prefix(), new BanEntry(existing.until().isAfter(until) ? existing.until() : until, c.reason(),
            c.evidence() != null ? c.evidence() : existing.evidence()));
      } else if (!coveredByPrefix(c, rule, inForce) && !networks.covers(c.prefix(), inForce)) {
        fresh.add(c);
        if (c.evidence() != null) {
          inForce.add(c.prefix());
        }
      }
    }
    int room = Math.max(0, rule.maxBanned() - bans.size());
    List<Candidate> bannedPrefixes = new ArrayList<>();
    List<Candidate> bannedClients = new ArrayList<>();
    for (int i = 0; i < fresh.size() && i < room; i++) {
      Candidate c = fresh.get(i);
      bans.put(c.prefix(), new BanEntry(now.plus(c.banFor()), c.reason(), c.evidence()));
      (c.evidence() != null ? bannedPrefixes : bannedClients).add(c);
    }
    List<Candidate> leftOut = fresh.size() > room ? List.copyOf(fresh.subList(room, fresh.size())) : List.of();
    return new Change(rule, bans, offending, remembered(prefixes.qualifying(), nets.qualifying()), expired,
        List.copyOf(revoked), bannedPrefixes, bannedClients, leftOut,
        suspects.stream().sorted(Decision.SuspectClient.STRONGEST_FIRST).toList());
  }

  /**
   * The per-client candidates, strongest first, one per ban prefix; fills {@code offending} with the clients above
   * their bar and {@code suspects} with the internal ones no ban may cover.
   */
  private List<Candidate> perClient(EngineState previous, OffendersRule rule, boolean sameRule,
                                    Map<Cidr, Double> values, boolean available, Map<Cidr, Offending> offending,
                                    List<Decision.SuspectClient> suspects, Instant now) {
    Map<Cidr, Candidate> qualified = new HashMap<>();
    // The reason texts' bars, once per rule.
    String ruleBar = rule.bar();
    String baseBar = policy.offenders == rule ? ruleBar : policy.offenders.bar();
    for (Map.Entry<Cidr, Double> en : values.entrySet()) {
      Cidr client = en.getKey();
      double value = en.getValue();
      // The level's bar is never above the base rule's (overrides only tighten): a client not above it is above
      // neither, whether known-good or not, and needs no known-good lookup.
      if (!(value > rule.above())) {
        continue;
      }
      OffendersRule own = knownGood != null && rule != policy.offenders && knownGood.qualifying().contains(client)
          ? policy.offenders : rule;
      if (own != rule && !(value > own.above())) {
        continue;
      }
      Cidr prefix = policy.banPrefix(client);
      if (prefix == null) {
        // No ban may cover it. An internal address (never-banned, or private and allowlisted) at enumeration rates
        // stands for many clients (a load balancer, proxy or node) or forged addresses; an allowlisted public one is
        // a partner's crawler doing what it is allowed to.
        if (policy.internal(client)) {
          suspects.add(new Decision.SuspectClient(client, value, own.above()));
        }
        continue;
      }
      Offending prev = sameRule ? previous.offending().get(client) : null;
      Instant since = prev == null || prev.since().isAfter(now) ? now : prev.since();
      offending.put(client, new Offending(since, value));
      if (available && !since.plus(own.forDuration()).isAfter(now)) {
        String r = own.describe(value, own == rule ? ruleBar : baseBar);
        Candidate c = new Candidate(prefix, client, value, null, own.banFor(),
            client.equals(prefix) ? r : client + ": " + r);
        qualified.merge(prefix, c, (a, b) -> STRONGEST_FIRST.compare(a, b) <= 0 ? a : b);
      }
    }
    List<Candidate> out = new ArrayList<>(qualified.values());
    out.sort(STRONGEST_FIRST);
    return out;
  }

  /** The qualifying prefixes and networks to remember: at most {@link #MAX_QUALIFYING_PREFIXES}, oldest first. */
  private static Map<Cidr, Instant> remembered(Map<Cidr, Instant> prefixes, Map<Cidr, Instant> networks) {
    Map<Cidr, Instant> qualifying = prefixes;
    if (!networks.isEmpty()) {
      qualifying = new HashMap<>(qualifying);
      qualifying.putAll(networks);
    }
    if (qualifying.size() <= MAX_QUALIFYING_PREFIXES) {
      return qualifying;
    }
    List<Map.Entry<Cidr, Instant>> oldest = new ArrayList<>(qualifying.entrySet());
    oldest.sort(Map.Entry.<Cidr, Instant>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
    Map<Cidr, Instant> out = new HashMap<>();
    for (int i = 0; i < MAX_QUALIFYING_PREFIXES; i++) {
      out.put(oldest.get(i).getKey(), oldest.get(i).getValue());
    }
    return out;
  }

  /**
   * Whether the policy allows a ban of {@code c}: a client prefix, a prefix of the aggregation length, or a network
   * (whatever the level: network bans keep their expiry after the level that decided them is left).
   */
  private boolean allowed(OffendersRule rule, Cidr c) {
    return c.prefixLength() >= rule.prefixLength(c)
        || (rule.prefixes() != null && c.prefixLength() >= rule.prefixes().length(c))
        || (policy.networks != null && c.prefixLength() >= policy.networks.prefix().length(c));
  }

  /** Whether a prefix ban in force (or just decided) covers per-client candidate {@code c}. */
  private static boolean coveredByPrefix(Candidate c, OffendersRule rule, Set<Cidr> inForce) {
    if (c.evidence() != null || rule.prefixes() == null) {
      return false;
    }
    int len = rule.prefixes().length(c.prefix());
    return len < c.prefix().prefixLength() && inForce.contains(c.prefix().widenTo(len));
  }
}
