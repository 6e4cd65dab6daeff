package io.antiscraping.operator.decision;

import java.math.BigInteger;
import java.util.Optional;

/**
 * An IPv4 or IPv6 prefix, parsed without any name resolution (client keys come from labels an attacker may
 * influence, so nothing here may ever touch the network). {@link #toString()} is the canonical form: the network
 * address with host bits cleared, and {@code /len} always present.
 */
public record Cidr(boolean ipv6, BigInteger network, int prefixLength) implements Comparable<Cidr> {

  public Cidr {
    int bits = ipv6 ? 128 : 32;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
    }
    if (!ipv6 && network.bitLength() < 64) {
      // IPv4 on longs: the value fits (two's complement, as BigInteger.and reads it), and an already-clean network
      // (the common case: parsed addresses, widened prefixes) is kept as it is instead of building a new BigInteger.
      long l = network.longValue();
      long masked = l & MASKS_V4_LONG[prefixLength];
      if (masked != l) {
        network = BigInteger.valueOf(masked);
      }
    } else {
      network = network.and(mask(bits, prefixLength));
    }
  }

  /** IPv4 network masks as longs, by prefix length. */
  private static final long[] MASKS_V4_LONG = new long[33];

  static {
    for (int len = 0; len <= 32; len++) {
      MASKS_V4_LONG[len] = len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
    }
  }

  /** Parses {@code 1.2.3.4}, {@code 1.2.3.0/24}, {@code 2001:db8::1} or {@code 2001:db8::/32}; empty otherwise. */
  public static Optional<Cidr> parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) {
      return Optional.empty();
    }
    long v4 = parseAsciiIpv4(text);
    if (v4 != NOT_ASCII_IPV4) {
      return v4 == INVALID ? Optional.empty()
          : Optional.of(new Cidr(false, BigInteger.valueOf(v4 & 0xffffffffL), (int) (v4 >>> 32)));
    }
    return parseGeneral(text);
  }

  private static final long NOT_ASCII_IPV4 = -2;
  private static final long INVALID = -1;

  /**
   * The fast path of {@link #parse} for text made only of ASCII digits, dots and slashes (every IPv4 client key):
   * one pass over the characters, no substrings, no streams, the same verdict as {@link #parseGeneral}. Returns
   * {@code prefixLength << 32 | address}, {@link #INVALID} when the text is not a valid IPv4 address or prefix, or
   * {@link #NOT_ASCII_IPV4} when it has any other character (then the general parser decides: it also reads
   * non-ASCII digits, which this path leaves alone).
   */
  private static long parseAsciiIpv4(String text) {
    int n = text.length();
    int slash = -1;
    for (int i = 0; i < n; i++) {
      char ch = text.charAt(i);
      if (ch == '/') {
        if (slash < 0) {
          slash = i;
        }
      } else if (ch != '.' && (ch < '0' || ch > '9')) {
        return NOT_ASCII_IPV4;
      }
    }
    int end = slash >= 0 ? slash : n;
    int len = 32;
    if (slash >= 0) {
      // The length: 1 to 3 digits after the first slash, at most 32.
      int digits = n - slash - 1;
      if (digits < 1 || digits > 3) {
        return INVALID;
      }
      len = 0;
      for (int i = slash + 1; i < n; i++) {
        char ch = text.charAt(i);
        if (ch < '0' || ch > '9') {
          return INVALID;
        }
        len = len * 10 + (ch - '0');
      }
      if (len > 32) {
        return INVALID;
      }
    }
    // Exactly four dot-separated parts of 1 to 3 digits, no leading zero, each at most 255.
    long v = 0;
    int parts = 0;
    int i = 0;
    while (true) {
      int startPart = i;
      int part = 0;
      while (i < end && text.charAt(i) != '.') {
        char ch = text.charAt(i);
        if (ch < '0' || ch > '9') {
          return INVALID;
        }
        part = part * 10 + (ch - '0');
        i++;
        if (i - startPart > 3) {
          return INVALID;
        }
      }
      int digits = i - startPart;
      if (digits == 0 || (digits > 1 && text.charAt(startPart) == '0') || part > 255 || ++parts > 4) {
        return INVALID;
      }
      v = (v << 8) | part;
      if (i == end) {
        break;
      }
      i++; // the dot
    }
    return parts == 4 ? ((long) len << 32) | v : INVALID;
  }

  /** The general parser (any text): what {@link #parse} means. Package-private for the fast path's property test. */
  static Optional<Cidr> parseGeneral(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) {
      return Optional.empty();
    }
    String addr = text;
    Integer len = null;
    int slash = text.indexOf('/');
    if (slash >= 0) {
      String l = text.substring(slash + 1);
      if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(Character::isDigit)) {
        return Optional.empty();
      }
      len = Integer.parseInt(l);
      addr = text.substring(0, slash);
    }
    if (addr.indexOf(':') >= 0) {
      BigInteger v = parseIpv6(addr);
      if (v == null || (len != null && len > 128)) {
        return Optional.empty();
      }
      return Optional.of(new Cidr(true, v, len == null ? 128 : len));
    }
    BigInteger v = parseIpv4(addr);
    if (v == null || (len != null && len > 32)) {
      return Optional.empty();
    }
    return Optional.of(new Cidr(false, v, len == null ? 32 : len));
  }

  /** Whether this prefix contains every address of {@code other}. */
  public boolean contains(Cidr other) {
    if (ipv6 != other.ipv6 || other.prefixLength < prefixLength) {
      return false;
    }
    if (!ipv6) {
      // IPv4 networks fit a long: compare the network bits without building a masked BigInteger (the engine asks
      // this for every client against every allowlisted and never-banned range).
      int shift = 32 - prefixLength;
      return shift == 32 || (other.network.longValue() >>> shift) == (network.longValue() >>> shift);
    }
    return other.network.and(mask(bits(), prefixLength)).equals(network);
  }

  /** Whether the two prefixes share at least one address. */
  public boolean overlaps(Cidr other) {
    return contains(other) || other.contains(this);
  }

  /**
   * This prefix minus every prefix of {@code holes} that lies inside it: the fewest prefixes that cover the rest, in
   * order (empty if a hole is this prefix). Each hole inside costs at most {@code hole length - this length}
   * prefixes.
   */
  public java.util.List<Cidr> without(java.util.NavigableSet<Cidr> holes) {
    java.util.List<Cidr> out = new java.util.ArrayList<>();
    java.util.List<Cidr> inside = new java.util.ArrayList<>();
    for (Cidr h : inside(holes)) {
      if (contains(h)) {
        inside.add(h);
      }
    }
    split(this, inside, out);
    return out;
  }

  /** The prefixes of a sorted set that start inside this prefix (a view). */
  public java.util.NavigableSet<Cidr> inside(java.util.NavigableSet<Cidr> sorted) {
    Cidr last = new Cidr(ipv6, network.add(BigInteger.ONE.shiftLeft(bits() - prefixLength)).subtract(BigInteger.ONE),
        bits());
    return sorted.subSet(this, true, last, true);
  }

  private static void split(Cidr range, java.util.List<Cidr> holes, java.util.List<Cidr> out) {
    if (holes.isEmpty()) {
      out.add(range);
      return;
    }
    for (Cidr h : holes) {
      if (h.contains(range)) {
        return;
      }
    }
    int len = range.prefixLength + 1;
    Cidr lo = new Cidr(range.ipv6, range.network, len);
    Cidr hi = new Cidr(range.ipv6, range.network.setBit(range.bits() - len), len);
    java.util.List<Cidr> inLo = new java.util.ArrayList<>();
    java.util.List<Cidr> inHi = new java.util.ArrayList<>();
    for (Cidr h : holes) {
      if (h.overlaps(lo)) {
        inLo.add(h);
      }
      if (h.overlaps(hi)) {
        inHi.add(h);
      }
    }
    split(lo, inLo, out);
    split(hi, inHi, out);
  }

  /** This prefix widened to {@code length} bits (never narrowed). */
  public Cidr widenTo(int length) {
    return length >= prefixLength ? this : new Cidr(ipv6, network, length);
  }

  private static final BigInteger V4_MAPPED = BigInteger.valueOf(0xffffL).shiftLeft(32);

  /**
   * An IPv4-mapped IPv6 prefix ({@code ::ffff:a.b.c.d}, /96 or longer) as the IPv4 prefix it denotes; any other
   * prefix unchanged. Client keys are normalized this way so that {@code ::ffff:10.0.0.1} meets the same allowlist
   * and prefix rules as {@code 10.0.0.1}.
   */
  public Cidr unmapIpv4() {
    if (!ipv6 || prefixLength < 96 || !network.shiftRight(32).shiftLeft(32).equals(V4_MAPPED)) {
      return this;
    }
    return new Cidr(false, network.and(BigInteger.valueOf(0xffffffffL)), prefixLength - 96);
  }

  public int bits() {
    return ipv6 ? 128 : 32;
  }

  @Override
  public int compareTo(Cidr o) {
    if (ipv6 != o.ipv6) {
      return ipv6 ? 1 : -1;
    }
    int c = network.compareTo(o.network);
    return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
  }

  @Override
  public String toString() {
    return (ipv6 ? formatIpv6(network) : formatIpv4(network)) + "/" + prefixLength;
  }

  /** Network masks by prefix length, computed once (they are on every comparison's path). */
  private static final BigInteger[] MASKS_V4 = masks(32);
  private static final BigInteger[] MASKS_V6 = masks(128);

  private static BigInteger[] masks(int bits) {
    BigInteger[] out = new BigInteger[bits + 1];
    for (int len = 0; len <= bits; len++) {
      out[len] = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
          .xor(BigInteger.ONE.shiftLeft(bits - len).subtract(BigInteger.ONE));
    }
    return out;
  }

  private static BigInteger mask(int bits, int len) {
    return (bits == 32 ? MASKS_V4 : MASKS_V6)[len];
  }

  private static BigInteger parseIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    long v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
          || (p.length() > 1 && p.charAt(0) == '0')) {
        return null;
      }
      int n = Integer.parseInt(p);
      if (n > 255) {
        return null;
      }
      v = (v << 8) | n;
    }
    return BigInteger.valueOf(v);
  }

  private static BigInteger parseIpv6(String s) {
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return null;
    }
    String head = dbl >= 0 ? s.substring(0, dbl) : s;
    String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
    int[] h = groups(head);
    int[] t = groups(tail);
    if (h == null || t == null) {
      return null;
    }
    int total = h.length + t.length;
    if ((dbl < 0 && total != 8) || (dbl >= 0 && total > 7)) {
      return null;
    }
    BigInteger v = BigInteger.ZERO;
    int[] all = new int[8];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(t, 0, all, 8 - t.length, t.length);
    for (int g : all) {
      v = v.shiftLeft(16).or(BigInteger.valueOf(g));
    }
    return v;
  }

  /** Colon-separated hex groups; a trailing dotted IPv4 counts as two groups. */
  private static int[] groups(String s) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] parts = s.split(":", -1);
    int n = parts.length;
    boolean v4Tail = parts[n - 1].indexOf('.') >= 0;
    int[] out = new int[v4Tail ? n + 1 : n];
    for (int i = 0; i < n; i++) {
      String p = parts[i];
      if (i == n - 1 && v4Tail) {
        BigInteger v4 = parseIpv4(p);
        if (v4 == null) {
          return null;
        }
        out[i] = v4.intValue() >>> 16;
        out[i + 1] = v4.intValue() & 0xffff;
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int g = 0;
      for (char c : p.toCharArray()) {
        int d = Character.digit(c, 16);
        if (d < 0) {
          return null;
        }
        g = (g << 4) | d;
      }
      out[i] = g;
    }
    return out;
  }

  private static String formatIpv4(BigInteger v) {
    long l = v.longValue();
    return ((l >> 24) & 255) + "." + ((l >> 16) & 255) + "." + ((l >> 8) & 255) + "." + (l & 255);
  }

  /** RFC 5952 text: lowercase, longest run (of at least two) of zero groups compressed. */
  private static String formatIpv6(BigInteger v) {
    int[] g = new int[8];
    for (int i = 7; i >= 0; i--) {
      g[i] = v.intValue() & 0xffff;
      v = v.shiftRight(16);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] == 0) {
        int j = i;
        while (j < 8 && g[j] == 0) {
          j++;
        }
        if (j - i > bestLen && j - i >= 2) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
