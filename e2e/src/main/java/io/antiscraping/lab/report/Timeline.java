package io.antiscraping.lab.report;

import java.util.ArrayList;
import java.util.List;

/**
 * What the lab saw of the control loop during a run, sampled by polling the API server: the policy's level and bans,
 * and the annotations on the protected Ingress. Times are milliseconds since the start of the run.
 */
public final class Timeline {

  /** One poll. */
  public record Sample(long atMillis, String level, List<String> banned, int ingressWrites, int statusWrites,
      int nginxReloads) {}

  /** A level change. */
  public record LevelChange(long atMillis, String level) {}

  private final List<Sample> samples = new ArrayList<>();
  private final java.util.Set<String> everBanned = new java.util.TreeSet<>();

  public synchronized void add(Sample s) {
    samples.add(s);
    everBanned.addAll(s.banned());
  }

  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Every CIDR banned at some point of the run. */
  public synchronized List<String> everBanned() {
    return List.copyOf(everBanned);
  }

  public synchronized List<LevelChange> levelChanges() {
    List<LevelChange> out = new ArrayList<>();
    String last = null;
    for (Sample s : samples) {
      String level = s.level() == null ? "(none)" : s.level();
      if (!level.equals(last)) {
        out.add(new LevelChange(s.atMillis(), level));
        last = level;
      }
    }
    return out;
  }

  public synchronized int maxBanned() {
    return samples.stream().mapToInt(s -> s.banned().size()).max().orElse(0);
  }

  public synchronized Sample last() {
    return samples.isEmpty() ? null : samples.get(samples.size() - 1);
  }
}
