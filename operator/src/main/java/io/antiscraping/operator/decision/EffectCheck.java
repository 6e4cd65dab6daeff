package io.antiscraping.operator.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Whether the data plane applies the bans it was handed ({@code spec.enforcementCheck}). Pure: the caller keeps
 * {@link Handed} between evaluations.
 *
 * <p>A ban is <em>due</em> once it has been in every published plan for at least {@code after}. A client of the
 * check signal (requests the data plane still serves) with a value strictly above zero that lies inside a due ban is
 * <em>still served</em>. The bans take effect unless at least {@code minClients} distinct clients are still served.
 */
public final class EffectCheck {

  private static final int LISTED = 5;

  private EffectCheck() {
  }

  /** Since when each ban has been handed to the data plane without a break. */
  public record Handed(Map<Cidr, Instant> since) {
    public static final Handed NONE = new Handed(Map.of());

    public Handed {
      since = Map.copyOf(since);
    }

    /** The bans of the plan published {@code now}: those already handed keep their time, new ones start now. */
    public Handed next(Collection<Cidr> published, Instant now) {
      Map<Cidr, Instant> out = new HashMap<>();
      for (Cidr c : published) {
        Instant s = since.get(c);
        out.put(c, s == null || s.isAfter(now) ? now : s);
      }
      return new Handed(out);
    }
  }

  /**
   * @param takingEffect false when at least {@code minClients} clients inside due bans are still served
   * @param due          bans handed at least {@code after} ago
   * @param stillServed  distinct clients inside due bans still served
   * @param message      what was checked, with up to five of the clients still served (no values: the message is kept
   *                     in the status, and a value that changes at every evaluation would rewrite it)
   */
  public record Result(boolean takingEffect, int due, int stillServed, String message) {
  }

  /**
   * @param served the check signal's clients (untrusted label values, parsed as the engine parses client keys)
   */
  public static Result check(Handed handed, Map<String, Double> served, String signal, Duration after, int minClients,
                             Instant now) {
    Objects.requireNonNull(handed, "handed");
    Objects.requireNonNull(served, "served");
    List<Cidr> due = new ArrayList<>();
    for (Map.Entry<Cidr, Instant> e : handed.since().entrySet()) {
      if (!e.getValue().plus(after).isAfter(now)) {
        due.add(e.getKey());
      }
    }
    Map<Cidr, String> still = new TreeMap<>();
    // Looked up by the due bans' prefix lengths: linear in the served clients, whatever the number of bans.
    java.util.Set<Cidr> dueSet = new java.util.HashSet<>(due);
    int[] lengths = due.stream().mapToInt(Cidr::prefixLength).distinct().sorted().toArray();
    if (!due.isEmpty()) {
      for (Map.Entry<String, Double> e : served.entrySet()) {
        Double v = e.getValue();
        if (v == null || !(v > 0) || Double.isInfinite(v)) {
          continue;
        }
        var client = Cidr.parse(e.getKey()).map(Cidr::unmapIpv4);
        if (client.isEmpty()) {
          continue;
        }
        Cidr ban = narrowestContaining(client.get(), dueSet, lengths);
        if (ban != null) {
          still.put(client.get(), client.get() + (client.get().equals(ban) ? "" : " (in " + ban + ")"));
        }
      }
    }
    boolean taking = still.size() < minClients;
    String message;
    if (taking) {
      message = "the bans handed to the data plane at least " + Formatting.duration(after) + " ago take effect: fewer than "
          + minClients + " client(s) inside them are still served (signal " + signal + ")";
    } else {
      message = still.size() + " client(s) inside bans handed to the data plane at least " + Formatting.duration(after)
          + " ago are still served (signal " + signal + "): " + Formatting.list(new ArrayList<>(still.values()), LISTED)
          + ". The data plane is not applying the operator's writes: ingress-nginx keeps the previous configuration "
          + "of an Ingress it refuses (an annotation above annotations-risk-level, e.g. modsecurity-snippet, or a "
          + "value it cannot parse) and, without its admission webhook, tells nobody; see its controller log";
    }
    return new Result(taking, due.size(), still.size(), message);
  }

  /** The narrowest prefix of {@code set} (whose prefix lengths are {@code lengths}, ascending) containing {@code c}. */
  private static Cidr narrowestContaining(Cidr c, java.util.Set<Cidr> set, int[] lengths) {
    for (int i = lengths.length - 1; i >= 0; i--) {
      if (lengths[i] <= c.prefixLength()) {
        Cidr wide = c.widenTo(lengths[i]);
        if (set.contains(wide)) {
          return wide;
        }
      }
    }
    return null;
  }
}
