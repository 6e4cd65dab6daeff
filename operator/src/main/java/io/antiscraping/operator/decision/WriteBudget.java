package io.antiscraping.operator.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The write budget ({@code spec.banUpdateInterval}): every change of an ingress-nginx Ingress reloads nginx, so under
 * attack the changes of the ban and known-good lists are coalesced to at most one publication per interval.
 * <ul>
 *   <li>The first change after a quiet interval goes out at once (leading edge); further list changes within the
 *   interval wait, and the plan keeps the lists last published.</li>
 *   <li>A raised level goes out at once and takes every pending change with it. A lowered level waits for the
 *   interval like a list change (the data plane keeps the stricter settings up to one interval longer), so that a
 *   level that relaxes while a contained crawl still runs does not add a reload to the ban writes.</li>
 *   <li>Everything else in the plan (limits, WAF, allowlist) is never held, and a ban revoked because the spec no
 *   longer allows it is withdrawn at once. So are the network bans the engine withdraws from a held deny list (a
 *   network that turned out to hold many shoppers); carve-outs of clients that turned shopper-like or known-good
 *   inside a network ban wait like any list change.</li>
 *   <li>An interval of 0 publishes every change at once.</li>
 * </ul>
 */
final class WriteBudget {

  private WriteBudget() {
  }

  /**
   * @param plan      the plan to enforce now
   * @param published what to pass back at the next evaluation
   * @param held      whether decided changes are waiting for the next publication
   */
  record Outcome(EnforcementPlan plan, PublishedPlan published, boolean held) {
  }

  static Outcome apply(EnforcementPlan full, PublishedPlan last, Set<Cidr> revoked, Duration interval, Instant now) {
    return apply(full, last, revoked, interval, now, held -> held, false);
  }

  /**
   * As above; {@code withdraw} turns a held deny list into the one to enforce now (it may only remove entries: the
   * withdrawals that are never held); {@code lowered}: {@code full} is at a lower level than the published plan.
   */
  static Outcome apply(EnforcementPlan full, PublishedPlan last, Set<Cidr> revoked, Duration interval, Instant now,
                       java.util.function.UnaryOperator<List<Cidr>> withdraw, boolean lowered) {
    boolean levelChanged = last != null && !last.plan().level().equals(full.level());
    if (last == null || (levelChanged && !lowered) || interval.isZero() || !now.isBefore(last.at().plus(interval))) {
      PublishedPlan next = last != null && sameLists(last.plan(), full) ? new PublishedPlan(full, last.at())
          : new PublishedPlan(full, now);
      return new Outcome(full, next, false);
    }
    if (!levelChanged && sameLists(last.plan(), full)) {
      return new Outcome(full, new PublishedPlan(full, last.at()), false);
    }
    List<Cidr> bans = new ArrayList<>(last.plan().bans());
    // A revoked ban is withdrawn at once, with the pieces of it a carved network ban was published as.
    bans.removeIf(b -> revoked.contains(b) || (!full.bans().contains(b) && revoked.stream().anyMatch(r -> r.contains(b))));
    // A lowered level is held whole: the published level's settings, with its lists as held above.
    EnforcementPlan held = (levelChanged ? last.plan() : full).withLists(withdraw.apply(bans), last.plan().knownGood());
    return new Outcome(held, new PublishedPlan(held, last.at()), levelChanged || !sameLists(held, full));
  }

  private static boolean sameLists(EnforcementPlan a, EnforcementPlan b) {
    return a.bans().equals(b.bans()) && a.knownGood().equals(b.knownGood());
  }
}
