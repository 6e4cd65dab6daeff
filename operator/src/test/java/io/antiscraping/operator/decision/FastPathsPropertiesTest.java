package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The engine's fast paths equal their slow definitions. */
class FastPathsPropertiesTest {

  /** Texts near IPv4 syntax: digits, dots, slashes (the fast parser's alphabet), now and then something else. */
  @Provide
  Arbitrary<String> ipv4ishTexts() {
    Arbitrary<String> near = Arbitraries.strings().withChars("0123456789./").ofMinLength(0).ofMaxLength(22);
    Arbitrary<String> octet = Arbitraries.oneOf(Arbitraries.integers().between(0, 300).map(String::valueOf),
        Arbitraries.of("00", "01", "007", "0", "", "1000", "255", "256"));
    Arbitrary<String> dotted = Combinators.combine(octet, octet, octet, octet,
            Arbitraries.of("", "/", "/0", "/8", "/24", "/32", "/33", "/024", "/1/2", "/999", "/1234", "."))
        .as((a, b, c, d, len) -> a + "." + b + "." + c + "." + d + len);
    Arbitrary<String> other = Arbitraries.strings().withChars("0123456789./:abf x\u0661\u0660").ofMaxLength(20);
    Arbitrary<String> padded = Arbitraries.strings().withChars("0123456789.").ofMinLength(60).ofMaxLength(70);
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, near), net.jqwik.api.Tuple.of(6, dotted),
        net.jqwik.api.Tuple.of(2, other), net.jqwik.api.Tuple.of(1, padded));
  }

  @Property(tries = 5000)
  void parseEqualsTheGeneralParser(@ForAll("ipv4ishTexts") String text) {
    assertThat(Cidr.parse(text)).as(text).isEqualTo(Cidr.parseGeneral(text));
  }

  /** The IPv4 constructor (on longs) clears the host bits exactly as {@code network AND mask} does. */
  @Property(tries = 3000)
  void ipv4ConstructorMasksLikeBigInteger(@ForAll long n, @ForAll @IntRange(min = 0, max = 40) int shift,
                                          @ForAll @IntRange(min = 0, max = 32) int len) {
    BigInteger v = BigInteger.valueOf(n).shiftLeft(shift);
    BigInteger mask = len == 0 ? BigInteger.ZERO
        : BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE).xor(BigInteger.ONE.shiftLeft(32 - len)
            .subtract(BigInteger.ONE));
    assertThat(new Cidr(false, v, len).network()).isEqualTo(v.and(mask));
  }

  @Provide
  Arbitrary<List<Cidr>> v4Lists() {
    return v4Prefixes().list().ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<Cidr>> v6Lists() {
    return v6Prefixes().list().ofMaxSize(6);
  }

  Arbitrary<Cidr> v4Prefixes() {
    // Clustered around a few networks so that overlaps are frequent, plus anywhere.
    Arbitrary<Long> near = Combinators.combine(Arbitraries.of(0x0a000000L, 0x7f000000L, 0xc0a80000L, 0xcb007100L,
            0xe0000000L, 0xfffffff0L, 0x00000000L), Arbitraries.longs().between(0, 0x1ffff))
        .as((base, off) -> (base + off) & 0xffffffffL);
    Arbitrary<Long> any = Arbitraries.longs().between(0, 0xffffffffL);
    return Combinators.combine(Arbitraries.oneOf(near, any), Arbitraries.integers().between(0, 32))
        .as((n, len) -> new Cidr(false, BigInteger.valueOf(n), len));
  }

  Arbitrary<Cidr> v6Prefixes() {
    return Combinators.combine(Arbitraries.of("2001:db8::", "::ffff:10.0.0.0", "fe80::", "::", "2001:db8:aa::"),
            Arbitraries.integers().between(0, 128))
        .as((a, len) -> new Cidr(true, Cidr.parse(a).orElseThrow().network(), len));
  }

  @Property(tries = 2000)
  void allowlistedEqualsTheDefinition(@ForAll("v4Lists") List<Cidr> allow, @ForAll("v4Lists") List<Cidr> never,
                                      @ForAll("v6Lists") List<Cidr> allow6, @ForAll("v4Lists") List<Cidr> probes,
                                      @ForAll("v6Lists") List<Cidr> probes6) {
    List<String> cidrs = new ArrayList<>();
    allow.forEach(c -> cidrs.add(c.toString()));
    allow6.forEach(c -> cidrs.add(c.toString()));
    ScrapingPolicySpec spec = Policies.ladder().toBuilder().allowlist(new Allowlist(cidrs)).build();
    CompiledPolicy p = CompiledPolicy.of(spec, never);
    List<Cidr> all = new ArrayList<>(probes);
    all.addAll(probes6);
    all.addAll(allow);
    all.addAll(never);
    all.addAll(Plans.NEVER_BANNED);
    for (Cidr c : all) {
      assertThat(p.allowlisted(c)).as("%s against %s + %s", c, cidrs, never).isEqualTo(p.allowlistedByDefinition(c));
    }
  }
}
