package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.EngineState.BanEntry;
import io.antiscraping.operator.decision.EngineState.Offending;
import io.antiscraping.operator.decision.EngineState.PrefixEvidence;
import io.antiscraping.operator.decision.EngineState.Recommendation;
import io.antiscraping.operator.decision.Policy.Cond;
import io.antiscraping.operator.decision.Policy.OffendersRule;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The decision engine: {@code (spec, previous state, readings, now) -> Decision}. Pure and deterministic: no I/O, no
 * clock, no randomness; times are truncated to milliseconds (what the status keeps).
 *
 * <h2>Level</h2>
 * <ul>
 *   <li>A {@code when} condition holds once its strict comparison ({@code above}: value &gt; threshold,
 *   {@code below}: value &lt; threshold) has been true at every evaluation for at least its {@code for}, measured
 *   from the first evaluation at which it was true. An evaluation at which the comparison is false, or at which its
 *   signal is unavailable (missing, NaN, infinite, failed), restarts the clock.</li>
 *   <li>A level (other than the baseline) is recommended when all its conditions hold; the recommendation is the
 *   highest such level, else the baseline.</li>
 *   <li>The level in force is the highest level recommended at any evaluation within the last {@code cooldown}
 *   (entries strictly newer than {@code now - cooldown}, this evaluation included). Escalation is therefore immediate
 *   and de-escalation waits for the cooldown (HPA-style stabilization).</li>
 * </ul>
 *
 * <h2>Missing metrics</h2>
 * Metrics are <em>available</em> when every signal used by a level condition or by the offenders rule has a usable
 * value (a finite scalar; a per-client reading, possibly with no clients). Unused signals are reported but do not
 * count. While metrics are unavailable nothing escalates and nothing is banned or extended:
 * <ul>
 *   <li>{@code onMetricsUnavailable: Hold}: the level in force is kept until {@code staleAfter} has passed since the
 *   last evaluation with available metrics; each held evaluation counts as recommending the held level, so once
 *   metrics return the cooldown still protects against relaxing on the strength of the outage alone. After
 *   {@code staleAfter} the baseline applies and the recommendation history is cleared (so recovery does not jump back
 *   to a level recommended before the outage).</li>
 *   <li>{@code Baseline}: the baseline applies at once, history cleared.</li>
 *   <li>In both cases bans already in force <b>stay until their own expiry</b>: they were decided on good data and are
 *   bounded in time, and lifting them whenever Prometheus hiccups would let a known scraper back in on a failure it
 *   may be able to provoke. They are neither extended nor added to until metrics return.</li>
 *   <li>Condition and offender clocks keep running for signals that are still available, so recovery acts on
 *   data that was actually observed continuously.</li>
 * </ul>
 *
 * <p>Dry run is the caller's business: the engine computes the same decision either way. The engine is stateless
 * and thread-safe.
 *
 * <h2>Bans</h2>
 * <ul>
 *   <li>A client is a per-client key that parses as an IP address or CIDR; other keys, series without the client
 *   label, and CIDRs broader than the policy's prefix length are ignored and counted ({@code invalidClients}).
 *   IPv4-mapped IPv6 keys ({@code ::ffff:a.b.c.d}) count as the IPv4 address. Keys naming the same prefix are
 *   merged (highest value).</li>
 *   <li>A client whose value has been strictly above {@code offenders.above} at every evaluation for at least
 *   {@code for} qualifies: its ban prefix is banned until {@code now + banFor}; if it is already banned, that is an
 *   extension (the expiry never moves earlier).</li>
 *   <li>The ban prefix is the client widened to {@code ipv4PrefixLength}/{@code ipv6PrefixLength} (never broader).
 *   If that prefix overlaps an allowlisted CIDR, the client's own (narrower) prefix is banned instead, and if that
 *   too overlaps the allowlist the client is never banned. Bans already in force that the current spec no longer
 *   allows (allowlisted, broader than the prefix length, offenders removed, above a lowered maxBanned) are revoked.</li>
 *   <li>At most {@code maxBanned} bans: bans in force keep their place until they expire (so equal offenders do not
 *   churn the data plane); new qualifiers fill the free places strongest first, ties by address. Qualifiers left
 *   out set {@code banCapReached} and raise a {@code BanCapReached} event.</li>
 *   <li>A ban expires when {@code now >= until}.</li>
 * </ul>
 */
public final class DecisionEngine {

  private static final int LISTED_IN_EVENT = 10;

