package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.WhenCondition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A spec read once per evaluation into the form the engine needs. Tolerates what schema validation should have
 * rejected (missing thresholds, bad durations, out-of-range prefix lengths) by choosing the safe reading.
 */
final class Policy {

  /** One {@code when} comparison. */
  record Cond(String key, String signal, boolean above, double threshold, Duration forDuration) {
    boolean test(double v) {
      return above ? v > threshold : v < threshold;
    }

    String describe(Double value) {
      return signal + "=" + (value == null ? "?" : Fmt.num(value)) + (above ? " > " : " < ") + Fmt.num(threshold)
          + " for " + Fmt.duration(forDuration);
    }
  }

  /** The offenders rule. */
  record OffendersRule(String signal, double above, Duration forDuration, Duration banFor, int maxBanned,
                       int ipv4PrefixLength, int ipv6PrefixLength) {
    String key() {
      return signal + ">" + Fmt.num(above);
    }

    int prefixLength(Cidr c) {
      return c.ipv6() ? ipv6PrefixLength : ipv4PrefixLength;
    }

    String describe(double value) {
      return signal + "=" + Fmt.num(value) + " > " + Fmt.num(above) + " for " + Fmt.duration(forDuration);
    }
  }

  final List<String> levels = new ArrayList<>();
  final Map<String, Integer> levelIndex = new HashMap<>();
  final List<List<Cond>> conditions = new ArrayList<>();
  final Map<String, Signal> signals = new LinkedHashMap<>();
  final Set<String> referenced = new LinkedHashSet<>();
  final Duration cooldown;
  final Duration staleAfter;
  final boolean hold;
  final OffendersRule offenders;
  final List<Cidr> allowlist;

  private Policy(ScrapingPolicySpec spec) {
    List<Level> ls = spec.getLevels() == null ? List.of() : spec.getLevels();
    if (ls.isEmpty()) {
      throw new IllegalArgumentException("spec.levels is empty: a policy needs at least its baseline level");
    }
    for (Signal s : spec.getSignals() == null ? List.<Signal>of() : spec.getSignals()) {
      if (s != null && s.getName() != null) {
        signals.putIfAbsent(s.getName(), s);
      }
    }
    for (int i = 0; i < ls.size(); i++) {
      Level l = ls.get(i);
      String name = l == null || l.getName() == null ? "level-" + i : l.getName();
      levels.add(name);
      levelIndex.putIfAbsent(name, i);
      List<Cond> cs = new ArrayList<>();
      if (i > 0 && l != null && l.getWhen() != null) {
        for (int j = 0; j < l.getWhen().size(); j++) {
          WhenCondition w = l.getWhen().get(j);
          if (w == null) {
            continue;
          }
          boolean above = w.getAbove() != null;
          Double t = above ? w.getAbove() : w.getBelow();
          double threshold = t == null ? Double.NaN : t;
          String signal = String.valueOf(w.getSignal());
          String key = name + "/" + j + ":" + signal + (above ? ">" : "<") + Fmt.num(threshold);
          cs.add(new Cond(key, signal, above, threshold, Fmt.parseDuration(w.getForDuration(), Duration.ZERO)));
          referenced.add(signal);
        }
      }
      conditions.add(List.copyOf(cs));
    }
    cooldown = Fmt.parseDuration(spec.getCooldown(), Fmt.parseDuration(ScrapingPolicySpec.DEFAULT_COOLDOWN, null));
    staleAfter = Fmt.parseDuration(spec.getStaleAfter(),
        Fmt.parseDuration(ScrapingPolicySpec.DEFAULT_STALE_AFTER, null));
    hold = spec.getOnMetricsUnavailable() != ScrapingPolicySpec.OnMetricsUnavailable.BASELINE;
    Offenders o = spec.getOffenders();
    if (o != null && o.getSignal() != null) {
      offenders = new OffendersRule(o.getSignal(), o.getAbove() == null ? Double.NaN : o.getAbove(),
          Fmt.parseDuration(o.getForDuration(), Duration.ofMinutes(1)),
          Fmt.parseDuration(o.getBanFor(), Duration.ofHours(1)),
          clamp(o.getMaxBanned(), Offenders.DEFAULT_MAX_BANNED, 0, 5000),
          clamp(o.getIpv4PrefixLength(), 32, 8, 32),
          clamp(o.getIpv6PrefixLength(), 64, 32, 128));
      referenced.add(o.getSignal());
    } else {
      offenders = null;
    }
    allowlist = Plans.allowlist(spec);
  }

  static Policy of(ScrapingPolicySpec spec) {
    return new Policy(spec);
  }

  int indexOf(String level) {
    Integer i = level == null ? null : levelIndex.get(level);
    return i == null ? -1 : i;
  }

  boolean allowlisted(Cidr c) {
    for (Cidr a : allowlist) {
      if (a.overlaps(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The prefix to ban for an offending client: the client widened to the policy's prefix length, or the client
   * itself when the widened prefix would cover an allowlisted address; null when even the client is allowlisted.
   * The client must not be broader than the policy's prefix length (callers check).
   */
  Cidr banPrefix(Cidr client) {
    Cidr wide = client.widenTo(offenders.prefixLength(client));
    if (!allowlisted(wide)) {
      return wide;
    }
    return allowlisted(client) ? null : client;
  }

  private static int clamp(Integer v, int dflt, int min, int max) {
    int x = v == null ? dflt : v;
    return Math.max(min, Math.min(max, x));
  }
}
