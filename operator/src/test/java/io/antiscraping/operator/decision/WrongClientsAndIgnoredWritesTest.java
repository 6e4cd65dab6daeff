package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The two silent misconfigurations of a data plane: client addresses that are not the clients' (a load balancer's
 * address for everyone, or forged X-Forwarded-For values), and writes the data plane does not apply.
 */
class WrongClientsAndIgnoredWritesTest {

  static final Instant T0 = Policies.T0;

  @Test
  void anAllowlistedAddressAboveTheBarIsReportedAsSuspectAndNeverBanned() {
    // The load balancer 10.0.0.5 carries everyone's traffic (use-forwarded-headers off), or a forger writes it.
    Run run = new Run(Policies.withAllowlist(Policies.ladder(), "10.0.0.0/8"));
    Map<String, Double> clients = Map.of("10.0.0.5", 90.0, "203.0.113.9", 30.0, "198.51.100.7", 2.0);
    run.at(0, Run.clients(clients));
    Decision d = run.at(61, Run.clients(clients));

    assertThat(d.suspects()).extracting(s -> s.client().toString()).containsExactly("10.0.0.5/32");
    assertThat(d.suspectsMessage()).contains("10.0.0.5/32 (above 20)").contains("proxy-real-ip-cidr")
        .contains("use-forwarded-headers").doesNotContain("90");
    assertThat(d.plan().bans()).extracting(Cidr::toString).containsExactly("203.0.113.9/32");
  }

  @Test
  void anAllowlistedPublicCrawlerAboveTheBarIsNotSuspect() {
    // A search engine's verified range, allowlisted, crawls public pages at its own pace: what it is allowed to do.
    Run run = new Run(Policies.withAllowlist(Policies.ladder(), "66.249.64.0/19", "10.0.0.0/8"));
    Decision d = run.at(0, Run.clients(Map.of("66.249.66.1", 120.0, "10.1.2.3", 25.0)));
    assertThat(d.suspects()).extracting(s -> s.client().toString()).containsExactly("10.1.2.3/32");
    assertThat(d.plan().bans()).isEmpty();
  }

  @Test
  void loopbackAndLinkLocalAboveTheBarAreSuspectToo() {
    Run run = new Run(Policies.ladder());
    Decision d = run.at(0, Run.clients(Map.of("127.0.0.1", 50.0, "169.254.1.1", 40.0, "::1", 45.0)));
    assertThat(d.suspects()).extracting(s -> s.client().toString())
        .containsExactly("127.0.0.1/32", "::1/128", "169.254.1.1/32");
    assertThat(d.plan().bans()).isEmpty();
  }

  @Test
  void theAdminsNeverBanRangesAreInternalToo() {
    // --never-ban 203.0.113.0/24: the load balancer's public range, given to the operator by its admin.
    DecisionEngine engine = new DecisionEngine(List.of(Cidr.parse("203.0.113.0/24").orElseThrow()));
    Decision d = engine.decide(Policies.ladder(), null,
        Run.clients(Map.of("203.0.113.10", 80.0, "198.51.100.7", 1.0)), T0);
    assertThat(d.suspects()).extracting(s -> s.client().toString()).containsExactly("203.0.113.10/32");
    assertThat(d.plan().bans()).isEmpty();
  }

  @Test
  void exemptClientsUnderTheBarAreNotSuspect() {
    Run run = new Run(Policies.withAllowlist(Policies.ladder(), "10.0.0.0/8"));
    Decision d = run.at(0, Run.clients(Map.of("10.0.0.5", 19.0, "127.0.0.1", 20.0)));
    assertThat(d.suspects()).isEmpty();
    assertThat(d.suspectsMessage()).isEmpty();
  }

  @Test
  void aBanHandedLongerThanAfterWhoseClientIsStillServedIsNotTakingEffect() {
    Cidr ban = Cidr.parse("203.0.113.9/32").orElseThrow();
    EffectCheck.Handed h = EffectCheck.Handed.NONE.next(List.of(ban), T0);
    // Within `after`: the data plane may not have synced yet.
    EffectCheck.Result early = EffectCheck.check(h, Map.of("203.0.113.9", 1.5), "served", Duration.ofSeconds(45), 1,
        T0.plusSeconds(44));
    assertThat(early.takingEffect()).isTrue();
    assertThat(early.due()).isZero();

    h = h.next(List.of(ban), T0.plusSeconds(45));
    EffectCheck.Result late = EffectCheck.check(h, Map.of("203.0.113.9", 1.5, "198.51.100.1", 3.0), "served",
        Duration.ofSeconds(45), 1, T0.plusSeconds(45));
    assertThat(late.takingEffect()).isFalse();
    assertThat(late.due()).isEqualTo(1);
    assertThat(late.stillServed()).isEqualTo(1);
    assertThat(late.message()).contains("203.0.113.9/32").contains("annotations-risk-level")
        .doesNotContain("198.51.100.1").doesNotContain("1.5");
  }

  @Test
  void aBannedClientThatIsNoLongerServedMeansTheBansTakeEffect() {
    Cidr ban = Cidr.parse("203.0.113.9/32").orElseThrow();
    EffectCheck.Handed h = EffectCheck.Handed.NONE.next(List.of(ban), T0).next(List.of(ban), T0.plusSeconds(120));
    EffectCheck.Result r = EffectCheck.check(h, Map.of("203.0.113.9", 0.0, "198.51.100.1", 3.0), "served",
        Duration.ofMinutes(1), 1, T0.plusSeconds(120));
    assertThat(r.takingEffect()).isTrue();
    assertThat(r.due()).isEqualTo(1);
    assertThat(r.stillServed()).isZero();
  }

  @Test
  void clientsInsideAPrefixBanCountAndMinClientsSetsTheBar() {
    Cidr prefix = Cidr.parse("198.18.4.0/24").orElseThrow();
    EffectCheck.Handed h = EffectCheck.Handed.NONE.next(List.of(prefix), T0);
    Map<String, Double> served = Map.of("198.18.4.1", 0.4, "198.18.4.2", 0.3, "::ffff:198.18.4.3", 0.2,
        "not-an-address", 9.0, "198.18.5.1", 5.0);
    assertThat(EffectCheck.check(h, served, "served", Duration.ofSeconds(30), 3, T0.plusSeconds(30)).takingEffect())
        .as("three clients of the banned /24 are still served (the mapped form counts as IPv4)").isFalse();
    assertThat(EffectCheck.check(h, served, "served", Duration.ofSeconds(30), 4, T0.plusSeconds(30)).takingEffect())
        .as("garbage labels and clients outside the ban do not count").isTrue();
  }

  @Test
  void aBanLiftedAndBannedAgainStartsItsClockAgain() {
    Cidr ban = Cidr.parse("203.0.113.9/32").orElseThrow();
    EffectCheck.Handed h = EffectCheck.Handed.NONE.next(List.of(ban), T0)
        .next(List.of(), T0.plusSeconds(100))
        .next(List.of(ban), T0.plusSeconds(110));
    assertThat(EffectCheck.check(h, Map.of("203.0.113.9", 2.0), "served", Duration.ofSeconds(30), 1,
        T0.plusSeconds(130)).takingEffect()).isTrue();
    assertThat(EffectCheck.check(h, Map.of("203.0.113.9", 2.0), "served", Duration.ofSeconds(30), 1,
        T0.plusSeconds(140)).takingEffect()).isFalse();
  }
}
