package io.antiscraping.operator.decision;

import io.antiscraping.operator.decision.EngineState.Recommendation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The HPA-style stabilisation window behind the level in force: the level is the highest one recommended at any
 * evaluation strictly newer than {@code now - cooldown}. Escalation is therefore immediate and de-escalation waits
 * for the cooldown. The window keeps only the entries that can still decide the level (an entry is superseded by any
 * later one at the same or a higher level, which stays in the window longer), and none for the baseline, so that a
 * quiet policy's memory never changes and a steady state writes nothing.
 */
final class CooldownWindow {

  /** A recommendation by level index. */
  private record Entry(int level, Instant at) {
  }

  private final CompiledPolicy policy;
  private final List<Entry> entries = new ArrayList<>();

  /**
   * The window at {@code now}: the previous recommendations of levels still in the policy and inside the window,
   * oldest first (a time in the future counts as now).
   */
  CooldownWindow(CompiledPolicy policy, List<Recommendation> previous, Instant now) {
    this.policy = policy;
    Instant cutoff = now.minus(policy.cooldown);
    List<Recommendation> sorted = new ArrayList<>(previous);
    sorted.sort(Comparator.comparing(Recommendation::at));
    for (Recommendation r : sorted) {
      int idx = policy.indexOf(r.level());
      Instant at = r.at().isAfter(now) ? now : r.at();
      if (idx >= 0 && at.isAfter(cutoff)) {
        entries.add(new Entry(idx, at));
      }
    }
  }

  /** Records that level {@code level} was recommended (or held) at {@code now}. */
  void record(int level, Instant now) {
    entries.add(new Entry(level, now));
  }

  /** Forgets every recommendation: after an outage past staleAfter the baseline applies and recovery starts afresh. */
  void clear() {
    entries.clear();
  }

  /** The entries that can still decide the level, oldest first: what the engine remembers. */
  List<Recommendation> remembered() {
    List<Recommendation> out = new ArrayList<>();
    int maxLater = 0;
    for (int i = entries.size() - 1; i >= 0; i--) {
      Entry e = entries.get(i);
      if (e.level() > maxLater) {
        out.add(0, new Recommendation(policy.levels.get(e.level()), e.at()));
        maxLater = e.level();
      }
    }
    return out;
  }

  /** The level in force: the highest recommended within the window (the baseline, index 0, when none). */
  int level() {
    int level = 0;
    for (Entry e : entries) {
      level = Math.max(level, e.level());
    }
    return level;
  }
}
