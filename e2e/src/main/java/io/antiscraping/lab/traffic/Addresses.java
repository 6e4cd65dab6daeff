package io.antiscraping.lab.traffic;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Distinct IPv4 client addresses drawn deterministically from a CIDR, and CIDR membership tests. */
public final class Addresses {

  private Addresses() {}

  /** The first {@code count} host addresses of {@code cidr}, skipping the network address. */
  public static List<String> take(String cidr, int count) {
    long[] hosts = hosts(cidr, count);
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(format(hosts[0] + i));
    }
    return out;
  }

  /**
   * {@code count} distinct host addresses scattered across {@code cidr} (skipping the network and broadcast
   * address), drawn with {@code seed}: the same arguments give the same addresses in the same order.
   */
  public static List<String> spread(String cidr, int count, long seed) {
    long[] hosts = hosts(cidr, count);
    return AddressPlan.sample(hosts[0], hosts[1], count, seed);
  }

  /**
   * The host addresses of {@code cidr} without the network and broadcast address (all of them for a /31 or /32):
   * {@code [first, how many]}; fails when there are fewer than {@code count}.
   */
  private static long[] hosts(String cidr, int count) {
    long[] range = range(cidr);
    long size = range[1] - range[0] + 1;
    long first = size > 2 ? range[0] + 1 : range[0];
    long usable = size > 2 ? size - 2 : size;
    if (count > usable) {
      throw new IllegalArgumentException(cidr + " has fewer than " + count + " host addresses");
    }
    return new long[] {first, usable};
  }

  public static boolean contains(String cidr, String address) {
    Long a = parse(address);
    if (a == null) {
      return false;
    }
    long[] r = range(cidr);
    return a >= r[0] && a <= r[1];
  }

  /** [first, last] of an IPv4 CIDR or single address. */
  public static long[] range(String cidr) {
    String[] parts = cidr.trim().split("/");
    Long base = parse(parts[0]);
    if (base == null) {
      throw new IllegalArgumentException("not an IPv4 address or CIDR: " + cidr);
    }
    int len = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
    if (len < 0 || len > 32) {
      throw new IllegalArgumentException("bad prefix length: " + cidr);
    }
    long mask = len == 0 ? 0 : (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
    long first = base & mask;
    long last = first | (~mask & 0xFFFFFFFFL);
    return new long[] {first, last};
  }

  /** An IPv4 address as a number, or null when the text is not a dotted quad. */
  public static Long parse(String address) {
    if (address == null || !address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return null;
    }
    try {
      byte[] b = InetAddress.getByName(address).getAddress();
      return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  static String format(long a) {
    return ((a >> 24) & 0xFF) + "." + ((a >> 16) & 0xFF) + "." + ((a >> 8) & 0xFF) + "." + (a & 0xFF);
  }
}
