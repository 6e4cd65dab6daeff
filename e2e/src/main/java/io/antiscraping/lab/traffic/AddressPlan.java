package io.antiscraping.lab.traffic;

import io.antiscraping.lab.scenario.Scenario;
import io.antiscraping.lab.scenario.Scenario.ClientGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Which address each client of a group sends from, and when. Deterministic for a scenario file:
 * <ul>
 *   <li>by default client {@code i} has the {@code i}-th address of the group's pool for the whole run;</li>
 *   <li>{@code sharedAddresses: S}: client {@code i} sends from address {@code i mod S} (CGNAT, office NAT);</li>
 *   <li>{@code rotateEvery: R}: client {@code i} moves to a fresh address every {@code R}, its switches offset by
 *       {@code i/n} of {@code R} so that the group does not switch all at once; no address is used twice;</li>
 * </ul>
 * The pool is the first host addresses of the group's CIDR in order, or with {@code spread} a seeded sample
 * scattered across the whole CIDR.
 */
public final class AddressPlan {

  private final int clients;
  private final List<String> pool;
  private final Integer shared;
  private final long rotateMillis;

  private AddressPlan(int clients, List<String> pool, Integer shared, long rotateMillis) {
    this.clients = clients;
    this.pool = List.copyOf(pool);
    this.shared = shared;
    this.rotateMillis = rotateMillis;
  }

  public static AddressPlan of(Scenario scenario, ClientGroup g) {
    int clients = totalClients(g);
    Duration rotate = g.rotationInterval();
    int size;
    if (g.sharedAddresses() != null) {
      size = g.sharedAddresses();
    } else if (rotate != null) {
      // every client's epochs over the whole run, plus one for the stagger
      size = clients * (int) (scenario.runTime().toMillis() / rotate.toMillis() + 2);
    } else {
      size = clients;
    }
    List<String> pool = g.spread()
        ? Addresses.spread(g.addresses(), size, scenario.seed() * 1_000_003L + g.name().hashCode())
        : Addresses.take(g.addresses(), size);
    return new AddressPlan(clients, pool, g.sharedAddresses(), rotate == null ? 0 : rotate.toMillis());
  }

  /** Clients of a group, surge clients included. */
  public static int totalClients(ClientGroup g) {
    if (g.surge() == null) {
      return g.count();
    }
    return (int) Math.round(g.count() * g.surge().multiplier());
  }

  public int clients() {
    return clients;
  }

  /** Every address the group may send from. */
  public List<String> pool() {
    return pool;
  }

  /** The address client {@code client} sends from {@code sinceStartMillis} after its own first possible request. */
  public String address(int client, long sinceStartMillis) {
    if (shared != null) {
      return pool.get(client % shared);
    }
    if (rotateMillis == 0) {
      return pool.get(client);
    }
    long phase = rotateMillis * client / clients;
    int epoch = (int) ((Math.max(0, sinceStartMillis) + phase) / rotateMillis);
    int epochs = pool.size() / clients;
    return pool.get(Math.min(epoch, epochs - 1) * clients + client);
  }

  /** Distinct addresses among {@code addresses}. */
  public static int distinct(List<String> addresses) {
    Set<String> s = new HashSet<>(addresses);
    return s.size();
  }

  static List<String> sample(long first, long usable, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> out = new ArrayList<>(count);
    if (count * 2L > usable) {
      // dense: a partial shuffle of the whole range
      long[] all = new long[(int) usable];
      for (int i = 0; i < usable; i++) {
        all[i] = first + i;
      }
      for (int i = 0; i < count; i++) {
        int j = i + random.nextInt((int) usable - i);
        long t = all[i];
        all[i] = all[j];
        all[j] = t;
        out.add(Addresses.format(all[i]));
      }
      return out;
    }
    Set<Long> seen = new HashSet<>();
    while (out.size() < count) {
      long a = first + random.nextLong(usable);
      if (seen.add(a)) {
        out.add(Addresses.format(a));
      }
    }
    return out;
  }
}
