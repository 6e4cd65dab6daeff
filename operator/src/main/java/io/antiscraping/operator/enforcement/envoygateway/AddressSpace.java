package io.antiscraping.operator.enforcement.envoygateway;

import io.antiscraping.operator.decision.Cidr;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Prefix arithmetic for exempting addresses from Envoy Gateway's per-client local rate limits. */
final class AddressSpace {

  static final Cidr ALL_IPV4 = new Cidr(false, BigInteger.ZERO, 0);
  static final Cidr ALL_IPV6 = new Cidr(true, BigInteger.ZERO, 0);

  private AddressSpace() {
  }

  /**
   * The fewest prefixes covering every address of {@code space} outside {@code excluded}, in address order. With
   * {@code limit} reached the walk stops early and returns {@code limit + 1} prefixes (enough to know it is too
   * many).
   */
  static List<Cidr> complement(Cidr space, List<Cidr> excluded, int limit) {
    List<Cidr> relevant = excluded.stream().filter(c -> c.ipv6() == space.ipv6() && c.overlaps(space)).toList();
    List<Cidr> out = new ArrayList<>();
    walk(space, relevant, limit, out);
    return out;
  }

  private static void walk(Cidr prefix, List<Cidr> excluded, int limit, List<Cidr> out) {
    if (out.size() > limit) {
      return;
    }
    if (excluded.stream().anyMatch(e -> e.contains(prefix))) {
      return;
    }
    List<Cidr> inside = excluded.stream().filter(prefix::overlaps).toList();
    if (inside.isEmpty()) {
      out.add(prefix);
      return;
    }
    int len = prefix.prefixLength() + 1;
    Cidr low = new Cidr(prefix.ipv6(), prefix.network(), len);
    Cidr high = new Cidr(prefix.ipv6(), prefix.network().setBit(prefix.bits() - len), len);
    walk(low, inside, limit, out);
    walk(high, inside, limit, out);
  }
}
