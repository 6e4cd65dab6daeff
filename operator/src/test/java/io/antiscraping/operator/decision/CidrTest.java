package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "1.2.3.4 | 1.2.3.4/32",
      "1.2.3.4/24 | 1.2.3.0/24",
      "0.0.0.0/0 | 0.0.0.0/0",
      "255.255.255.255 | 255.255.255.255/32",
      "2001:DB8::1 | 2001:db8::1/128",
      "2001:db8:0:0:1:0:0:1 | 2001:db8::1:0:0:1/128",
      "2001:db8::/32 | 2001:db8::/32",
      "2001:db8:1:2:3:4:5:6/64 | 2001:db8:1:2::/64",
      ":: | ::/128",
      "::ffff:1.2.3.4 | ::ffff:102:304/128",
      "1.2.3.4 x | ",
      "1.2.3 | ",
      "1.2.3.4.5 | ",
      "256.1.1.1 | ",
      "01.2.3.4 | ",
      "1.2.3.4/33 | ",
      "1.2.3.4/ | ",
      "1.2.3.4/-1 | ",
      "2001:db8::1::2 | ",
      "2001:db8::/129 | ",
      "12345::1 | ",
      "g::1 | ",
      "' ' | ",
      "example.com | "})
  void parseIsStrictAndToStringCanonical(String text, String canonical) {
    assertThat(Cidr.parse(text).map(Cidr::toString)).isEqualTo(Optional.ofNullable(canonical));
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}, overlaps: {3}")
  @CsvSource(delimiter = '|', value = {
      "10.0.0.0/8 | 10.1.2.3 | true | true",
      "10.1.2.3 | 10.0.0.0/8 | false | true",
      "10.0.0.0/8 | 11.0.0.0/8 | false | false",
      "2001:db8::/32 | 2001:db8:1::/48 | true | true",
      "::/0 | 1.2.3.4 | false | false",
      "0.0.0.0/0 | ::1 | false | false"})
  void containsAndOverlaps(String a, String b, boolean contains, boolean overlaps) {
    Cidr x = Cidr.parse(a).orElseThrow();
    Cidr y = Cidr.parse(b).orElseThrow();
    assertThat(x.contains(y)).isEqualTo(contains);
    assertThat(x.overlaps(y)).isEqualTo(overlaps);
    assertThat(y.overlaps(x)).isEqualTo(overlaps);
  }

  @ParameterizedTest(name = "{0} widened to /{1} = {2}")
  @CsvSource(delimiter = '|', value = {
      "203.0.113.77 | 24 | 203.0.113.0/24",
      "203.0.113.0/24 | 32 | 203.0.113.0/24",
      "2001:db8:1:2::9 | 64 | 2001:db8:1:2::/64"})
  void widenNeverNarrows(String c, int len, String expected) {
    assertThat(Cidr.parse(c).orElseThrow().widenTo(len).toString()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} unmapped = {1}")
  @CsvSource(delimiter = '|', value = {
      "::ffff:10.0.0.1 | 10.0.0.1/32",
      "::ffff:10.0.0.0/104 | 10.0.0.0/8",
      "::ffff:0:0/96 | 0.0.0.0/0",
      "::ffff:0:0/95 | ::fffe:0:0/95",
      "::1 | ::1/128",
      "2001:db8::ffff:a00:1 | 2001:db8::ffff:a00:1/128",
      "10.0.0.1 | 10.0.0.1/32"})
  void ipv4MappedAddressesAreUnmapped(String text, String expected) {
    assertThat(Cidr.parse(text).orElseThrow().unmapIpv4().toString()).isEqualTo(expected);
  }

  /** IPv4 containment (computed on longs) agrees with the definition: same network bits under the shorter mask. */
  @net.jqwik.api.Property(tries = 2000)
  void ipv4ContainmentMatchesTheDefinition(@net.jqwik.api.ForAll long a, @net.jqwik.api.ForAll long b,
      @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 32) int la,
      @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 32) int lb) {
    Cidr x = new Cidr(false, java.math.BigInteger.valueOf(a & 0xffffffffL), la);
    Cidr y = new Cidr(false, java.math.BigInteger.valueOf((b & 0xffffffffL) ^ (a & 0xffffffffL & (b >>> 40))), lb);
    long mask = la == 0 ? 0 : (0xffffffffL << (32 - la)) & 0xffffffffL;
    boolean expected = lb >= la && (y.network().longValue() & mask) == x.network().longValue();
    assertThat(x.contains(y)).as("%s contains %s", x, y).isEqualTo(expected);
    assertThat(x.overlaps(y)).isEqualTo(expected || (la >= lb && (x.network().longValue()
        & (lb == 0 ? 0 : (0xffffffffL << (32 - lb)) & 0xffffffffL)) == y.network().longValue()));
  }

  @org.junit.jupiter.api.Test
  void aPrefixWithoutSomeAddressesIsCoveredExactlyByTheFewestPieces() {
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 200; round++) {
      boolean v6 = round % 4 == 3;
      int len = v6 ? 32 + random.nextInt(80) : 16 + random.nextInt(14);
      int bits = v6 ? 128 : 32;
      java.math.BigInteger base = new java.math.BigInteger(bits, random);
      Cidr range = new Cidr(v6, base, len);
      java.util.TreeSet<Cidr> holes = new java.util.TreeSet<>();
      int n = random.nextInt(6);
      for (int i = 0; i < n; i++) {
        holes.add(new Cidr(v6, range.network().add(new java.math.BigInteger(bits - len, random)), bits));
      }
      holes.add(new Cidr(v6, base.flipBit(bits - 1), bits)); // outside: ignored
      java.util.List<Cidr> pieces = range.without(holes);
      int inside = (int) holes.stream().filter(range::contains).count();
      assertThat(pieces).as("%s minus %s", range, holes).hasSizeLessThanOrEqualTo(Math.max(1, inside * (bits - len)));
      for (int i = 0; i < pieces.size(); i++) {
        assertThat(range.contains(pieces.get(i))).isTrue();
        for (Cidr h : holes) {
          assertThat(pieces.get(i).overlaps(h)).as("%s covers hole %s", pieces.get(i), h).isFalse();
        }
        if (i > 0) {
          assertThat(pieces.get(i - 1).overlaps(pieces.get(i))).isFalse();
          assertThat(pieces.get(i - 1).compareTo(pieces.get(i))).isNegative();
        }
      }
      // Every address of the range is either a hole or in exactly one piece: the sizes add up.
      java.math.BigInteger covered = java.math.BigInteger.ZERO;
      for (Cidr p : pieces) {
        covered = covered.add(java.math.BigInteger.ONE.shiftLeft(bits - p.prefixLength()));
      }
      assertThat(covered.add(java.math.BigInteger.valueOf(inside)))
          .isEqualTo(java.math.BigInteger.ONE.shiftLeft(bits - len));
    }
    Cidr net = Cidr.parse("198.18.0.0/16").orElseThrow();
    assertThat(net.without(new java.util.TreeSet<>(java.util.List.of(net)))).isEmpty();
    assertThat(net.without(new java.util.TreeSet<>())).containsExactly(net);
  }
}
