package io.antiscraping.operator.enforcement.ingressnginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.decision.EnforcementPlan.RateLimits;
import io.antiscraping.operator.decision.EnforcementPlan.WafSettings;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every value the operator writes must pass the ingress-nginx controller's own parsers, because the controller
 * punishes a bad value hard: an integer annotation that does not parse drops the Ingress from the configuration,
 * an unparsable denylist entry turns its locations into {@code return 503}, an invalid allowlist CIDR rejects the
 * Ingress. The rules checked here are those of the controller's parsers:
 * <ul>
 *   <li>integer annotations ({@code limit-rps}, {@code limit-rpm}, {@code limit-connections},
 *   {@code limit-burst-multiplier}): Go's {@code strconv.Atoi} of the value, a plain decimal without sign, spaces or
 *   leading zeros as the operator writes them, and positive;</li>
 *   <li>CIDR lists ({@code limit-allowlist}, {@code denylist-source-range}, {@code whitelist-source-range}): split on
 *   commas, each entry parsed by Go's {@code net.ParseCIDR} (dotted-quad IPv4 without leading zeros, RFC 4291 IPv6,
 *   an explicit prefix length within the family's bits);</li>
 *   <li>booleans ({@code enable-modsecurity}, {@code enable-owasp-core-rules}): {@code strconv.ParseBool}.</li>
 * </ul>
 */
class IngressNginxValuesPropertiesTest {

  static final Pattern ATOI = Pattern.compile("[1-9][0-9]{0,9}");
  static final Pattern V4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}/([0-9]|[12][0-9]|3[0-2])");
  static final Pattern V6 = Pattern.compile("[0-9a-f:]+/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])");
  static final List<String> INTEGERS = List.of(IngressNginxAnnotations.LIMIT_RPS, IngressNginxAnnotations.LIMIT_RPM,
      IngressNginxAnnotations.LIMIT_CONNECTIONS, IngressNginxAnnotations.LIMIT_BURST_MULTIPLIER);
  static final List<String> CIDR_LISTS = List.of(IngressNginxAnnotations.LIMIT_ALLOWLIST,
      IngressNginxAnnotations.DENYLIST_SOURCE_RANGE, IngressNginxAnnotations.WHITELIST_SOURCE_RANGE);

  @Provide
  Arbitrary<Cidr> cidrs() {
    Arbitrary<Cidr> v4 = Combinators.combine(Arbitraries.longs().between(0, 0xffffffffL), Arbitraries.integers()
        .between(0, 32)).as((n, len) -> new Cidr(false, BigInteger.valueOf(n), len));
    Arbitrary<Cidr> v6 = Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.ZERO,
            BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE)), Arbitraries.integers().between(0, 128))
        .as((n, len) -> new Cidr(true, n, len));
    Arbitrary<Cidr> sparse6 = Arbitraries.of("::", "::1", "2001:db8::", "::ffff:0:0", "fe80::1", "2001:db8:0:0:1::1")
        .map(s -> Cidr.parse(s).orElseThrow());
    return Arbitraries.oneOf(v4, v6, sparse6);
  }

  @Provide
  Arbitrary<EnforcementPlan> plans() {
    Arbitrary<OptionalInt> rate = Arbitraries.integers().between(1, 100000).map(OptionalInt::of)
        .injectNull(0.3).map(o -> o == null ? OptionalInt.empty() : o);
    Arbitrary<RateLimits> limits = Combinators.combine(rate, rate, Arbitraries.integers().between(1, 100)
        .map(OptionalInt::of), rate).as(RateLimits::new);
    Arbitrary<WafSettings> waf = Arbitraries.of(Waf.Mode.values()).map(m -> new WafSettings(m,
        m != Waf.Mode.DISABLED, OptionalInt.empty()));
    Arbitrary<List<Cidr>> lists = cidrs().list().ofMaxSize(20);
    Arbitrary<EnforcementPlan.RouteBudget> budget = Combinators.combine(Arbitraries.integers().between(0, 1000),
            Arbitraries.integers().between(1, 6000000).map(OptionalInt::of))
        .as(EnforcementPlan.RouteBudget::new).injectNull(0.4);
    return Combinators.combine(limits, waf, lists, lists, budget, lists)
        .as((l, w, allow, bans, b, good) -> new EnforcementPlan("severe", l, w, allow, bans, List.of(), b, good));
  }

  @Property(tries = 500)
  void everyWrittenValuePassesTheControllersParsers(@ForAll("plans") EnforcementPlan plan, @ForAll boolean snippets) {
    Map<String, String> a = IngressNginxAnnotations.render(plan, snippets).annotations();
    for (Map.Entry<String, String> e : a.entrySet()) {
      String v = e.getValue();
      if (INTEGERS.contains(e.getKey())) {
        assertThat(v).as(e.getKey()).matches(ATOI);
        assertThat(Long.parseLong(v)).as(e.getKey()).isPositive().isLessThanOrEqualTo(Integer.MAX_VALUE);
      } else if (CIDR_LISTS.contains(e.getKey())) {
        assertThat(v).as(e.getKey()).isNotEmpty().doesNotContain(" ");
        for (String entry : v.split(",", -1)) {
          assertThat(entry).as("%s entry", e.getKey()).matches(s -> V4.matcher(s).matches() || V6.matcher(s).matches(),
              "a net.ParseCIDR CIDR");
          assertThat(Cidr.parse(entry)).as("round trip of %s", entry).isPresent();
          assertThat(Cidr.parse(entry).get().toString()).isEqualTo(entry);
        }
      } else if (e.getKey().equals(IngressNginxAnnotations.ENABLE_MODSECURITY)
          || e.getKey().equals(IngressNginxAnnotations.ENABLE_OWASP_CORE_RULES)) {
        assertThat(v).isIn("true", "false");
      } else {
        assertThat(e.getKey()).isEqualTo(IngressNginxAnnotations.MODSECURITY_SNIPPET);
        assertThat(snippets).isTrue();
      }
    }
  }

  @Property(tries = 300)
  void theCanonicalFormOfEveryPrefixIsAGoCidr(@ForAll("cidrs") Cidr c) {
    String s = c.toString();
    assertThat(V4.matcher(s).matches() || V6.matcher(s).matches()).as(s).isTrue();
    assertThat(Cidr.parse(s)).contains(c);
  }
}
