package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.Ban;
import io.antiscraping.api.v1alpha1.DecisionMemory;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.SignalStatus;
import io.antiscraping.operator.decision.EngineState.BanEntry;
import io.antiscraping.operator.decision.EngineState.Offending;
import io.antiscraping.operator.decision.EngineState.Recommendation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Persists {@link EngineState} in the policy status and reads it back, so that a restarted operator makes the same
 * decisions as one that never stopped.
 *
 * <p>The status stays bounded (well under 256 KiB even with 5000 IPv6 bans and thousands of pending offenders):
 * <ul>
 *   <li>{@code banned} lists the {@value #LISTED_BANS} most recent bans readably (latest expiry first);
 *   {@code bannedCount} has the total and {@code memory.bans} all of them, compactly.</li>
 *   <li>{@code memory.offenders} keeps at most {@value #PERSISTED_OFFENDERS} pending offenders, not-yet-banned and
 *   strongest first; when more were pending, {@code memory.capped} is true and the ones left out start their
 *   {@code for} afresh after a restart.</li>
 *   <li>{@code memory.recommendations} never has more entries than there are levels.</li>
 *   <li>Signal errors are cut at {@value #MAX_TEXT} characters.</li>
 * </ul>
 *
 * <p>Reading never throws: unparseable times, unknown levels (after a spec edit), invalid CIDRs and damaged compact
 * lists drop the entry concerned; an unknown level falls back to the baseline. If the memory is missing while the
 * level is above the baseline, the level is treated as recommended at the last evaluation, so that a restart does not
 * relax it before the cooldown.
 */
public final class StateCodec {

  /** Bans listed readably in {@code status.banned}. */
  public static final int LISTED_BANS = 100;
  /** Pending offenders kept in {@code status.memory.offenders}. */
  public static final int PERSISTED_OFFENDERS = 1000;
  /** Longest signal error or ban reason kept. */
  public static final int MAX_TEXT = 300;

  private static final int MAX_BANS = 5000;
  private static final int MAX_SMALL_LIST = 256;

  private StateCodec() {
  }

  /**
   * Writes the decision into the status: {@code level}, {@code levelSince}, {@code lastEvaluation}, {@code banned},
   * {@code bannedCount}, {@code signals} and {@code memory}. Leaves everything else (conditions, targets,
   * observedGeneration) alone.
   */
  public static void toStatus(Decision d, ScrapingPolicyStatus status) {
    EngineState s = d.next();
    status.setLevel(s.level());
    status.setLevelSince(Formatting.time(s.levelSince()));
    status.setLastEvaluation(Formatting.time(s.lastEvaluation()));

    List<Map.Entry<Cidr, BanEntry>> recent = new ArrayList<>(s.bans().entrySet());
    recent.sort(Comparator.comparing((Map.Entry<Cidr, BanEntry> e) -> e.getValue().until()).reversed()
        .thenComparing(Map.Entry::getKey));
    List<Ban> banned = new ArrayList<>();
    for (int i = 0; i < recent.size() && i < LISTED_BANS; i++) {
      Map.Entry<Cidr, BanEntry> e = recent.get(i);
      EngineState.PrefixEvidence ev = e.getValue().evidence();
      banned.add(new Ban(e.getKey().toString(), Formatting.time(e.getValue().until()),
          Sanitizer.truncate(e.getValue().reason(), MAX_TEXT), ev == null ? null : ev.members(),
          ev == null ? null : round(ev.sum()), ev == null ? null : round(ev.suspiciousShare())));
    }
    status.setBanned(banned);
    status.setBannedCount(s.bans().size());
    status.setKnownGoodCount(d.knownGood() == null ? null : d.knownGood().clients());
    status.setKnownGoodLeftOut(d.knownGood() == null || d.knownGood().leftOut() == 0 ? null : d.knownGood().leftOut());

    List<SignalStatus> signals = new ArrayList<>();
    for (SignalSummary sum : d.signals()) {
      signals.add(new SignalStatus(sum.name(), sum.value(), sum.clients(), sum.invalidClients(),
          sum.error() == null ? null : Sanitizer.truncate(sum.error(), MAX_TEXT), sum.leftOut()));
    }
    status.setSignals(signals);

    DecisionMemory m = new DecisionMemory();
    List<DecisionMemory.Recommendation> recs = new ArrayList<>();
    for (Recommendation r : s.recommendations()) {
      recs.add(new DecisionMemory.Recommendation(r.level(), Formatting.time(r.at())));
    }
    m.setRecommendations(recs);
    List<DecisionMemory.Since> conds = new ArrayList<>();
    new TreeMap<>(s.conditionsTrueSince()).forEach((k, v) -> conds.add(new DecisionMemory.Since(k, Formatting.time(v), null)));
    m.setConditionsTrueSince(conds);
    m.setOffendersRule(s.offendersRule());

    boolean capped = false;
    List<Map.Entry<Cidr, Offending>> pending = new ArrayList<>(s.offending().entrySet());
    if (pending.size() > PERSISTED_OFFENDERS) {
      capped = true;
      TreeSet<Integer> lengths = new TreeSet<>();
      s.bans().keySet().forEach(c -> lengths.add(c.ipv6() ? 1000 + c.prefixLength() : c.prefixLength()));
      Map<Cidr, Boolean> bannedClient = new HashMap<>();
      for (Map.Entry<Cidr, Offending> e : pending) {
        bannedClient.put(e.getKey(), covered(e.getKey(), lengths, s.bans()));
      }
      pending.sort(Comparator.comparing((Map.Entry<Cidr, Offending> e) -> bannedClient.get(e.getKey()))
          .thenComparing(e -> -e.getValue().value())
          .thenComparing(Map.Entry::getKey));
      pending = new ArrayList<>(pending.subList(0, PERSISTED_OFFENDERS));
    }
    pending.sort(Map.Entry.comparingByKey());
    List<Map.Entry<Cidr, Instant>> off = new ArrayList<>(pending.size());
    pending.forEach(e -> off.add(Map.entry(e.getKey(), e.getValue().since())));
    m.setOffenders(CompactCodec.encode(off));
    List<Map.Entry<Cidr, Instant>> prefixes = new ArrayList<>(new TreeMap<>(s.prefixes()).entrySet());
    m.setPrefixes(prefixes.isEmpty() ? null : CompactCodec.encode(prefixes));

    List<Map.Entry<Cidr, Instant>> bans = new ArrayList<>(s.bans().size());
    new TreeMap<>(s.bans()).forEach((k, v) -> bans.add(Map.entry(k, v.until())));
    m.setBans(CompactCodec.encode(bans));
    // While metrics are available the last good evaluation is the last evaluation: persisting it separately would
    // change the status at every evaluation. It is persisted (and then frozen) only during an outage.
    m.setLastGoodMetrics(s.metricsUnavailableSince() == null ? null : Formatting.time(s.lastGoodMetrics()));
    m.setMetricsUnavailableSince(Formatting.time(s.metricsUnavailableSince()));
    m.setCapped(capped ? Boolean.TRUE : null);
    status.setMemory(m);
  }

  /** Reads the state back from a status (null: a policy never evaluated). Never throws on a damaged status. */
  public static EngineState fromStatus(ScrapingPolicySpec spec, ScrapingPolicyStatus status, Instant now) {
    now = now.truncatedTo(ChronoUnit.MILLIS);
    EngineState initial = EngineState.initial(spec, now);
    if (status == null) {
      return initial;
    }
    CompiledPolicy policy = CompiledPolicy.of(spec);
    String level = policy.indexOf(status.getLevel()) >= 0 ? status.getLevel() : initial.level();
    Instant levelSince = level.equals(status.getLevel()) ? notAfter(Formatting.parseTime(status.getLevelSince()), now) : null;
    if (levelSince == null) {
      levelSince = now;
    }
    Instant lastEvaluation = notAfter(Formatting.parseTime(status.getLastEvaluation()), now);
    DecisionMemory m = status.getMemory() != null ? status.getMemory() : new DecisionMemory();

    List<Recommendation> recs = new ArrayList<>();
    int maxRec = -1;
    for (DecisionMemory.Recommendation r : nonNull(m.getRecommendations())) {
      Instant at = r == null ? null : notAfter(Formatting.parseTime(r.getAt()), now);
      if (at != null && policy.indexOf(r.getLevel()) >= 0 && recs.size() < MAX_SMALL_LIST) {
        recs.add(new Recommendation(r.getLevel(), at));
        maxRec = Math.max(maxRec, policy.indexOf(r.getLevel()));
      }
    }
    int levelIdx = policy.indexOf(level);
    if (levelIdx > 0 && maxRec < levelIdx) {
      Instant at = lastEvaluation != null ? lastEvaluation : now;
      recs.add(new Recommendation(level, at));
    }
    recs.sort(Comparator.comparing(Recommendation::at));

    Map<String, Instant> conds = new HashMap<>();
    for (DecisionMemory.Since since : nonNull(m.getConditionsTrueSince())) {
      Instant t = since == null ? null : notAfter(Formatting.parseTime(since.getSince()), now);
      if (t != null && since.getKey() != null && conds.size() < MAX_SMALL_LIST) {
        conds.put(since.getKey(), t);
      }
    }

    Map<Cidr, Offending> offending = new HashMap<>();
    for (Map.Entry<Cidr, Instant> e : CompactCodec.decode(m.getOffenders(), PERSISTED_OFFENDERS)) {
      offending.put(e.getKey(), new Offending(notAfter(e.getValue(), now), Double.NaN));
    }

    Map<Cidr, Instant> prefixes = new HashMap<>();
    for (Map.Entry<Cidr, Instant> e : CompactCodec.decode(m.getPrefixes(), BanBook.MAX_QUALIFYING_PREFIXES)) {
      prefixes.put(e.getKey(), notAfter(e.getValue(), now));
    }

    Map<String, BanEntry> listedByKey = new HashMap<>();
    Map<Cidr, BanEntry> listed = new HashMap<>();
    for (Ban b : nonNull(status.getBanned())) {
      if (b == null || b.getClient() == null) {
        continue;
      }
      var c = Cidr.parse(b.getClient());
      Instant until = Formatting.parseTime(b.getUntil());
      if (c.isPresent() && until != null && listed.size() < MAX_BANS) {
        EngineState.PrefixEvidence ev = b.getMembers() == null || b.getSum() == null || b.getSuspiciousShare() == null
            ? null : new EngineState.PrefixEvidence(b.getMembers(), b.getSum(), b.getSuspiciousShare());
        BanEntry entry = new BanEntry(until, b.getReason(), ev);
        listed.put(c.get(), entry);
        listedByKey.put(c.get().toString(), entry);
      }
    }
    Map<Cidr, BanEntry> bans = new HashMap<>();
    if (m.getBans() != null) {
      for (Map.Entry<Cidr, Instant> e : CompactCodec.decode(m.getBans(), MAX_BANS)) {
        BanEntry l = listedByKey.get(e.getKey().toString());
        bans.put(e.getKey(), new BanEntry(e.getValue(), l == null ? null : l.reason(), l == null ? null : l.evidence()));
      }
    } else {
      bans.putAll(listed);
    }

    Instant unavailableSince = notAfter(Formatting.parseTime(m.getMetricsUnavailableSince()), now);
    Instant lastGood = notAfter(Formatting.parseTime(m.getLastGoodMetrics()), now);
    if (lastGood == null && unavailableSince == null) {
      lastGood = lastEvaluation;
    }
    return new EngineState(level, levelSince, recs, conds, m.getOffendersRule(), offending, prefixes, bans, lastGood,
        unavailableSince, lastEvaluation);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static boolean covered(Cidr client, TreeSet<Integer> lengths, Map<Cidr, BanEntry> bans) {
    for (int l : lengths) {
      boolean v6 = l >= 1000;
      int len = v6 ? l - 1000 : l;
      if (v6 == client.ipv6() && len <= client.prefixLength() && bans.containsKey(client.widenTo(len))) {
        return true;
      }
    }
    return false;
  }

  private static Instant notAfter(Instant t, Instant now) {
    return t == null ? null : t.isAfter(now) ? now : t;
  }

  private static <T> List<T> nonNull(List<T> l) {
    return l == null ? List.of() : l;
  }
}
