package io.antiscraping.operator.decision;

import io.antiscraping.operator.decision.BanBook.Candidate;
import io.antiscraping.operator.decision.CompiledPolicy.Cond;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Words what one evaluation changed as {@link DecisionEvent}s, from the parts' change values: the outage, the level,
 * then the ban book. Events list at most {@value #LISTED} items each; the status holds the whole book.
 */
final class Narrator {

  private static final int LISTED = 10;

  private Narrator() {
  }

  /**
   * The level in force before and now, by index into the policy's levels ({@code fromKnown}: the previous level was
   * still in the policy; if not, {@code from} is its name and its index counts as the baseline's).
   */
  record LevelChange(String from, boolean fromKnown, int fromIndex, int to, int recommended) {
  }

  static List<DecisionEvent> events(CompiledPolicy policy, SignalValues signals, OutageHold outage, LevelChange level,
                                    BanBook.Change bans, Instant now) {
    List<DecisionEvent> events = new ArrayList<>();
    if (outage.recoveredFrom() != null) {
      events.add(new DecisionEvent(false, DecisionEvent.METRICS_RECOVERED, "Metrics available again after "
          + Formatting.duration(Duration.between(outage.recoveredFrom(), now)) + " (unavailable since "
          + outage.recoveredFrom() + ")"));
    }
    if (outage.startedNow()) {
      events.add(new DecisionEvent(true, DecisionEvent.METRICS_UNAVAILABLE,
          "Metrics unavailable: " + signals.failureText() + "; " + outage.consequence()));
    }
    DecisionEvent levelEvent = level(policy, signals, outage, level);
    if (levelEvent != null) {
      events.add(levelEvent);
    }
    events.addAll(bans(bans, now));
    return events;
  }

  private static DecisionEvent level(CompiledPolicy policy, SignalValues signals, OutageHold outage, LevelChange c) {
    String to = policy.levels.get(c.to());
    if (!c.fromKnown() && !c.from().equals(to)) {
      return new DecisionEvent(c.to() > 0, c.to() > 0 ? DecisionEvent.LEVEL_RAISED : DecisionEvent.LEVEL_LOWERED,
          "Level " + c.from() + " is no longer in spec.levels; level in force: " + to);
    }
    String from = policy.levels.get(c.fromIndex());
    if (c.to() > c.fromIndex()) {
      List<String> why = new ArrayList<>();
      for (Cond cond : policy.conditions.get(c.to())) {
        why.add(cond.describe(signals.scalar(cond.signal())));
      }
      return new DecisionEvent(true, DecisionEvent.LEVEL_RAISED, "Level raised from " + from + " to " + to + ": "
          + String.join(", ", why));
    }
    if (c.to() < c.fromIndex()) {
      String why = outage.available()
          ? "no evaluation within the last " + Formatting.duration(policy.cooldown) + " (cooldown) recommended " + from
          + " or higher; now recommended: " + policy.levels.get(c.recommended()) + signals.scalarText(policy)
          : signals.failureText() + "; " + outage.consequence();
      return new DecisionEvent(false, DecisionEvent.LEVEL_LOWERED, "Level lowered from " + from + " to " + to + ": "
          + why);
    }
    return null;
  }

  private static List<DecisionEvent> bans(BanBook.Change b, Instant now) {
    List<DecisionEvent> events = new ArrayList<>();
    if (!b.expired().isEmpty()) {
      events.add(new DecisionEvent(false, DecisionEvent.BANS_EXPIRED, count(b.expired().size(), "ban", "bans")
          + " expired: " + Formatting.list(b.expired(), Cidr::toString, LISTED)));
    }
    if (!b.revoked().isEmpty()) {
      events.add(new DecisionEvent(false, DecisionEvent.BANS_REVOKED, count(b.revoked().size(), "ban", "bans")
          + " lifted because the policy no longer allows them (offenders, allowlist, prefix length or maxBanned "
          + "changed): " + Formatting.list(b.revoked(), Cidr::toString, LISTED)));
    }
    Function<Candidate, String> banned = c -> c.prefix() + " (" + c.reason() + ")";
    if (!b.bannedPrefixes().isEmpty()) {
      Duration longest = b.bannedPrefixes().stream().map(Candidate::banFor).max(Comparator.naturalOrder())
          .orElseThrow();
      events.add(new DecisionEvent(true, DecisionEvent.PREFIXES_BANNED, "Banned "
          + count(b.bannedPrefixes().size(), "prefix", "prefixes") + " until " + now.plus(longest) + ": "
          + Formatting.list(b.bannedPrefixes(), banned, LISTED)));
    }
    if (!b.bannedClients().isEmpty()) {
      events.add(new DecisionEvent(true, DecisionEvent.CLIENTS_BANNED, "Banned "
          + count(b.bannedClients().size(), "client", "clients") + " until " + now.plus(b.rule().banFor()) + ": "
          + Formatting.list(b.bannedClients(), banned, LISTED)));
    }
    if (b.capReached()) {
      List<Candidate> left = b.leftOut();
      events.add(new DecisionEvent(true, DecisionEvent.BAN_CAP_REACHED, "maxBanned " + b.rule().maxBanned()
          + " reached: " + left.size() + " qualifying " + (left.size() == 1 ? "offender was" : "offenders were")
          + " not banned (the strongest were): "
          + Formatting.list(left, c -> c.prefix() + " (" + b.rule().signal() + "=" + Formatting.num(c.value()) + ")", LISTED)));
    }
    return events;
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
