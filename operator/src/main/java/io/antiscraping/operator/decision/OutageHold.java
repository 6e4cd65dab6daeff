package io.antiscraping.operator.decision;

import java.time.Instant;

/**
 * What an evaluation does about missing metrics ({@code spec.onMetricsUnavailable}). While the signals the decisions
 * use are unavailable nothing escalates and nothing is banned or extended; bans in force stay until their own expiry
 * (they were decided on good data, and lifting them whenever Prometheus hiccups would let a known scraper back in on
 * a failure it may be able to provoke).
 * <ul>
 *   <li>{@code Hold}: the level in force is kept until {@code staleAfter} has passed since the last evaluation with
 *   available metrics; each held evaluation counts as recommending the held level, so once metrics return the
 *   cooldown still protects against relaxing on the strength of the outage alone.</li>
 *   <li>{@code Baseline}, or {@code Hold} past {@code staleAfter}: the baseline applies and the recommendation
 *   history is cleared, so recovery does not jump back to a level recommended before the outage.</li>
 * </ul>
 *
 * @param available        whether metrics are available now
 * @param held             unavailable, and the level in force is held ({@code Hold} within {@code staleAfter})
 * @param lastGood         the last evaluation with available metrics (now when available), null if none
 * @param unavailableSince since when metrics have been unavailable, null while available
 * @param startedNow       the outage started at this evaluation
 * @param recoveredFrom    when the outage that ended at this evaluation started, else null
 * @param consequence      what the engine does about the outage (empty while available)
 */
record OutageHold(boolean available, boolean held, Instant lastGood, Instant unavailableSince, boolean startedNow,
                  Instant recoveredFrom, String consequence) {

  /** The hold at {@code now}, given the previous state's outage memory and the level in force before, by index. */
  static OutageHold at(CompiledPolicy policy, EngineState previous, boolean available, int previousLevel, Instant now) {
    Instant lastGood = previous.lastGoodMetrics();
    Instant since = previous.metricsUnavailableSince();
    if (available) {
      return new OutageHold(true, false, now, null, false, since, "");
    }
    boolean held = policy.hold && lastGood != null && now.isBefore(lastGood.plus(policy.staleAfter));
    return new OutageHold(false, held, lastGood, since == null ? now : since, since == null, null,
        consequence(policy, lastGood, held, previousLevel));
  }

  /** Applies the hold to the cooldown window: the recommendation, the held level, or a cleared history. */
  void record(CooldownWindow window, int recommended, int previousLevel, Instant now) {
    if (available) {
      window.record(recommended, now);
    } else if (held) {
      window.record(previousLevel, now);
    } else {
      window.clear();
    }
  }

  private static String consequence(CompiledPolicy policy, Instant lastGood, boolean held, int previousLevel) {
    String baseline = policy.levels.get(0);
    if (!policy.hold) {
      return "baseline " + baseline + " applies (onMetricsUnavailable=Baseline); bans stay until they expire";
    }
    if (!held) {
      return "baseline " + baseline + " applies: no good metrics "
          + (lastGood == null ? "yet" : "since " + lastGood) + " (staleAfter " + Formatting.duration(policy.staleAfter)
          + "); bans stay until they expire";
    }
    return "holding level " + policy.levels.get(previousLevel) + " and bans until " + lastGood.plus(policy.staleAfter)
        + " (onMetricsUnavailable=Hold, staleAfter " + Formatting.duration(policy.staleAfter) + ")";
  }
}
