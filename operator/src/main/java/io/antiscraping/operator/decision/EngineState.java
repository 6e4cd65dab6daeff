package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the decision engine remembers from one evaluation to the next. Immutable; {@link StateCodec} persists it in
 * the policy status so that a restarted operator carries on where it stopped.
 *
 * @param level                   the level in force
 * @param levelSince              when it was entered
 * @param recommendations         the recommendation history that can still decide the level within the cooldown,
 *                                oldest first (each entry's level is higher than every later entry's)
 * @param conditionsTrueSince     since when each currently true comparison has been true, by condition key
 *                                ({@code <level>/<index>:<signal><op><threshold>})
 * @param offendersRule           the offenders rule ({@code <signal>><above>}) {@code offending} was measured against
 * @param offending               clients currently strictly above the offenders threshold: since when, latest value
 * @param prefixes                prefixes currently qualifying for a prefix ban (sum, members, purity): since when
 * @param bans                    bans in force: prefix to expiry and reason
 * @param lastGoodMetrics         last evaluation at which every signal the decisions use was available; null if none
 * @param metricsUnavailableSince since when metrics have been unavailable; null while they are available
 * @param lastEvaluation          time of the evaluation that produced this state; null for an initial state
 */
public record EngineState(String level, Instant levelSince, List<Recommendation> recommendations,
                          Map<String, Instant> conditionsTrueSince, String offendersRule,
                          Map<Cidr, Offending> offending, Map<Cidr, Instant> prefixes, Map<Cidr, BanEntry> bans,
                          Instant lastGoodMetrics,
                          Instant metricsUnavailableSince, Instant lastEvaluation) {

  public EngineState {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(levelSince, "levelSince");
    recommendations = List.copyOf(recommendations);
    conditionsTrueSince = Map.copyOf(conditionsTrueSince);
    offending = Map.copyOf(offending);
    prefixes = Map.copyOf(prefixes);
    bans = Map.copyOf(bans);
  }

  /** The level recommended at one evaluation. */
  public record Recommendation(String level, Instant at) {
    public Recommendation {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(at, "at");
    }
  }

  /** A client above the offenders threshold: since when (continuously), and its latest value. */
  public record Offending(Instant since, double value) {
    public Offending {
      Objects.requireNonNull(since, "since");
    }
  }

  /**
   * A ban: until when, the value that caused (or last extended) it, and for a prefix ban the evidence.
   *
   * @param evidence null for a per-client ban
   */
  public record BanEntry(Instant until, String reason, PrefixEvidence evidence) {
    public BanEntry {
      Objects.requireNonNull(until, "until");
      reason = reason == null ? "" : reason;
    }

    public BanEntry(Instant until, String reason) {
      this(until, reason, null);
    }
  }

  /**
   * Why a prefix was banned: its active members, the sum of their values and the share of them that were suspicious.
   */
  public record PrefixEvidence(int members, double sum, double suspiciousShare) {
  }

  /** The state of a policy never evaluated: baseline level since {@code now}, nothing remembered. */
  public static EngineState initial(ScrapingPolicySpec spec, Instant now) {
    return new EngineState(Plans.baseline(spec), now, List.of(), Map.of(), null, Map.of(), Map.of(), Map.of(), null,
        null, null);
  }
}
