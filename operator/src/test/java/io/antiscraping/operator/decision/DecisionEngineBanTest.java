package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.operator.decision.EngineState.BanEntry;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Ban semantics (offenders: clients > 20 for 1m, banFor 1h, /32 and /64 by default). */
class DecisionEngineBanTest {

  private static Map<String, Double> m(Object... kv) {
    Map<String, Double> out = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    return out;
  }

  private static List<String> bans(Decision d) {
    return d.plan().bans().stream().map(Cidr::toString).toList();
  }

  /** Which prefix a client offending for long enough ends up banned as. */
  private static Arguments row(String name, UnaryOperator<ScrapingPolicySpec> edit, String client,
                               List<String> expected) {
    return Arguments.of(name, edit, client, expected);
  }

  static Stream<Arguments> prefixes() {
    UnaryOperator<ScrapingPolicySpec> same = s -> s;
    UnaryOperator<ScrapingPolicySpec> v4by24 = s -> Policies.withOffenders(s, o -> {
      o.setIpv4PrefixLength(24);
      return o;
    });
    return Stream.of(
        row("a single IPv4 address", same, "203.0.113.7", List.of("203.0.113.7/32")),
        row("an IPv6 address is widened to /64", same, "2001:db8:1:2:3:4:5:6", List.of("2001:db8:1:2::/64")),
        row("IPv4 aggregated to /24", v4by24, "203.0.113.7", List.of("203.0.113.0/24")),
        row("a client CIDR narrower than the prefix is widened", v4by24, "203.0.113.64/26",
            List.of("203.0.113.0/24")),
        row("a client CIDR broader than the prefix is never banned", same, "203.0.113.0/24", List.of()),
        row("an IPv6 /48 client is broader than /64: ignored", same, "2001:db8:1::/48", List.of()),
        row("aggregation that would cover an allowlisted address falls back to the client",
            s -> Policies.withAllowlist(v4by24.apply(s), "203.0.113.200/32"), "203.0.113.7",
            List.of("203.0.113.7/32")),
        row("an allowlisted client is never banned", s -> Policies.withAllowlist(s, "203.0.113.0/24"),
            "203.0.113.7", List.of()),
        row("a client inside an allowlisted IPv6 range is never banned",
            s -> Policies.withAllowlist(s, "2001:db8::/32"), "2001:db8:1:2::9", List.of()),
        row("an IPv6 /64 that would contain an allowlisted /128 falls back to the client /128",
            s -> Policies.withAllowlist(s, "2001:db8:1:2::1"), "2001:db8:1:2::9", List.of("2001:db8:1:2::9/128")),
        row("a client CIDR containing an allowlisted address is never banned",
            s -> Policies.withAllowlist(v4by24.apply(s), "203.0.113.70"), "203.0.113.64/26", List.of()),
        row("an IPv4-mapped IPv6 key is its IPv4 address", same, "::ffff:198.51.100.7",
            List.of("198.51.100.7/32")),
        row("an IPv4-mapped key cannot slip past an IPv4 allowlist", s -> Policies.withAllowlist(s, "10.0.0.0/8"),
            "::ffff:10.0.0.1", List.of()),
        row("not an address: ignored", same, "evil.example.com", List.of()),
        row("leading zeros are not an address", same, "010.0.0.1", List.of()),
        row("an injected list is not an address", same, "1.2.3.4, 5.6.7.8", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("prefixes")
  void banPrefix(String name, UnaryOperator<ScrapingPolicySpec> edit, String client, List<String> expected) {
    Run run = new Run(edit.apply(Policies.ladder()));
    run.at(0, Run.clients(m(client, 100)));
    Decision d = run.at(60, Run.clients(m(client, 100)));
    assertThat(bans(d)).as(name).isEqualTo(expected);
  }

  @Test
  void aClientIsBannedOnlyAfterBeingStrictlyAboveForTheWholeFor() {
    Run run = new Run(Policies.ladder());
    assertThat(bans(run.at(0, Run.clients(m("198.51.100.1", 21, "198.51.100.2", 20))))).isEmpty();
    assertThat(bans(run.at(59, Run.clients(m("198.51.100.1", 21, "198.51.100.2", 20))))).isEmpty();
    Decision d = run.at(60, Run.clients(m("198.51.100.1", 21, "198.51.100.2", 20)));
    assertThat(bans(d)).containsExactly("198.51.100.1/32");
    assertThat(d.next().bans().get(Cidr.parse("198.51.100.1").orElseThrow()))
        .isEqualTo(new BanEntry(Policies.T0.plusSeconds(3660), "clients=21 > 20 for 1m"));
    assertThat(d.events()).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo("ClientsBanned");
      assertThat(e.warning()).isTrue();
      assertThat(e.message()).isEqualTo("Banned 1 client until 2026-03-01T13:01:00Z: 198.51.100.1/32 "
          + "(clients=21 > 20 for 1m)");
    });
  }

  @Test
  void droppingBelowTheThresholdRestartsTheClock() {
    Run run = new Run(Policies.ladder());
    run.at(0, Run.clients(m("198.51.100.1", 50)));
    run.at(30, Run.clients(m("198.51.100.1", 5)));
    run.at(45, Run.clients(m("198.51.100.1", 50)));
    assertThat(bans(run.at(90, Run.clients(m("198.51.100.1", 50))))).isEmpty();
    assertThat(bans(run.at(105, Run.clients(m("198.51.100.1", 50))))).containsExactly("198.51.100.1/32");
  }

  @Test
  void aClientMissingFromAReadingRestartsTheClock() {
    Run run = new Run(Policies.ladder());
    run.at(0, Run.clients(m("198.51.100.1", 50)));
    run.at(30, Run.clients(m()));
    assertThat(bans(run.at(60, Run.clients(m("198.51.100.1", 50))))).isEmpty();
  }

  @Test
  void reoffendingWhileBannedExtendsTheBanAndBansExpireOtherwise() {
    Run run = new Run(Policies.ladder());
    Cidr c = Cidr.parse("198.51.100.1").orElseThrow();
    run.at(0, Run.clients(m("198.51.100.1", 50)));
    run.at(60, Run.clients(m("198.51.100.1", 50)));
    Decision d = run.at(600, Run.clients(m("198.51.100.1", 70)));
    assertThat(d.next().bans().get(c))
        .isEqualTo(new BanEntry(Policies.T0.plusSeconds(4200), "clients=70 > 20 for 1m"));
    assertThat(d.events()).isEmpty();
    run.at(700, Run.clients(m()));
    assertThat(bans(run.at(4199, Run.clients(m())))).containsExactly("198.51.100.1/32");
    Decision expired = run.at(4200, Run.clients(m()));
    assertThat(bans(expired)).isEmpty();
    assertThat(expired.events()).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo("BansExpired");
      assertThat(e.warning()).isFalse();
      assertThat(e.message()).isEqualTo("1 ban expired: 198.51.100.1/32");
    });
  }

  @Test
  void invalidClientKeysAreIgnoredAndCounted() {
    Run run = new Run(Policies.ladder());
    Readings r = Readings.builder().scalar("reads", 1).put("clients", new SignalReading.PerClient(
        m("198.51.100.1", 50, "not-an-ip", 500, "1.2.3.4/33", 500, "10.0.0.0/8", 500, "", 500), 2)).build();
    run.at(0, r);
    Decision d = run.at(60, r);
    assertThat(bans(d)).containsExactly("198.51.100.1/32");
    assertThat(d.signals().get(1)).isEqualTo(new SignalSummary("clients", 50.0, 1, 6, null));
  }

  @Test
  void keysNamingTheSamePrefixAreMergedWithTheHighestValue() {
    Run run = new Run(Policies.ladder());
    Map<String, Double> r = m("198.51.100.1", 30, "198.51.100.1/32", 80);
    run.at(0, Run.clients(r));
    Decision d = run.at(60, Run.clients(r));
    assertThat(d.next().bans().values()).extracting(BanEntry::reason).containsExactly("clients=80 > 20 for 1m");
    assertThat(d.signals().get(1).clients()).isEqualTo(1);
  }

  @Test
  void aggregatedBansNameTheClientThatCausedThem() {
    Run run = new Run(Policies.withOffenders(Policies.ladder(), o -> {
      o.setIpv4PrefixLength(24);
      return o;
    }));
    Map<String, Double> r = m("203.0.113.7", 30, "203.0.113.9", 90);
    run.at(0, Run.clients(r));
    Decision d = run.at(60, Run.clients(r));
    assertThat(d.next().bans()).containsOnlyKeys(Cidr.parse("203.0.113.0/24").orElseThrow());
    assertThat(d.next().bans().values()).extracting(BanEntry::reason)
        .containsExactly("203.0.113.9/32: clients=90 > 20 for 1m");
  }

  @Test
  void atMostMaxBannedStrongestFirstAndBansInForceKeepTheirPlace() {
    Run run = new Run(Policies.withOffenders(Policies.ladder(), o -> {
      o.setMaxBanned(2);
      return o;
    }));
    run.at(0, Run.clients(m("192.0.2.1", 30)));
    assertThat(bans(run.at(60, Run.clients(m("192.0.2.1", 30))))).containsExactly("192.0.2.1/32");
    Map<String, Double> r = m("192.0.2.1", 30, "192.0.2.2", 40, "192.0.2.3", 90, "192.0.2.4", 90);
    run.at(70, Run.clients(r));
    Decision d = run.at(130, Run.clients(r));
    assertThat(bans(d)).containsExactly("192.0.2.1/32", "192.0.2.3/32");
    assertThat(d.banCapReached()).isTrue();
    assertThat(d.events()).extracting(DecisionEvent::reason).containsExactly("ClientsBanned", "BanCapReached");
    assertThat(d.events().get(1).message()).isEqualTo("maxBanned 2 reached: 2 qualifying offenders were not banned "
        + "(the strongest were): 192.0.2.4/32 (clients=90), 192.0.2.2/32 (clients=40)");
    assertThat(d.events().get(1).warning()).isTrue();
  }

  @Test
  void missingDataNeverBansButBansInForceStayUntilTheyExpire() {
    Run run = new Run(Policies.ladder());
    run.at(0, Run.clients(m("192.0.2.1", 30, "192.0.2.2", 30)));
    run.at(60, Run.clients(m("192.0.2.1", 30)));
    // reads unavailable: nothing new is banned, even though 192.0.2.2 has been above for its minute
    Decision held = run.at(75, Run.readings(null, m("192.0.2.1", 30, "192.0.2.2", 30)));
    assertThat(bans(held)).containsExactly("192.0.2.1/32");
    assertThat(held.next().bans().get(Cidr.parse("192.0.2.1").orElseThrow()).until())
        .as("not extended while metrics are unavailable").isEqualTo(Policies.T0.plusSeconds(3660));
    // the offenders signal itself unavailable: its clock restarts
    Decision down = run.at(90, Readings.builder().scalar("reads", 1).unavailable("clients", "timeout").build());
    assertThat(bans(down)).containsExactly("192.0.2.1/32");
    assertThat(down.next().offending()).isEmpty();
    // Hold goes stale: baseline level, bans in force kept until their expiry
    Decision stale = run.at(1000, Readings.builder().unavailable("reads", "x").unavailable("clients", "x").build());
    assertThat(stale.plan().level()).isEqualTo("normal");
    assertThat(bans(stale)).containsExactly("192.0.2.1/32");
    assertThat(bans(run.at(3660, Readings.builder().unavailable("reads", "x").unavailable("clients", "x")
        .build()))).isEmpty();
  }

  @Test
  void bansTheSpecNoLongerAllowsAreLifted() {
    Run run = new Run(Policies.withOffenders(Policies.ladder(), o -> {
      o.setIpv4PrefixLength(24);
      return o;
    }));
    run.at(0, Run.clients(m("192.0.2.1", 30, "198.51.100.1", 30)));
    run.at(60, Run.clients(m("192.0.2.1", 30, "198.51.100.1", 30)));
    run.spec = Policies.withAllowlist(run.spec, "192.0.2.128/25");
    Decision d = run.at(70, Run.clients(m()));
    assertThat(bans(d)).containsExactly("198.51.100.0/24");
    assertThat(d.events()).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo("BansRevoked");
      assertThat(e.message()).endsWith(": 192.0.2.0/24");
    });
    run.spec = Policies.withOffenders(run.spec, o -> {
      o.setIpv4PrefixLength(32);
      return o;
    });
    assertThat(bans(run.at(80, Run.clients(m())))).isEmpty();
  }

  @Test
  void editingTheOffendersRuleRestartsPendingClocks() {
    Run run = new Run(Policies.ladder());
    run.at(0, Run.clients(m("192.0.2.1", 30)));
    run.spec = Policies.withOffenders(run.spec, o -> {
      o.setAbove(25.0);
      return o;
    });
    assertThat(bans(run.at(60, Run.clients(m("192.0.2.1", 30))))).isEmpty();
    assertThat(bans(run.at(120, Run.clients(m("192.0.2.1", 30))))).containsExactly("192.0.2.1/32");
  }

  @Test
  void noOffendersRuleNoBans() {
    Run run = new Run(Policies.ladder().toBuilder().offenders(null).build());
    run.at(0, Run.clients(m("192.0.2.1", 3000)));
    Decision d = run.at(3600, Run.clients(m("192.0.2.1", 3000)));
    assertThat(d.plan().bans()).isEmpty();
    assertThat(d.next().offending()).isEmpty();
  }

  @Test
  void nonFiniteClientValuesNeverOffend() {
    Run run = new Run(Policies.ladder());
    Map<String, Double> r = m("192.0.2.1", Double.POSITIVE_INFINITY, "192.0.2.2", Double.NaN);
    run.at(0, Run.clients(r));
    Decision d = run.at(60, Run.clients(r));
    assertThat(d.plan().bans()).isEmpty();
    assertThat(d.signals().get(1)).isEqualTo(new SignalSummary("clients", null, 0, 0, null));
  }

  @Test
  void thePlanCarriesTheLevelSettingsAndTheAllowlist() {
    Run run = new Run(Policies.withAllowlist(Policies.ladder(), "10.0.0.0/8", "2001:db8::1"));
    Decision d = run.at(Instant.parse("2026-03-01T12:00:00Z"), Run.reads(1));
    assertThat(d.plan()).isEqualTo(Plans.forLevel(run.spec, "normal", List.of()));
    assertThat(d.plan().allowlist()).extracting(Cidr::toString).containsExactly("10.0.0.0/8", "2001:db8::1/128");
  }
}
