package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.operator.decision.CompiledPolicy.Cond;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The decision engine: {@code (spec, previous state, readings, now) -> Decision}. Pure and deterministic: no I/O, no
 * clock, no randomness; times are truncated to milliseconds (what the status keeps). It orchestrates named parts,
 * each with its own rules and tests:
 * <ol>
 *   <li>{@link SignalValues}: the readings checked against the declared signals; metrics are available when every
 *   signal the decisions use has a usable value.</li>
 *   <li>Conditions: a {@code when} condition holds once its strict comparison ({@code above}: value &gt; threshold,
 *   {@code below}: value &lt; threshold) has been true at every evaluation for its {@code for}; an evaluation at
 *   which it is false or its signal unavailable restarts the clock. The recommendation is the highest level (other
 *   than the baseline) whose conditions all hold, else the baseline.</li>
 *   <li>{@link OutageHold} and {@link CooldownWindow}: the level in force is the highest recommended within the
 *   cooldown; while metrics are unavailable nothing escalates and the hold decides what the window records.</li>
 *   <li>{@link KnownGoodClients}, {@link NetworkBans} and {@link BanBook}: who is exempt, who is innocent inside a
 *   network, and the bans in force under the offenders rule of the level decided.</li>
 *   <li>{@link Narrator}: the Events, from what the parts changed.</li>
 *   <li>{@link Plans} and {@link WriteBudget}: the plan for the data planes, coalesced to at most one list change
 *   per {@code banUpdateInterval}.</li>
 * </ol>
 * Dry run is the caller's business: the engine computes the same decision either way. It is stateless and
 * thread-safe.
 */
public final class DecisionEngine {

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
    Instant at = now.truncatedTo(ChronoUnit.MILLIS);
    return decideAt(spec, previous == null ? EngineState.initial(spec, at) : previous, readings, at, published);
  }

  private Decision decideAt(ScrapingPolicySpec spec, EngineState previous, Readings readings, Instant now,
                            PublishedPlan published) {
    CompiledPolicy policy = CompiledPolicy.of(spec, neverBanned);
    SignalValues signals = SignalValues.of(policy, readings);
    Map<String, Instant> trueSince = conditionsTrueSince(policy, previous, signals, now);
    int recommended = recommended(policy, trueSince, now);

    // The level in force.
    boolean previousKnown = policy.indexOf(previous.level()) >= 0;
    int previousLevel = Math.max(0, policy.indexOf(previous.level()));
    OutageHold outage = OutageHold.at(policy, previous, signals.available(), previousLevel, now);
    CooldownWindow window = new CooldownWindow(policy, previous.recommendations(), now);
    outage.record(window, recommended, previousLevel, now);
    int level = window.level();
    String levelName = policy.levels.get(level);
    Instant levelSince = level == previousLevel && previousKnown && previous.levelSince() != null
        && !previous.levelSince().isAfter(now) ? previous.levelSince() : now;

    // Who is exempt, who is innocent, and the bans under the offenders rule of the level.
    KnownGoodClients knownGood = knownGood(policy, signals);
    NetworkBans networks = NetworkBans.of(policy, signals, knownGood);
    BanBook.Change bans = new BanBook(policy, knownGood, networks)
        .next(previous, policy.offendersAt(level), level, signals, outage.available(), now);
    List<DecisionEvent> events = Narrator.events(policy, signals, outage,
        new Narrator.LevelChange(previous.level(), previousKnown, previousLevel, level, recommended), bans, now);

    EngineState next = new EngineState(levelName, levelSince, window.remembered(), trueSince,
        policy.offenders == null ? null : policy.offenders.key(), bans.offending(), bans.qualifying(), bans.bans(),
        outage.lastGood(), outage.unavailableSince(), now);
    // While the known-good clients are unknown, the exemptions last published at this level stay.
    Collection<Cidr> exempt = knownGood != null ? knownGood.clients()
        : published != null && published.plan().level().equals(levelName) ? published.plan().knownGood() : List.of();
    EnforcementPlan full = Plans.forLevel(spec, levelName, networks.denylist(bans.bans().keySet(), published), exempt);
    boolean lowered = published != null && policy.indexOf(published.plan().level()) > level;
    WriteBudget.Outcome out = WriteBudget.apply(new WriteBudget.Proposal(full, lowered, bans.revokedSet(),
        networks.outlook(bans.bans().keySet(), bans.qualifying(), published, now)), published,
        policy.banUpdateInterval, now);
    MetricsHealth health = outage.available()
        ? new MetricsHealth(true, MetricsHealth.EVALUATED, signals.availableMessage(policy))
        : new MetricsHealth(false, MetricsHealth.UNAVAILABLE, signals.failureText() + "; " + outage.consequence());
    return new Decision(next, out.plan(), events, health, bans.capReached(), signals.summaries(), out.published(),
        out.held(), knownGood == null || policy.knownGood == null ? null
            : new Decision.KnownGoodCount(knownGood.clients().size(), knownGood.leftOut()), bans.suspects());
  }

  /** Since when each comparison true now has been true (continuously; a time in the future counts as now). */
  private static Map<String, Instant> conditionsTrueSince(CompiledPolicy policy, EngineState previous, SignalValues signals,
                                                          Instant now) {
    Map<String, Instant> trueSince = new HashMap<>();
    for (List<Cond> cs : policy.conditions) {
      for (Cond c : cs) {
        Double v = signals.scalar(c.signal());
        if (v != null && c.test(v)) {
          Instant s = previous.conditionsTrueSince().get(c.key());
          trueSince.put(c.key(), s == null || s.isAfter(now) ? now : s);
        }
      }
    }
    return trueSince;
  }

  /** The highest level other than the baseline all of whose conditions hold, else the baseline (index 0). */
  private static int recommended(CompiledPolicy policy, Map<String, Instant> trueSince, Instant now) {
    for (int i = policy.levels.size() - 1; i > 0; i--) {
      List<Cond> cs = policy.conditions.get(i);
      if (!cs.isEmpty() && cs.stream().allMatch(c -> holds(c, trueSince, now))) {
        return i;
      }
    }
    return 0;
  }

  private static boolean holds(Cond c, Map<String, Instant> trueSince, Instant now) {
    Instant since = trueSince.get(c.key());
    return since != null && !since.plus(c.forDuration()).isAfter(now);
  }

  /** The known-good clients: none without spec.knownGood, null while its signal is unavailable. */
  private static KnownGoodClients knownGood(CompiledPolicy policy, SignalValues signals) {
    if (policy.knownGood == null) {
      return KnownGoodClients.NONE;
    }
    Map<Cidr, Double> values = signals.clients(policy.knownGood.signal());
    return values == null ? null : KnownGoodClients.select(policy.knownGood, values);
  }
}
