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
 *   <li>A list change the interval allows waits while a ban not yet published lies inside a network that qualifies
 *   for a network ban but has not for the networks' {@code for} yet: at most that {@code for}, so that the write
 *   carries the network ban, which contains the whole pool, instead of spending the interval on the pool's first
 *   per-client bans a moment before the network comes due. A raised level still goes out at once then, without
 *   those bans (they follow with the network's).</li>
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

  /**
   * What the engine decided now, for the budget to hold or let through.
   *
   * @param full     the plan decided now
   * @param lowered  {@code full} is at a lower level than the published plan
   * @param revoked  bans the spec no longer allows (withdrawn at once)
   * @param networks the network bans' withdrawals that are never held, and whether to wait for a network ban
   */
  record Proposal(EnforcementPlan full, boolean lowered, Set<Cidr> revoked, NetworkBans.Outlook networks) {
  }

  /** Applies the budget of {@code interval} to {@code p}, given {@code last}, what was published (null: nothing yet). */
  static Outcome apply(Proposal p, PublishedPlan last, Duration interval, Instant now) {
    EnforcementPlan full = p.full();
    boolean levelChanged = last != null && !last.plan().level().equals(full.level());
    boolean raised = levelChanged && !p.lowered();
    if (last == null || interval.isZero()
        || ((raised || !now.isBefore(last.at().plus(interval))) && !p.networks().awaitNetwork())) {
      PublishedPlan next = last != null && sameLists(last.plan(), full) ? new PublishedPlan(full, last.at())
          : new PublishedPlan(full, now);
      return new Outcome(full, next, false);
    }
    if (!levelChanged && sameLists(last.plan(), full)) {
      return new Outcome(full, new PublishedPlan(full, last.at()), false);
    }
    Set<Cidr> revoked = p.revoked();
    List<Cidr> bans = new ArrayList<>(last.plan().bans());
    // A revoked ban is withdrawn at once, with the pieces of it a carved network ban was published as. Looked up by
    // the revoked bans' prefix lengths, so that the check is linear in the published list.
    Set<Cidr> kept = new java.util.HashSet<>(full.bans());
    int[] lengths = revoked.stream().mapToInt(Cidr::prefixLength).distinct().sorted().toArray();
    bans.removeIf(b -> revoked.contains(b) || (!kept.contains(b) && insideAny(b, revoked, lengths)));
    // A lowered level is held whole: the published level's settings, with its lists as held above. A raised level
    // (here only while a network ban is coming due) goes out now with the lists as held.
    boolean heldLower = levelChanged && p.lowered();
    EnforcementPlan held = (heldLower ? last.plan() : full).withLists(p.networks().withdraw(bans),
        last.plan().knownGood());
    return new Outcome(held, new PublishedPlan(held, last.at()), heldLower || !sameLists(held, full));
  }

  /** Whether a prefix of {@code set} (whose prefix lengths are {@code lengths}) contains {@code c}. */
  private static boolean insideAny(Cidr c, Set<Cidr> set, int[] lengths) {
    for (int len : lengths) {
      if (len <= c.prefixLength() && set.contains(c.widenTo(len))) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameLists(EnforcementPlan a, EnforcementPlan b) {
    return a.bans().equals(b.bans()) && a.knownGood().equals(b.knownGood());
  }
}