  /** Ranges no ban may cover beside {@link Plans#NEVER_BANNED}: the cluster's load balancer, pod and node CIDRs. */
  private final List<Cidr> neverBanned;

  /** An engine with the built-in never-banned ranges only. */
  public DecisionEngine() {
    this(List.of());
  }

  /**
   * @param neverBanned ranges the operator's admin adds to the built-in never-banned ones: a client key there is a
   *                    proxy, a node or a pod (a realip misconfiguration), never a client worth banning
   */
  public DecisionEngine(List<Cidr> neverBanned) {
    this.neverBanned = List.copyOf(neverBanned);
  }

  /** Decides one evaluation. {@code previous} may be {@link EngineState#initial}; {@code now} must not go back. */
  public Decision decide(ScrapingPolicySpec spec, EngineState previous, Readings readings, Instant now) {
    return decide(spec, previous, readings, now, null);
  }

  /**
   * Decides one evaluation under the write budget: {@code published} is what the previous decision's
   * {@link Decision#published()} said was handed to the data planes (null: nothing yet, e.g. after a restart, and
   * the plan goes out whole).
   */
  public Decision decide(ScrapingPolicySpec spec, EngineState previous, Readings readings, Instant now,
                         PublishedPlan published) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(readings, "readings");
    Objects.requireNonNull(now, "now");
    return decideAt(spec, previous, readings, now.truncatedTo(ChronoUnit.MILLIS), published);
  }

  private Decision decideAt(ScrapingPolicySpec spec, EngineState previous, Readings readings, Instant now,
                            PublishedPlan published) {
    Policy policy = Policy.of(spec, neverBanned);
    if (previous == null) {
      previous = EngineState.initial(spec, now);
    }
    Map<String, Eval> evals = evaluate(policy, readings);
    List<String> failures = new ArrayList<>();
    for (String name : policy.referenced) {
      Eval e = evals.get(name);
      if (e == null) {
        failures.add("signal " + name + ": not declared in spec.signals");
      } else if (e.error != null) {
        failures.add("signal " + name + ": " + e.error);
      }
    }
    boolean available = failures.isEmpty();
    List<DecisionEvent> events = new ArrayList<>();

    // Conditions and the recommendation.
    Map<String, Instant> trueSince = new HashMap<>();
    for (List<Cond> cs : policy.conditions) {
      for (Cond c : cs) {
        Eval e = evals.get(c.signal());
        if (e != null && e.scalar != null && c.test(e.scalar)) {
          Instant s = previous.conditionsTrueSince().get(c.key());
          trueSince.put(c.key(), s == null || s.isAfter(now) ? now : s);
        }
      }
    }
    int recommended = 0;
    for (int i = policy.levels.size() - 1; i > 0; i--) {
      List<Cond> cs = policy.conditions.get(i);
      if (!cs.isEmpty() && cs.stream().allMatch(c -> holds(c, trueSince, now))) {
        recommended = i;
        break;
      }
    }

    // The level in force.
    int prevIdx = Math.max(0, policy.indexOf(previous.level()));
    boolean prevKnown = policy.indexOf(previous.level()) >= 0;
    List<Rec> history = prune(policy, previous.recommendations(), now);
    Instant lastGood = previous.lastGoodMetrics();
    Instant unavailableSince = previous.metricsUnavailableSince();
    boolean stale = false;
    if (available) {
      history.add(new Rec(recommended, now));
      lastGood = now;
      if (unavailableSince != null) {
        events.add(new DecisionEvent(false, DecisionEvent.METRICS_RECOVERED, "Metrics available again after "
            + Fmt.duration(Duration.between(unavailableSince, now)) + " (unavailable since " + unavailableSince + ")"));
      }
      unavailableSince = null;
    } else {
      boolean fresh = policy.hold && lastGood != null && now.isBefore(lastGood.plus(policy.staleAfter));
      if (fresh) {
        history.add(new Rec(prevIdx, now));
      } else {
        stale = true;
        history.clear();
      }
    }
    List<Recommendation> nextHistory = compact(policy, history);
    int level = 0;
    for (Recommendation r : nextHistory) {
      level = Math.max(level, policy.indexOf(r.level()));
    }
    String levelName = policy.levels.get(level);
    Instant levelSince = level == prevIdx && prevKnown && previous.levelSince() != null
        && !previous.levelSince().isAfter(now) ? previous.levelSince() : now;

    String failureText = String.join("; ", failures);
    String holdText = !available ? consequence(policy, lastGood, stale, prevIdx) : "";
    if (!available && unavailableSince == null) {
      unavailableSince = now;
      events.add(new DecisionEvent(true, DecisionEvent.METRICS_UNAVAILABLE,
          "Metrics unavailable: " + failureText + "; " + holdText));
    }
    if (!prevKnown && !previous.level().equals(levelName)) {
      events.add(new DecisionEvent(level > 0, level > 0 ? DecisionEvent.LEVEL_RAISED : DecisionEvent.LEVEL_LOWERED,
          "Level " + previous.level() + " is no longer in spec.levels; level in force: " + levelName));
    } else if (level > prevIdx) {
      List<String> why = new ArrayList<>();
      for (Cond c : policy.conditions.get(level)) {
        Eval e = evals.get(c.signal());
        why.add(c.describe(e == null ? null : e.scalar));
      }
      events.add(new DecisionEvent(true, DecisionEvent.LEVEL_RAISED, "Level raised from "
          + policy.levels.get(prevIdx) + " to " + levelName + ": " + String.join(", ", why)));
    } else if (level < prevIdx) {
      String why;
      if (available) {
        why = "no evaluation within the last " + Fmt.duration(policy.cooldown) + " (cooldown) recommended "
            + policy.levels.get(prevIdx) + " or higher; now recommended: " + policy.levels.get(recommended)
            + scalarValues(policy, evals);
      } else {
        why = failureText + "; " + holdText;
      }
      events.add(new DecisionEvent(false, DecisionEvent.LEVEL_LOWERED, "Level lowered from "
          + policy.levels.get(prevIdx) + " to " + levelName + ": " + why));
    }

    // Known-good clients (null: unknown, their signal failed) and bans under the offenders rule of the level.
    KnownGoodClients knownGood = knownGood(policy, evals);
    java.util.NavigableSet<Cidr> innocents = innocents(policy, evals, knownGood);
    BanOutcome bans = bans(policy, policy.offendersAt(level), level, previous, evals, available, knownGood, innocents,
        now, events);

    MetricsHealth health = available
        ? new MetricsHealth(true, MetricsHealth.EVALUATED, availableMessage(policy, evals))
        : new MetricsHealth(false, MetricsHealth.UNAVAILABLE, failureText + "; " + holdText);

    List<SignalSummary> summaries = new ArrayList<>();
    for (Eval e : evals.values()) {
      summaries.add(e.summary());
    }

    EngineState next = new EngineState(levelName, levelSince, nextHistory, trueSince,
        policy.offenders == null ? null : policy.offenders.key(), bans.offending, bans.prefixes, bans.bans, lastGood,
        unavailableSince, now);
    // While the known-good clients are unknown, the exemptions last published at this level stay.
    java.util.Collection<Cidr> exempt = knownGood != null ? knownGood.clients()
        : published != null && published.plan().level().equals(levelName) ? published.plan().knownGood() : List.of();
    EnforcementPlan full = Plans.forLevel(spec, levelName, denylist(policy, bans.bans.keySet(), innocents, published),
        exempt);
    boolean lowered = published != null && policy.indexOf(published.plan().level()) > policy.indexOf(levelName);
    WriteBudget.Outcome out = WriteBudget.apply(full, published, bans.revoked, policy.banUpdateInterval, now,
        held -> withdrawCrowded(policy, held, bans.bans.keySet(), innocents), lowered,
        awaitNetwork(policy, bans, published, now));
    return new Decision(next, out.plan(), events, health, bans.capReached, summaries, out.published(), out.held(),
        knownGood == null || policy.knownGood == null ? null
            : new Decision.KnownGoodCount(knownGood.clients().size(), knownGood.leftOut()), bans.suspects);
  }

  /**
   * The innocent clients network bans are carved around: the known-good clients and the shopper-like ones (the
   * networks rule's shoppers signal above its bar, single addresses only); null when either is unknown (its signal
   * failed) or the policy has no network bans.
   */
  private static java.util.NavigableSet<Cidr> innocents(Policy policy, Map<String, Eval> evals,
                                                        KnownGoodClients knownGood) {
    Policy.NetworkRule n = policy.networks;
    if (n == null || knownGood == null) {
      return null;
    }
    java.util.NavigableSet<Cidr> out = new java.util.TreeSet<>(knownGood.qualifying());
    if (n.shoppers() != null) {
      Eval e = evals.get(n.shoppers());
      if (e == null || e.clients == null) {
        return null;
      }
      for (Map.Entry<Cidr, Double> c : e.clients.entrySet()) {
        if (c.getKey().prefixLength() == c.getKey().bits() && c.getValue() > n.shoppersAbove()) {
          out.add(c.getKey());
        }
      }
    }
    return out;
  }

  /** Whether network ban {@code net} is enforced now: its innocents are known and within the carve-out cap. */
  private static boolean enforced(Policy.NetworkRule n, Cidr net, java.util.NavigableSet<Cidr> innocents) {
    return innocents != null && net.inside(innocents).size() <= n.maxCarveOuts();
  }

  /**
   * The ban book as the data planes get it: each network ban minus the innocent clients inside it, and not at all
   * while it holds more of them than the carve-out cap. While the innocents are unknown, what was last published
   * for a network ban stays (nothing, if nothing was: a network ban is never enforced without knowing who is
   * inside).
   */
  private static List<Cidr> denylist(Policy policy, java.util.Set<Cidr> book, java.util.NavigableSet<Cidr> innocents,
                                     PublishedPlan published) {
    Policy.NetworkRule n = policy.networks;
    if (n == null) {
      return new ArrayList<>(book);
    }
    java.util.TreeSet<Cidr> out = new java.util.TreeSet<>();
    for (Cidr b : book) {
      if (!n.covers(b)) {
        out.add(b);
      } else if (innocents != null) {
        if (enforced(n, b, innocents)) {
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
   * Whether a per-client or prefix ban not yet published lies inside a network that qualifies for a network ban but
   * has not qualified for the networks' {@code for} yet, and is not banned: that network's ban comes due within
   * {@code for} if it keeps qualifying, and the next write should carry it (see {@link WriteBudget}).
   */
  private static boolean awaitNetwork(Policy policy, BanOutcome bans, PublishedPlan published, Instant now) {
    Policy.NetworkRule n = policy.networks;
    if (n == null || published == null) {
      return false;
    }
    List<Cidr> coming = bans.prefixes.entrySet().stream()
        .filter(q -> n.covers(q.getKey()) && !bans.bans.containsKey(q.getKey())
            && q.getValue().plus(n.prefix().forDuration()).isAfter(now))
        .map(Map.Entry::getKey).toList();
    if (coming.isEmpty()) {
      return false;
    }
    java.util.Set<Cidr> sent = new java.util.HashSet<>(published.plan().bans());
    return bans.bans.keySet().stream()
        .anyMatch(b -> !n.covers(b) && !sent.contains(b) && coming.stream().anyMatch(net -> net.contains(b)));
  }

  /**
   * A deny list held back by the write budget. The innocent clients that have turned up inside its network bans
   * since the last publication are carved out at the next one, like any list change (at most one interval later):
   * the addresses of a crawl that mixes routes look shopper-like, or even known-good, for a while by the draw of
   * their pages, and carving each such crossing out at once rewrote the deny list, and reloaded nginx, at nearly
   * every evaluation. What is never held is the withdrawal of a network ban that now holds more than twice the
   * carve-out cap of innocent clients (a network of shoppers, not of a crawl; this also bounds the carved pieces);
   * one that has merely crossed the cap is withdrawn at the next publication, so that a network hovering at the cap
   * does not reload the data plane at every crossing.
   */
  private static List<Cidr> withdrawCrowded(Policy policy, List<Cidr> held, java.util.Set<Cidr> book,
                                            java.util.NavigableSet<Cidr> innocents) {
    Policy.NetworkRule n = policy.networks;
    if (n == null || innocents == null) {
      return held;
    }
    List<Cidr> crowded = book.stream()
        .filter(b -> n.covers(b) && b.inside(innocents).size() > 2L * n.maxCarveOuts()).toList();
    if (crowded.isEmpty()) {
      return held;
    }
    List<Cidr> out = new ArrayList<>();
    for (Cidr e : held) {
      boolean perClientOrPrefix = book.contains(e) && !n.covers(e);
      if (perClientOrPrefix || crowded.stream().noneMatch(b -> b.contains(e))) {
        out.add(e);
      }
    }
    return out;
  }

  private static KnownGoodClients knownGood(Policy policy, Map<String, Eval> evals) {
    if (policy.knownGood == null) {
      return KnownGoodClients.NONE;
    }
    Eval e = evals.get(policy.knownGood.signal());
    return e == null || e.clients == null ? null : KnownGoodClients.select(policy.knownGood, e.clients);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Signals

  /** One signal's evaluation. Exactly one of scalar/clients/error describes it. */
  private static final class Eval {
    final String name;
    final boolean perClient;
    Double scalar;
    Map<Cidr, Double> clients;
    int invalid;
    int leftOut;
    String error;

    Eval(String name, boolean perClient) {
      this.name = name;
      this.perClient = perClient;
    }

    SignalSummary summary() {
      if (error != null) {
        return new SignalSummary(name, null, perClient ? 0 : null, perClient ? invalid : null, error);
      }
      if (!perClient) {
        return new SignalSummary(name, scalar, null, null, null);
      }
      double max = Double.NaN;
      boolean any = false;
      for (double v : clients.values()) {
        max = any ? Math.max(max, v) : v;
        any = true;
      }
      return new SignalSummary(name, any ? max : null, clients.size(), invalid, null, leftOut == 0 ? null : leftOut);
    }
  }

  private static Map<String, Eval> evaluate(Policy policy, Readings readings) {
    Map<String, Eval> out = new LinkedHashMap<>();
    for (Signal s : policy.signals.values()) {
      boolean perClient = s.getPerClient() != null;
      Eval e = new Eval(s.getName(), perClient);
      SignalReading r = readings.get(s.getName());
      if (r instanceof SignalReading.Unavailable u) {
        e.error = u.reason();
      } else if (r instanceof SignalReading.Scalar sc) {
        if (perClient) {
          e.error = "expected one value per client (label " + s.getPerClient().getLabel() + "), got a single value";
        } else if (Double.isNaN(sc.value())) {
          e.error = "value is NaN";
        } else if (Double.isInfinite(sc.value())) {
          e.error = "value is " + Fmt.num(sc.value());
        } else {
          e.scalar = sc.value();
        }
      } else if (r instanceof SignalReading.PerClient pc) {
        if (!perClient) {
          e.error = "expected a single value, got one value per client";
        } else {
          OffendersRule rule = policy.offenders != null && policy.offenders.signal().equals(s.getName())
              ? policy.offenders : null;
          Map<Cidr, Double> clients = new HashMap<>(Math.max(16, pc.values().size() * 2));
          int invalid = pc.unlabeled();
          for (Map.Entry<String, Double> en : pc.values().entrySet()) {
            Double v = en.getValue();
            var c = Cidr.parse(en.getKey()).map(Cidr::unmapIpv4);
            if (c.isEmpty() || (rule != null && c.get().prefixLength() < rule.prefixLength(c.get()))) {
              invalid++;
            } else if (v != null && Double.isFinite(v)) {
              clients.merge(c.get(), v, Math::max);
            }
          }
          e.clients = clients;
          e.invalid = invalid;
          e.leftOut = pc.leftOut();
        }
      }
      out.put(s.getName(), e);
    }
    return out;
  }

  private static String scalarValues(Policy policy, Map<String, Eval> evals) {
    List<String> parts = new ArrayList<>();
    for (String name : policy.referenced) {
      Eval e = evals.get(name);
      if (e != null && e.scalar != null) {
        parts.add(name + "=" + Fmt.num(e.scalar));
      }
    }
    return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
  }

  private static String availableMessage(Policy policy, Map<String, Eval> evals) {
    StringBuilder sb = new StringBuilder("All ").append(policy.referenced.size())
        .append(" signals the decisions use were evaluated");
    List<String> unused = new ArrayList<>();
    for (Eval e : evals.values()) {
      if (!policy.referenced.contains(e.name) && e.error != null) {
        unused.add("signal " + e.name + " (unused): " + e.error);
      }
    }
    if (!unused.isEmpty()) {
      sb.append("; ").append(String.join("; ", unused));
    }
    return sb.toString();
  }

  private static String consequence(Policy policy, Instant lastGood, boolean stale, int prevIdx) {
    String baseline = policy.levels.get(0);
    if (!policy.hold) {
      return "baseline " + baseline + " applies (onMetricsUnavailable=Baseline); bans stay until they expire";
    }
    if (stale) {
      return "baseline " + baseline + " applies: no good metrics "
          + (lastGood == null ? "yet" : "since " + lastGood) + " (staleAfter " + Fmt.duration(policy.staleAfter)
          + "); bans stay until they expire";
    }
    return "holding level " + policy.levels.get(prevIdx) + " and bans until " + lastGood.plus(policy.staleAfter)
        + " (onMetricsUnavailable=Hold, staleAfter " + Fmt.duration(policy.staleAfter) + ")";
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Conditions and history

  private static boolean holds(Cond c, Map<String, Instant> trueSince, Instant now) {
    Instant since = trueSince.get(c.key());
    return since != null && !since.plus(c.forDuration()).isAfter(now);
  }

  /** A recommendation by level index. */
  private record Rec(int level, Instant at) {
  }

  /** Previous recommendations of known levels strictly newer than {@code now - cooldown}, oldest first. */
  private static List<Rec> prune(Policy policy, List<Recommendation> previous, Instant now) {
    List<Rec> out = new ArrayList<>();
    Instant cutoff = now.minus(policy.cooldown);
    List<Recommendation> sorted = new ArrayList<>(previous);
    sorted.sort(Comparator.comparing(Recommendation::at));
    for (Recommendation r : sorted) {
      int idx = policy.indexOf(r.level());
      Instant at = r.at().isAfter(now) ? now : r.at();
      if (idx >= 0 && at.isAfter(cutoff)) {
        out.add(new Rec(idx, at));
      }
    }
    return out;
  }

  /**
   * Keeps only entries that can still decide the level: an entry is superseded by any later entry at the same or a
   * higher level, since the later one stays in the window longer. At most one entry per level remains, and none for
   * the baseline, which is the level when nothing else is recommended (so a quiet policy's memory never changes and
   * a steady state writes nothing).
   */
  private static List<Recommendation> compact(Policy policy, List<Rec> history) {
    List<Recommendation> out = new ArrayList<>();
    int maxLater = 0;
    for (int i = history.size() - 1; i >= 0; i--) {
      Rec r = history.get(i);
      if (r.level() > maxLater) {
        out.add(0, new Recommendation(policy.levels.get(r.level()), r.at()));
        maxLater = r.level();
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Bans

  private record BanOutcome(Map<Cidr, BanEntry> bans, Map<Cidr, Offending> offending, Map<Cidr, Instant> prefixes,
                            boolean capReached, java.util.Set<Cidr> revoked, List<Decision.SuspectClient> suspects) {
  }

  /**
   * A qualifying offender: the prefix to ban, either the client that caused it or the prefix evidence, and the ban's
   * duration and reason under the rule that applied.
   */
  private record Candidate(Cidr prefix, Cidr client, double value, PrefixEvidence evidence, Duration banFor,
                           String reason) {
  }

  private static final Comparator<Candidate> STRONGEST_FIRST =
      Comparator.comparingDouble(Candidate::value).reversed().thenComparing(Candidate::prefix)
          .thenComparing(Candidate::client, Comparator.nullsFirst(Comparator.naturalOrder()));

  /**
   * The ban book at this evaluation under {@code rule}, the offenders rule in force at the level decided (the base
   * rule with the level-scoped overrides): expiry and revocation, then prefix bans (prefixes due under
   * {@link PrefixAggregator}), then per-client bans of clients not already covered by a prefix ban; new bans fill
   * the free places of {@code maxBanned}, prefixes first, strongest first.
   */
  private static BanOutcome bans(Policy policy, OffendersRule rule, int level, EngineState previous,
                                 Map<String, Eval> evals, boolean available, KnownGoodClients knownGood,
                                 java.util.NavigableSet<Cidr> innocents, Instant now, List<DecisionEvent> events) {
    Map<Cidr, BanEntry> bans = new TreeMap<>(previous.bans());
    List<Cidr> expired = new ArrayList<>();
    List<Cidr> revoked = new ArrayList<>();
    java.util.Set<Cidr> revokedSet = new java.util.HashSet<>();
    bans.entrySet().removeIf(e -> {
      if (!e.getValue().until().isAfter(now)) {
        expired.add(e.getKey());
        return true;
      }
      Cidr c = e.getKey();
      if (rule == null || !allowedBan(policy, rule, c) || policy.allowlisted(c)) {
        revoked.add(c);
        revokedSet.add(c);
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
        revokedSet.add(c);
      }
    }
    if (!expired.isEmpty()) {
      events.add(new DecisionEvent(false, DecisionEvent.BANS_EXPIRED,
          expired.size() + (expired.size() == 1 ? " ban" : " bans") + " expired: " + Fmt.list(expired, Cidr::toString, LISTED_IN_EVENT)));
    }
    if (!revoked.isEmpty()) {
      events.add(new DecisionEvent(false, DecisionEvent.BANS_REVOKED, revoked.size()
          + (revoked.size() == 1 ? " ban" : " bans")
          + " lifted because the policy no longer allows them (offenders, allowlist, prefix length or maxBanned "
          + "changed): " + Fmt.list(revoked, Cidr::toString, LISTED_IN_EVENT)));
    }

    Map<Cidr, Offending> offending = new HashMap<>();
    if (rule == null) {
      return new BanOutcome(bans, offending, Map.of(), false, revokedSet, List.of());
    }
    Eval oe = evals.get(rule.signal());
    if (oe == null || oe.clients == null) {
      return new BanOutcome(bans, offending, Map.of(), false, revokedSet, List.of());
    }
    boolean sameRule = rule.key().equals(previous.offendersRule());

    // Prefixes: qualifying clocks are kept while the base rule and the aggregation lengths stay the same.
    PrefixAggregator.Outcome prefixes = PrefixAggregator.evaluate(rule.prefixes(), oe.clients,
        sameRule ? previous.prefixes() : Map.of(), policy::allowlisted, knownGood, now);
    // Networks, from the networks rule's level on: their clocks live beside the prefixes' (other lengths).
    Policy.NetworkRule nr = policy.networks;
    PrefixAggregator.Outcome networks = PrefixAggregator.NONE;
    if (nr != null && level >= nr.fromIndex()) {
      Eval ne = evals.get(nr.signal());
      if (ne != null && ne.clients != null) {
        networks = PrefixAggregator.evaluateNetworks(nr, ne.clients, innocents,
            sameRule ? previous.prefixes() : Map.of(), policy::allowlisted, now);
      }
    }
    List<Candidate> due = new ArrayList<>();
    if (available) {
      for (PrefixAggregator.Due d : networks.due()) {
        due.add(new Candidate(d.prefix(), null, d.evidence().sum(), d.evidence(), nr.prefix().banFor(),
            PrefixAggregator.describeNetwork(nr, d)));
      }
      for (PrefixAggregator.Due d : prefixes.due()) {
        due.add(new Candidate(d.prefix(), null, d.evidence().sum(), d.evidence(), rule.prefixes().banFor(),
            PrefixAggregator.describe(rule.signal(), rule.prefixes(), d.evidence())));
      }
    }

    Map<Cidr, Candidate> qualified = new HashMap<>();
    List<Decision.SuspectClient> suspects = new ArrayList<>();
    // The reason texts' bars, once per rule.
    String ruleBar = rule.bar();
    String baseBar = policy.offenders == rule ? ruleBar : policy.offenders.bar();
    for (Map.Entry<Cidr, Double> en : oe.clients.entrySet()) {
      Cidr client = en.getKey();
      double value = en.getValue();
      // The level's bar is never above the base rule's (overrides only tighten): a client not above it is above
      // neither, whether known-good or not, and needs no known-good lookup.
      if (!(value > rule.above())) {
        continue;
      }
      // A known-good client is held to the base rule: the tighter bars of an attack level are for clients without
      // an established history (a CGNAT address of many shoppers reaches them without being a crawler).
      OffendersRule own = knownGood != null && rule != policy.offenders && knownGood.qualifying().contains(client)
          ? policy.offenders : rule;
      if (own != rule && !(value > own.above())) {
        continue;
      }
      Cidr prefix = policy.banPrefix(client);
      if (prefix == null) {
        // No ban may cover it and it is above the bar. An internal address (a never-banned range, or a private one
        // the allowlist exempts) at enumeration rates is the sign of a load balancer, proxy or node address standing
        // for many clients, or of forged client addresses; an allowlisted public address is a partner's or a
        // search engine's crawler doing what it is allowed to.
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
    List<Candidate> perClient = new ArrayList<>(qualified.values());
    perClient.sort(STRONGEST_FIRST);
    due.addAll(perClient);

    List<Candidate> fresh = new ArrayList<>();
    java.util.Set<Cidr> prefixBans = new java.util.HashSet<>(bans.keySet());
    for (Candidate c : due) {
      BanEntry existing = bans.get(c.prefix());
      Instant until = now.plus(c.banFor());
      if (existing != null) {
        Instant u = existing.until().isAfter(until) ? existing.until() : until;
        bans.put(c.prefix(), new BanEntry(u, c.reason(), c.evidence() != null ? c.evidence()
            : existing.evidence()));
      } else if (!coveredByPrefix(c, rule, prefixBans)
          && !coveredByNetwork(c.prefix(), nr, prefixBans, innocents)) {
        fresh.add(c);
        if (c.evidence() != null) {
          prefixBans.add(c.prefix());
        }
      }
    }
    int room = Math.max(0, rule.maxBanned() - bans.size());
    List<Candidate> banned = new ArrayList<>();
    List<Candidate> bannedPrefixes = new ArrayList<>();
    for (int i = 0; i < fresh.size() && i < room; i++) {
      Candidate c = fresh.get(i);
      bans.put(c.prefix(), new BanEntry(now.plus(c.banFor()), c.reason(), c.evidence()));
      (c.evidence() != null ? bannedPrefixes : banned).add(c);
    }
    java.util.function.Function<Candidate, String> bannedText = c -> c.prefix() + " (" + c.reason() + ")";
    if (!bannedPrefixes.isEmpty()) {
      Duration longest = bannedPrefixes.stream().map(Candidate::banFor).max(Comparator.naturalOrder()).orElseThrow();
      events.add(new DecisionEvent(true, DecisionEvent.PREFIXES_BANNED, "Banned " + bannedPrefixes.size()
          + (bannedPrefixes.size() == 1 ? " prefix" : " prefixes") + " until "
          + now.plus(longest) + ": " + Fmt.list(bannedPrefixes, bannedText, LISTED_IN_EVENT)));
    }
    if (!banned.isEmpty()) {
      events.add(new DecisionEvent(true, DecisionEvent.CLIENTS_BANNED, "Banned " + banned.size()
          + (banned.size() == 1 ? " client" : " clients") + " until " + now.plus(rule.banFor()) + ": "
          + Fmt.list(banned, bannedText, LISTED_IN_EVENT)));
    }
    boolean capReached = false;
    if (fresh.size() > room) {
      capReached = true;
      List<Candidate> left = fresh.subList(room, fresh.size());
      events.add(new DecisionEvent(true, DecisionEvent.BAN_CAP_REACHED, "maxBanned " + rule.maxBanned()
          + " reached: " + left.size() + " qualifying " + (left.size() == 1 ? "offender was" : "offenders were")
          + " not banned (the strongest were): "
          + Fmt.list(left, c -> c.prefix() + " (" + rule.signal() + "=" + Fmt.num(c.value()) + ")", LISTED_IN_EVENT)));
    }
    Map<Cidr, Instant> qualifying = prefixes.qualifying();
    if (!networks.qualifying().isEmpty()) {
      qualifying = new HashMap<>(qualifying);
      qualifying.putAll(networks.qualifying());
    }
    if (qualifying.size() > MAX_QUALIFYING_PREFIXES) {
      List<Map.Entry<Cidr, Instant>> oldest = new ArrayList<>(qualifying.entrySet());
      qualifying = new HashMap<>();
      oldest.sort(Map.Entry.<Cidr, Instant>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
      for (int i = 0; i < MAX_QUALIFYING_PREFIXES; i++) {
        qualifying.put(oldest.get(i).getKey(), oldest.get(i).getValue());
      }
    }
    return new BanOutcome(bans, offending, qualifying, capReached, revokedSet,
        suspects.stream().sorted(Decision.SuspectClient.STRONGEST_FIRST).toList());
  }

  /** Qualifying prefixes remembered at most (the longest-qualifying ones). */
  static final int MAX_QUALIFYING_PREFIXES = 1000;

  /**
   * Whether the policy allows a ban of {@code c}: a client prefix, a prefix of the aggregation length, or a network
   * (whatever the level: network bans keep their expiry after the level that decided them is left).
   */
  private static boolean allowedBan(Policy policy, OffendersRule rule, Cidr c) {
    return c.prefixLength() >= rule.prefixLength(c)
        || (rule.prefixes() != null && c.prefixLength() >= rule.prefixes().length(c))
        || (policy.networks != null && c.prefixLength() >= policy.networks.prefix().length(c));
  }

  /** Whether a prefix ban in force (or just decided) covers per-client candidate {@code c}. */
  private static boolean coveredByPrefix(Candidate c, OffendersRule rule, java.util.Set<Cidr> banned) {
    if (c.evidence() != null || rule.prefixes() == null) {
      return false;
    }
    int len = rule.prefixes().length(c.prefix());
    return len < c.prefix().prefixLength() && banned.contains(c.prefix().widenTo(len));
  }

  /**
   * Whether an enforced network ban in force (or just decided) covers {@code c} (a client or a prefix) and does not
   * carve it out.
   */
  private static boolean coveredByNetwork(Cidr c, Policy.NetworkRule n, java.util.Set<Cidr> banned,
                                          java.util.NavigableSet<Cidr> innocents) {
    if (n == null) {
      return false;
    }
    int len = n.prefix().length(c);
    Cidr net = c.widenTo(len);
    return len < c.prefixLength() && banned.contains(net) && enforced(n, net, innocents)
        && c.inside(innocents).isEmpty();
  }


}
